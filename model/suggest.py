"""Rank unlabelled sentences by how unsure the model is, so annotators label the most useful ones first."""

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from model.defaults import DEFAULT_BATCH_SIZE
from model.errors import NewsStanceError
from model.jsonl import read_jsonl

if TYPE_CHECKING:  # the classifier (and torch) load only when a run starts, not for `--help`
    from model.classifier import StanceClassifier

MEASURES = ("entropy", "margin")
CHUNK_SIZE = 1024


@dataclass(frozen=True)
class PoolSentence:
    text: str
    source: str  # FILE:LINE, so an annotator can find the sentence's context


@dataclass(frozen=True)
class Suggestion:
    text: str
    source: str
    uncertainty: float
    model_stance: str
    model_stance_prob: float

    def as_training_row(self) -> dict:
        """The training JSONL shape with the labels left empty for the annotator, plus why it was picked."""
        return {
            "text": self.text,
            "stance": None,
            "sentiment": None,
            "source": self.source,
            "uncertainty": round(self.uncertainty, 6),
            "model_stance": self.model_stance,
            "model_stance_prob": round(self.model_stance_prob, 6),
        }


def read_pool(path: str | Path) -> Iterator[PoolSentence]:
    """A `.jsonl` pool has a `text` field per line; any other file holds one sentence per line."""
    path = Path(path)
    if not path.is_file():
        raise NewsStanceError(f"--pool {path}: no such file")
    lines = _jsonl_texts(path) if path.suffix.lower() == ".jsonl" else _plain_lines(path)
    for number, text in lines:
        if text:
            yield PoolSentence(text, f"{path}:{number}")


def _plain_lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            try:
                yield number, raw.decode("utf-8-sig" if number == 1 else "utf-8").strip()
            except UnicodeDecodeError as error:
                raise NewsStanceError(f"{path}:{number}: not UTF-8 text ({error.reason} at byte {error.start})") from None


def _jsonl_texts(path: Path) -> Iterator[tuple[int, str]]:
    for line in read_jsonl(path):
        if line.problem:
            raise NewsStanceError(f"{path}:{line.number}: {line.problem}")
        text = line.value.get("text") if isinstance(line.value, dict) else None
        if not isinstance(text, str):
            raise NewsStanceError(f"{path}:{line.number}: expected a JSON object with a string 'text'")
        yield line.number, text.strip()


def uncertainty(probs: np.ndarray, by: str) -> np.ndarray:
    """Entropy of the stance distribution, or one minus the gap between the two likeliest labels."""
    if by == "entropy":
        return -(probs * np.log(np.clip(probs, 1e-12, 1.0))).sum(axis=-1)
    if by == "margin":
        top_two = np.sort(probs, axis=-1)[:, -2:]
        return 1.0 - (top_two[:, 1] - top_two[:, 0])
    raise NewsStanceError(f"--by {by!r} is not one of {', '.join(MEASURES)}")


def suggest(
    classifier: "StanceClassifier",
    pool: Iterator[PoolSentence],
    n: int,
    by: str = "entropy",
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> list[Suggestion]:
    """The n most uncertain distinct sentences, most uncertain first; ties keep pool order."""
    if n < 1:
        raise NewsStanceError(f"-n {n}: ask for at least one sentence")
    return heapq.nlargest(n, _scored(classifier, _distinct(pool), by, batch_size), key=lambda s: s.uncertainty)


def _distinct(pool: Iterator[PoolSentence]) -> Iterator[PoolSentence]:
    """Annotating the same sentence twice teaches nothing; keep the first of each."""
    seen: set[str] = set()
    for sentence in pool:
        if sentence.text not in seen:
            seen.add(sentence.text)
            yield sentence


def _scored(
    classifier: "StanceClassifier", pool: Iterator[PoolSentence], by: str, batch_size: int
) -> Iterator[Suggestion]:
    chunk: list[PoolSentence] = []
    for sentence in pool:
        chunk.append(sentence)
        if len(chunk) == CHUNK_SIZE:
            yield from _score_chunk(classifier, chunk, by, batch_size)
            chunk = []
    yield from _score_chunk(classifier, chunk, by, batch_size)


def _score_chunk(
    classifier: "StanceClassifier", chunk: list[PoolSentence], by: str, batch_size: int
) -> Iterator[Suggestion]:
    if not chunk:
        return
    probs = classifier.predict_proba([sentence.text for sentence in chunk], batch_size)["stance"]
    scores = uncertainty(probs, by)
    for sentence, row, score in zip(chunk, probs, scores):
        best = int(row.argmax())
        yield Suggestion(sentence.text, sentence.source, float(score), classifier.stance_labels[best], float(row[best]))
