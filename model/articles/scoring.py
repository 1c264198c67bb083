"""Turn a stream of articles into a stream of scored sentences, a chunk at a time, in input order."""

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from tqdm.auto import tqdm

from model.articles.inputs import Article, InputProblem
from model.articles.segment import Sentence, split_sentences
from model.classifier import Prediction, StanceClassifier
from model.defaults import DEFAULT_BATCH_SIZE

UNCERTAIN = "uncertain"
DEFAULT_CHUNK_SIZE = 1024  # sentences per classifier call: enough to length-sort well, small to stream


@dataclass(frozen=True)
class ScoredSentence:
    index: int
    start: int
    end: int
    text: str
    stance: str  # the model's stance, or `uncertain` below the confidence floor
    prediction: Prediction
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
    wrapped: bool = False,
) -> Iterator[ScoredArticle | InputProblem]:
    """Scored articles, with input problems passed through in place, so a million sentences never sit in memory.

    `wrapped`: the text is hard-wrapped, so only blank lines end paragraphs (see `split_sentences`).
    """
    if not 0.0 <= min_confidence <= 1.0:  # above 1 every sentence would silently come out "uncertain"
        raise ValueError(f"min_confidence must be between 0 and 1, not {min_confidence}")
    pending: list[tuple[Article | InputProblem, list[Sentence]]] = []
    pending_sentences = 0
    with tqdm(desc="scoring", unit=" sentences", disable=None, file=sys.stderr) as progress:
        for index, item in enumerate(items):
            if not isinstance(item, (Article, InputProblem)):  # a str or dict would fail later, on a missing attribute
                raise TypeError(f"items[{index}] is {type(item).__name__}; pass Article(id, text) records")
            sentences = split_sentences(item.text, wrapped) if isinstance(item, Article) else []
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
    predictions = classifier.predict(texts, batch_size)
    tokens = token_counts(classifier, texts)
    limit = classifier.tokenizer.model_max_length
    row = 0
    for item, sentences in pending:
        if isinstance(item, InputProblem):
            yield item
            continue
        scored = []
        for index, sentence in enumerate(sentences):
            scored.append(scored_sentence(index, sentence, predictions[row], tokens[row], limit, min_confidence))
            row += 1
        yield ScoredArticle(item.id, item.text, scored)


def token_counts(classifier: StanceClassifier, texts: list[str]) -> list[int]:
    """Untruncated lengths, so a sentence the model only saw part of can be named."""
    if not texts:
        return []
    encoded = classifier.tokenizer(texts, add_special_tokens=True, verbose=False)
    return [len(ids) for ids in encoded["input_ids"]]


def scored_sentence(
    index: int, sentence: Sentence, prediction: Prediction, tokens: int, limit: int, min_confidence: float
) -> ScoredSentence:
    return ScoredSentence(
        index=index,
        start=sentence.start,
        end=sentence.end,
        text=sentence.text,
        stance=prediction.stance if prediction.stance_score >= min_confidence else UNCERTAIN,
        prediction=prediction,
        tokens=tokens,
        truncated=tokens > limit,
    )
