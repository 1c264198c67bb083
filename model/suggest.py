"""Rank unlabelled sentences by how unsure the model is, so annotators label the most useful ones first."""

import heapq
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from model.csv_rows import read_csv_rows
from model.defaults import DEFAULT_BATCH_SIZE
from model.errors import NewsStanceError
from model.jsonl import read_texts
from model.label_studio import is_label_studio_export, training_rows
from model.sentences import sentence_key

if TYPE_CHECKING:  # the classifier (and torch) load only when a run starts, not for `--help`
    from model.classifier import StanceClassifier

MEASURES = ("entropy", "margin", "diverse")
NEAR_DUPLICATE = 0.8  # word-set Jaccard at which two sentences are one to an annotator (as the corpus dedupes)
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
    model_sentiment: str = ""  # the model's sentiment guess: a pre-annotation for labelling tools

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


def read_pool(path: str | Path, option: str = "--pool") -> Iterator[PoolSentence]:
    """The sentences of a pool or a labelled file; `option` names the flag in errors.

    `.jsonl` has a `text` field per line, `.json` is a Label Studio export or import file (its tasks'
    `data.text`), `.csv` has a `text` column, and any other file holds one sentence per line.
    """
    path = Path(path)
    if not path.is_file():
        raise NewsStanceError(f"{option} {path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        lines = read_texts(path)
    elif is_label_studio_export(path):
        lines = _task_texts(path)
    elif suffix == ".csv":
        lines = _csv_texts(path)
    else:
        lines = _plain_lines(path)
    for number, text in lines:
        if text.strip():
            yield PoolSentence(text.strip(), f"{path}:{number}")


def _task_texts(path: Path) -> Iterator[tuple[int, str]]:
    for item, row, _ in training_rows(path):  # one row per task, however many annotators
        yield item, row["text"]


def _csv_texts(path: Path) -> Iterator[tuple[int, str]]:
    for number, row in read_csv_rows(path, ["text"]):
        yield number, row.get("text") or ""


def _plain_lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            try:
                yield number, raw.decode("utf-8-sig" if number == 1 else "utf-8").strip()
            except UnicodeDecodeError as error:
                raise NewsStanceError(f"{path}:{number}: not UTF-8 text ({error.reason} at byte {error.start})") from None


def uncertainty(probs: np.ndarray, by: str) -> np.ndarray:
    """Entropy of the stance distribution, or one minus the gap between the two likeliest labels."""
    if by == "entropy":
        return -(probs * np.log(np.clip(probs, 1e-12, 1.0))).sum(axis=-1)
    if by == "margin":
        top_two = np.sort(probs, axis=-1)[:, -2:]
        return 1.0 - (top_two[:, 1] - top_two[:, 0])
    raise NewsStanceError(f"--by {by!r} is not an uncertainty measure (entropy, margin)")


def suggest(
    classifier: "StanceClassifier",
    pool: Iterator[PoolSentence],
    n: int,
    by: str = "entropy",
    batch_size: int = DEFAULT_BATCH_SIZE,
    labelled: Sequence[str] = (),
) -> list[Suggestion]:
    """The n sentences most worth labelling next, best first; sentences in `labelled` are never picked.

    `entropy` and `margin` rank by stance uncertainty alone (streaming: any pool size). `diverse`
    spreads the picks: uncertainty-weighted k-center over the encoder's sentence embeddings, skipping
    near-duplicates of already-labelled sentences and of earlier picks (the pool is held in memory).
    """
    if n < 1:
        raise NewsStanceError(f"-n {n}: ask for at least one sentence")
    if by not in MEASURES:
        raise NewsStanceError(f"--by {by!r} is not one of {', '.join(MEASURES)}")
    known = {sentence_key(text) for text in labelled}
    sentences = _distinct(pool, known)
    if by == "diverse":
        return _diverse(classifier, list(sentences), n, batch_size, list(labelled))
    return heapq.nlargest(n, _scored(classifier, sentences, by, batch_size), key=lambda s: s.uncertainty)


def _diverse(
    classifier: "StanceClassifier", pool: list[PoolSentence], n: int, batch_size: int, labelled: list[str]
) -> list[Suggestion]:
    """Greedy k-center weighted by uncertainty: each pick maximises entropy x embedding distance to what is chosen.

    Distance is cosine distance between the encoder's sentence embeddings, to the picks so far and to
    the labelled sentences. Near-duplicates (word-set Jaccard >= 0.8) of a labelled sentence or of an
    earlier pick are never picked: rewordings of one sentence teach an annotator's label once.
    """
    if not pool:
        return []
    scored = list(_score_chunk(classifier, pool, "entropy", batch_size))
    entropy = np.array([suggestion.uncertainty for suggestion in scored])
    vectors = classifier.embeddings([sentence.text for sentence in pool], batch_size)
    distance = np.ones(len(pool))  # cosine distance to the nearest chosen or labelled sentence (1: none yet)
    if labelled:
        known = classifier.embeddings(labelled, batch_size)
        for start in range(0, len(known), CHUNK_SIZE):
            distance = np.minimum(distance, 1.0 - (vectors @ known[start : start + CHUNK_SIZE].T).max(axis=1))
    duplicates = _NearDuplicates([sentence.text for sentence in pool])
    available = np.ones(len(pool), dtype=bool)
    for text in labelled:
        available[duplicates.of(text)] = False
    picked: list[Suggestion] = []
    while len(picked) < n and available.any():
        choice = int(np.argmax(np.where(available, (entropy + 1e-6) * (distance + 1e-6), -1.0)))
        picked.append(scored[choice])
        distance = np.minimum(distance, 1.0 - vectors @ vectors[choice])
        available[choice] = False
        available[duplicates.of(pool[choice].text)] = False
    return picked


class _NearDuplicates:
    """Finds the pool sentences whose word sets overlap a given sentence's by Jaccard >= NEAR_DUPLICATE."""

    def __init__(self, texts: list[str]) -> None:
        self.words = [set(_words(text)) for text in texts]
        self.index: dict[tuple[str, ...], list[int]] = {}
        for i, text in enumerate(texts):
            for gram in _trigrams(text):
                self.index.setdefault(gram, []).append(i)

    def of(self, text: str) -> list[int]:
        words = set(_words(text))
        candidates = {i for gram in _trigrams(text) for i in self.index.get(gram, ())}
        return [i for i in candidates if len(words & self.words[i]) >= NEAR_DUPLICATE * len(words | self.words[i])]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))}



def _distinct(pool: Iterator[PoolSentence], known: set[str] = frozenset()) -> Iterator[PoolSentence]:
    """Annotating the same sentence twice teaches nothing: keep the first of each, none already labelled."""
    seen: set[str] = set(known)
    for sentence in pool:
        key = sentence_key(sentence.text)
        if key not in seen:
            seen.add(key)
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
    both = classifier.predict_proba([sentence.text for sentence in chunk], batch_size)
    probs = both["stance"]
    scores = uncertainty(probs, by)
    for sentence, row, score, sentiment in zip(chunk, probs, scores, both["sentiment"]):
        best = int(row.argmax())
        yield Suggestion(
            sentence.text,
            sentence.source,
            float(score),
            classifier.stance_labels[best],
            float(row[best]),
            classifier.sentiment_labels[int(sentiment.argmax())],
        )
