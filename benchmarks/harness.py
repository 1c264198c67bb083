"""Shared by the benchmarks: the sentences they score, the named peer, and a subprocess timer."""

import json
import multiprocessing
import resource
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import torch
import transformers
from transformers import AutoTokenizer, PreTrainedModel, pipeline
from transformers.modeling_outputs import SequenceClassifierOutput

from model import NewsStanceConfig, NewsStanceModel

REPO = Path(__file__).resolve().parents[1]
SHARED_DEV = REPO.parent / "shared" / "data" / "dev.jsonl"


def corpus_sentences(count: int) -> list[str]:
    """Realistic news sentences of varied length: the project's own held-out corpus splits, cycled."""
    texts = []
    for name in ("test.jsonl", "dev.jsonl"):
        path = REPO / "data" / name
        if path.is_file():
            texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line]
    if not texts:
        raise SystemExit("no sentences: data/test.jsonl and data/dev.jsonl are missing")
    return [texts[i % len(texts)] for i in range(count)]


def labelled_dev() -> tuple[list[str], list[str]] | None:
    """The real-news evaluation file, where this checkout has it (../shared is not in a user's clone)."""
    if not SHARED_DEV.is_file():
        return None
    rows = [json.loads(line) for line in SHARED_DEV.read_text(encoding="utf-8").splitlines() if line]
    return [row["text"] for row in rows], [row["stance"] for row in rows]


class StanceHead(PreTrainedModel):
    """Our trained model seen through the stance head only, so the stock pipeline can run it."""

    config_class = NewsStanceConfig

    def __init__(self, config: NewsStanceConfig, model: NewsStanceModel | None = None) -> None:
        super().__init__(config)
        self.model = model or NewsStanceModel(config)

    def forward(self, **inputs: torch.Tensor) -> SequenceClassifierOutput:
        return SequenceClassifierOutput(logits=self.model(**inputs).stance_logits)


def stance_pipeline(model_dir: Path, batch_size: int) -> Callable[[list[str]], list[str]]:
    """The peer: transformers.pipeline("text-classification") on the same weights and tokenizer."""
    model = NewsStanceModel.from_pretrained(model_dir).eval()
    config = model.config
    config.id2label = dict(enumerate(config.stance_labels))
    config.label2id = {label: i for i, label in config.id2label.items()}
    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity(transformers.logging.CRITICAL)  # "StanceHead is not supported" lists every model
    classifier = pipeline(
        "text-classification",
        model=StanceHead(config, model).eval(),
        tokenizer=AutoTokenizer.from_pretrained(model_dir),
        device=-1,
    )
    transformers.logging.set_verbosity(verbosity)

    def run(texts: list[str]) -> list[str]:
        return [out["label"] for out in classifier(texts, batch_size=batch_size, truncation=True)]

    return run


def run_isolated(target: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run one measurement in a fresh process, so its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_measure, target, *args).result()


def _measure(target: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    transformers.logging.set_verbosity_error()
    result = target(*args)
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def peak_rss_mb() -> float:
    """This process's resident-memory high-water mark (VmHWM: unlike ru_maxrss it restarts at exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(run: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def encoder_flops(config: Any, lengths: list[int]) -> float:
    """Multiply-adds x2 of a BERT-style encoder over these token counts (projections, attention, FFN)."""
    hidden, inner, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    per_layer = sum(8 * n * hidden**2 + 4 * n * n * hidden + 4 * n * hidden * inner for n in lengths)
    return float(layers * per_layer)


def peak_matmul_gflops(threads: int, size: int = 2048, repeats: int = 5, trials: int = 3) -> float:
    """What this machine's fp32 GEMM reaches on `threads` cores: the ceiling for the encoder's work."""
    torch.set_num_threads(threads)
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    best = min(timed(lambda: [a @ b for _ in range(repeats)])[1] for _ in range(trials))
    return 2 * size**3 * repeats / best / 1e9

