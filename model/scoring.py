"""Turn a stream of articles into a stream of scored sentences, a chunk at a time, in input order."""

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from model.articles import Article, InputProblem
from model.classifier import StanceClassifier
from model.defaults import DEFAULT_BATCH_SIZE
from model.segment import Sentence, split_sentences

UNCERTAIN = "uncertain"
DEFAULT_CHUNK_SIZE = 1024  # sentences per classifier call: enough to length-sort well, small to stream


@dataclass(frozen=True)
class ScoredSentence:
    index: int
    start: int
    end: int
    text: str
    stance: str
    stance_guess: str
    stance_prob: float
    sentiment: str
    sentiment_prob: float
    stance_probs: dict[str, float]
    sentiment_probs: dict[str, float]
    tokens: int
    truncated: bool


@dataclass(frozen=True)
class ScoredArticle:
    id: str
    text: str
    sentences: list[ScoredSentence]


def score_articles(
    classifier: StanceClassifier,
    items: Iterable[Article | InputProblem],
    batch_size: int = DEFAULT_BATCH_SIZE,
    min_confidence: float = 0.0,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[ScoredArticle | InputProblem]:
    """Scored articles, with input problems passed through in place, so a million sentences never sit in memory."""
    pending: list[tuple[Article | InputProblem, list[Sentence]]] = []
    pending_sentences = 0
    with tqdm(desc="scoring", unit=" sentences", disable=None, file=sys.stderr) as progress:
        for item in items:
            sentences = split_sentences(item.text) if isinstance(item, Article) else []
            pending.append((item, sentences))
            pending_sentences += len(sentences)
            if pending_sentences >= chunk_size:
                yield from _score_chunk(classifier, pending, batch_size, min_confidence)
                progress.update(pending_sentences)
                pending, pending_sentences = [], 0
        yield from _score_chunk(classifier, pending, batch_size, min_confidence)
        progress.update(pending_sentences)


def _score_chunk(
    classifier: StanceClassifier,
    pending: list[tuple[Article | InputProblem, list[Sentence]]],
    batch_size: int,
    min_confidence: float,
) -> Iterator[ScoredArticle | InputProblem]:
    texts = [sentence.text for _, sentences in pending for sentence in sentences]
    probs = classifier.predict_proba(texts, batch_size)
    tokens = _token_counts(classifier, texts)
    limit = classifier.tokenizer.model_max_length
    row = 0
    for item, sentences in pending:
        if isinstance(item, InputProblem):
            yield item
            continue
        scored = []
        for index, sentence in enumerate(sentences):
            scored.append(
                _scored_sentence(
                    classifier, index, sentence, probs["stance"][row], probs["sentiment"][row],
                    tokens[row], limit, min_confidence,
                )
            )
            row += 1
        yield ScoredArticle(item.id, item.text, scored)


def _token_counts(classifier: StanceClassifier, texts: list[str]) -> list[int]:
    """Untruncated lengths, so a sentence the model only saw part of can be named."""
    if not texts:
        return []
    encoded = classifier.tokenizer(texts, add_special_tokens=True, verbose=False)
    return [len(ids) for ids in encoded["input_ids"]]


def _scored_sentence(
    classifier: StanceClassifier,
    index: int,
    sentence: Sentence,
    stance_row: np.ndarray,
    sentiment_row: np.ndarray,
    tokens: int,
    limit: int,
    min_confidence: float,
) -> ScoredSentence:
    stance_best, sentiment_best = int(stance_row.argmax()), int(sentiment_row.argmax())
    guess = classifier.stance_labels[stance_best]
    stance_prob = float(stance_row[stance_best])
    return ScoredSentence(
        index=index,
        start=sentence.start,
        end=sentence.end,
        text=sentence.text,
        stance=guess if stance_prob >= min_confidence else UNCERTAIN,
        stance_guess=guess,
        stance_prob=stance_prob,
        sentiment=classifier.sentiment_labels[sentiment_best],
        sentiment_prob=float(sentiment_row[sentiment_best]),
        stance_probs={label: float(p) for label, p in zip(classifier.stance_labels, stance_row)},
        sentiment_probs={label: float(p) for label, p in zip(classifier.sentiment_labels, sentiment_row)},
        tokens=tokens,
        truncated=tokens > limit,
    )
