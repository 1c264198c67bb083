"""Dynamic batching: sentences of requests that arrive together share one forward pass.

One inference thread runs the model, so the event loop never blocks on it and the model is never
called from two threads at once. While a forward pass runs, new requests queue up; the collector then
takes everything queued (up to `max_batch` sentences) as the next batch, one `predict_proba` call
that sorts by length. Under concurrent load it also waits up to `max_wait_ms` for companions; a lone
client is never made to wait. With `enabled=False` every request gets a forward pass of its own: the
baseline the batching is measured against.
"""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from model.classifier import StanceClassifier


@dataclass
class _Request:
    texts: list[str]
    future: asyncio.Future = field(repr=False)


class Batcher:
    def __init__(self, classifier: StanceClassifier, max_batch: int = 64, max_wait_ms: float = 5.0, enabled: bool = True):
        self.classifier = classifier
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000
        self.enabled = enabled
        self._queue: asyncio.Queue[_Request] | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsstance-inference")
        self._collector: asyncio.Task | None = None

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        self._collector = asyncio.create_task(self._collect())

    async def stop(self) -> None:
        """Requests already queued are answered first: shutdown finishes the work in flight."""
        if self._queue is not None:
            await self._queue.join()
        if self._collector is not None:
            self._collector.cancel()
        self._worker.shutdown(wait=True)

    async def predict_proba(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Calibrated probabilities for `texts`, in order, computed together with whatever else is queued."""
        if not texts:
            return {"stance": np.zeros((0, len(self.classifier.stance_labels))),
                    "sentiment": np.zeros((0, len(self.classifier.sentiment_labels)))}
        future = asyncio.get_running_loop().create_future()
        await self._queue.put(_Request(texts, future))
        return await future

    async def _collect(self) -> None:
        loop = asyncio.get_running_loop()
        concurrent = False  # did the last batch hold more than one request?
        while True:
            batch = [await self._queue.get()]
            size = len(batch[0].texts)
            deadline = time.monotonic() + (self.max_wait if concurrent else 0.0)
            while self.enabled and size < self.max_batch:
                if not self._queue.empty():
                    request = self._queue.get_nowait()
                else:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    try:
                        request = await asyncio.wait_for(self._queue.get(), remaining)
                    except asyncio.TimeoutError:
                        break
                batch.append(request)
                size += len(request.texts)
            concurrent = len(batch) > 1
            texts = [text for request in batch for text in request.texts]
            try:
                probs = await loop.run_in_executor(self._worker, self._forward, texts)
            except Exception as error:  # the requests fail, the server does not
                for request in batch:
                    if not request.future.done():
                        request.future.set_exception(error)
            else:
                start = 0
                for request in batch:
                    end = start + len(request.texts)
                    if not request.future.done():  # a client that went away cancels its future
                        request.future.set_result({head: values[start:end] for head, values in probs.items()})
                    start = end
            finally:
                for _ in batch:
                    self._queue.task_done()

    def _forward(self, texts: list[str]) -> dict[str, np.ndarray]:
        return self.classifier.predict_proba(texts, batch_size=self.max_batch)
