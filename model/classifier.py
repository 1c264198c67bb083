"""The object users hold: load a trained model directory and label sentences with probabilities.

`StanceClassifier` owns tokenising, length-sorted batching and calibration; the forward pass belongs
to a runner (`TorchRunner` here, `model.onnx.runtime.OnnxRunner` for exported models), so both kinds
of model directory answer through the same `predict`.
"""

import numbers
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from tqdm.auto import tqdm
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from model.configuration import NewsStanceConfig
from model.defaults import DEFAULT_BATCH_SIZE
from model.device import resolve_device
from model.errors import NewsStanceError
from model.jsonl import lone_surrogate_at
from model.modeling import NewsStanceModel
from model.storage import ONNX_FILE, check_model_dir, write_atomically


@dataclass(frozen=True)
class Prediction:
    """One sentence's labels: the likeliest stance and sentiment, their probabilities, and every label's.

    Probabilities are calibrated (divided by the model's temperatures before the softmax).
    """

    stance: str
    stance_score: float
    sentiment: str
    sentiment_score: float
    stance_probs: dict[str, float]
    sentiment_probs: dict[str, float]


class Runner(Protocol):
    """What a classifier needs of a backend: a device, a forward pass to logits, and a way to save."""

    device: torch.device

    def run(self, batch: dict[str, torch.Tensor]) -> tuple[np.ndarray, np.ndarray]: ...

    def save(self, directory: Path) -> None: ...


class TorchRunner:
    """The PyTorch forward pass: inference mode, bf16 autocast on GPUs that support it."""

    def __init__(self, model: NewsStanceModel, device: str | torch.device = "auto") -> None:
        self.device = resolve_device(device) if isinstance(device, str) else device
        self.model = model.to(self.device).eval()
        self.use_bf16 = self.device.type == "cuda" and torch.cuda.is_bf16_supported()

    @torch.inference_mode()
    def run(self, batch: dict[str, torch.Tensor]) -> tuple[np.ndarray, np.ndarray]:
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.use_bf16):
            output = self.model(**self._on_device(batch))
        return output.stance_logits.float().cpu().numpy(), output.sentiment_logits.float().cpu().numpy()

    @torch.inference_mode()
    def embed(self, batch: dict[str, torch.Tensor]) -> tuple[np.ndarray]:
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.use_bf16):
            return (self.model.embed(**self._on_device(batch)).float().cpu().numpy(),)

    def _on_device(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        on_gpu = self.device.type == "cuda"
        return {
            key: (value.pin_memory() if on_gpu else value).to(self.device, non_blocking=on_gpu)
            for key, value in batch.items()
        }

    def save(self, directory: Path) -> None:
        self.model.save_pretrained(directory)


class StanceClassifier:
    """Mirrors transformers' verbs: `from_pretrained`, `predict`, `predict_proba`, `save_pretrained`.

    >>> classifier = StanceClassifier.from_pretrained("runs/default")
    >>> classifier.predict(["A spokesman denied the report."])[0].stance
    'denial'
    """

    def __init__(
        self,
        model: NewsStanceModel | Runner,
        tokenizer: PreTrainedTokenizerBase,
        device: str | torch.device = "auto",
        config: NewsStanceConfig | None = None,
    ) -> None:
        """Give a `NewsStanceModel` (run with PyTorch on `device`) or a ready runner with its `config`."""
        if isinstance(model, NewsStanceModel):
            self.runner: Runner = TorchRunner(model, device)
            self.config: NewsStanceConfig = model.config
        else:
            if config is None:
                raise ValueError("a runner needs the model's NewsStanceConfig")
            self.runner, self.config = model, config
        self.tokenizer = tokenizer

    @classmethod
    def from_pretrained(cls, path: str | Path, device: str = "auto") -> "StanceClassifier":
        """Load a PyTorch model directory, or an ONNX one written by `newsstance export`."""
        path = Path(path)
        check_model_dir(path)
        tokenizer = AutoTokenizer.from_pretrained(path)
        if (path / ONNX_FILE).is_file():
            from model.onnx.runtime import OnnxRunner

            return cls(OnnxRunner.from_directory(path, device), tokenizer, config=NewsStanceConfig.from_pretrained(path))
        return cls(NewsStanceModel.from_pretrained(path), tokenizer, device)

    def save_pretrained(self, path: str | Path) -> None:
        """Write a model directory that `from_pretrained` loads; it appears whole or not at all."""

        def write(directory: Path) -> None:
            self.runner.save(directory)
            self.config.save_pretrained(directory)
            self.tokenizer.save_pretrained(directory)

        write_atomically(Path(path), write)

    @property
    def device(self) -> torch.device:
        return self.runner.device

    @property
    def model(self) -> NewsStanceModel:
        """The PyTorch network; an exported (ONNX) model has none."""
        if not isinstance(self.runner, TorchRunner):
            raise AttributeError("this classifier runs an exported ONNX graph; it has no PyTorch model")
        return self.runner.model

    @property
    def stance_labels(self) -> list[str]:
        return self.config.stance_labels

    @property
    def sentiment_labels(self) -> list[str]:
        return self.config.sentiment_labels

    def predict_proba(
        self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE, progress: str | None = None
    ) -> dict[str, np.ndarray]:
        """Calibrated probabilities, {'stance': (n, k), 'sentiment': (n, m)}, in input order.

        Columns follow `stance_labels` and `sentiment_labels`; `progress` names a bar as in `logits`.
        """
        stance_logits, sentiment_logits = self.logits(texts, batch_size, progress)
        return {
            "stance": softmax(stance_logits / self.config.stance_temperature),
            "sentiment": softmax(sentiment_logits / self.config.sentiment_temperature),
        }

    def predict(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE) -> list[Prediction]:
        """One `Prediction` per text, in input order; texts longer than the model's limit are truncated."""
        probs = self.predict_proba(texts, batch_size)
        return [
            prediction_from_probs(stance_row, sentiment_row, self.stance_labels, self.sentiment_labels)
            for stance_row, sentiment_row in zip(probs["stance"], probs["sentiment"])
        ]

    def logits(
        self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE, progress: str | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Raw logits of both heads; texts are scored in length-sorted batches to waste no padding.

        `progress` names a tqdm bar on stderr (shown only on a terminal) for long command-line runs.
        """
        widths = (len(self.stance_labels), len(self.sentiment_labels))
        stance, sentiment = self._batched(texts, batch_size, self.runner.run, widths, progress)
        return stance, sentiment

    def embeddings(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
        """The mean-pooled sentence embeddings the heads read, unit length (for similarity and diversity)."""
        if not isinstance(self.runner, TorchRunner):
            raise NewsStanceError("sentence embeddings need the PyTorch model directory, not an exported ONNX one")
        (vectors,) = self._batched(texts, batch_size, self.runner.embed, (self.model.encoder.config.hidden_size,), None)
        return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)

    def _batched(
        self,
        texts: Sequence[str],
        batch_size: int,
        run: Callable[[dict[str, torch.Tensor]], tuple[np.ndarray, ...]],
        widths: tuple[int, ...],
        progress: str | None,
    ) -> tuple[np.ndarray, ...]:
        """`run` over length-sorted batches, each output written back to its texts' rows."""
        if isinstance(texts, str):  # a string is a sequence too: it would be scored one character at a time
            raise TypeError("texts must be a list of strings, not one string: predict([text])")
        texts = list(texts)
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{index}] is {type(text).__name__}; every text must be a string")
            if not text.strip():  # the command line and the server refuse it too: a label of nothing is noise
                raise ValueError(f"texts[{index}] is empty; there is nothing to label")
            position = lone_surrogate_at(text)
            if position is not None:  # the tokenizer's own error would not say which text
                raise ValueError(f"texts[{index}] is not valid Unicode (a lone surrogate at character {position})")
        if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, not {batch_size!r}")
        batch_size = int(batch_size)  # a numpy integer is fine
        outputs = tuple(np.zeros((len(texts), width), dtype=np.float32) for width in widths)
        if not texts:
            return outputs
        encoded = self.tokenizer(texts, truncation=True)
        order = np.argsort([len(ids) for ids in encoded["input_ids"]], kind="stable")
        with tqdm(
            total=len(texts), desc=progress, unit=" sentences", disable=None if progress else True, file=sys.stderr
        ) as bar:
            for start in range(0, len(texts), batch_size):
                rows = order[start : start + batch_size]
                batch = self.tokenizer.pad(
                    {key: [encoded[key][i] for i in rows] for key in encoded.keys()}, return_tensors="pt"
                )
                for output, values in zip(outputs, run(batch)):
                    output[rows] = values
                bar.update(len(rows))
        return outputs


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def prediction_from_probs(
    stance_row: np.ndarray, sentiment_row: np.ndarray, stance_labels: list[str], sentiment_labels: list[str]
) -> Prediction:
    """The `Prediction` for one row of probabilities (columns in label order)."""
    stance_best = int(stance_row.argmax())
    sentiment_best = int(sentiment_row.argmax())
    return Prediction(
        stance=stance_labels[stance_best],
        stance_score=float(stance_row[stance_best]),
        sentiment=sentiment_labels[sentiment_best],
        sentiment_score=float(sentiment_row[sentiment_best]),
        stance_probs={label: float(p) for label, p in zip(stance_labels, stance_row)},
        sentiment_probs={label: float(p) for label, p in zip(sentiment_labels, sentiment_row)},
    )
