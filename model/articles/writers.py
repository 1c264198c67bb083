"""Write scored articles as JSONL, CSV, a terminal table, or a JSON summary, one article at a time."""

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from model.articles.scoring import ScoredArticle, ScoredSentence

CSV_FIELDS = (
    "id", "sentence", "start", "end", "text",
    "stance", "stance_guess", "stance_prob", "sentiment", "sentiment_prob",
)
TABLE_TEXT_WIDTH = 100


@dataclass(frozen=True)
class Labels:
    """Every stance (with `uncertain` when a confidence floor is set) and sentiment, in report order."""

    stance: list[str]
    sentiment: list[str]


def sentence_record(article_id: str, sentence: ScoredSentence) -> dict[str, Any]:
    """One output row: where the sentence sits in its article and what the model made of it."""
    return {
        "id": article_id,
        "sentence": sentence.index,
        "start": sentence.start,
        "end": sentence.end,
        "text": sentence.text,
        "stance": sentence.stance,
        "stance_guess": sentence.prediction.stance,
        "stance_prob": sentence.prediction.stance_score,
        "sentiment": sentence.prediction.sentiment,
        "sentiment_prob": sentence.prediction.sentiment_score,
        "stance_probs": sentence.prediction.stance_probs,
        "sentiment_probs": sentence.prediction.sentiment_probs,
    }


def count_labels(article: ScoredArticle, labels: Labels) -> dict[str, Any]:
    """Per-article counts, with every label present (zero included) so columns line up across articles."""
    stance = dict.fromkeys(labels.stance, 0)
    sentiment = dict.fromkeys(labels.sentiment, 0)
    for sentence in article.sentences:
        stance[sentence.stance] += 1
        sentiment[sentence.prediction.sentiment] += 1
    return {"id": article.id, "sentences": len(article.sentences), "stance": stance, "sentiment": sentiment}


def write_jsonl(articles: Iterable[ScoredArticle], stream: TextIO, labels: Labels) -> None:
    for article in articles:
        for sentence in article.sentences:
            stream.write(json.dumps(sentence_record(article.id, sentence), ensure_ascii=False) + "\n")


def write_csv(articles: Iterable[ScoredArticle], stream: TextIO, labels: Labels) -> None:
    """The JSONL row without the per-label probability maps, which do not fit a flat table."""
    writer = csv.DictWriter(stream, CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for article in articles:
        writer.writerows(sentence_record(article.id, sentence) for sentence in article.sentences)


def write_table(articles: Iterable[ScoredArticle], stream: TextIO, labels: Labels) -> None:
    """For reading in a terminal: control characters in untrusted text are blanked so they cannot drive it."""
    width = max(len(label) for label in labels.stance)
    sentiment_width = max(len(label) for label in labels.sentiment)
    for article in articles:
        stream.write(f"== {_printable(article.id)} ==\n")
        for sentence in article.sentences:
            stream.write(
                f"{sentence.index:>4}  {sentence.stance:<{width}} {sentence.prediction.stance_score:.2f}  "
                f"{sentence.prediction.sentiment:<{sentiment_width}} {sentence.prediction.sentiment_score:.2f}  "
                f"{_shorten(_printable(sentence.text))}\n"
            )
        counts = count_labels(article, labels)
        stream.write(f"  {counts['sentences']} sentences; {_counts_line(counts['stance'])}\n")
        stream.write(f"  {_counts_line(counts['sentiment'])}\n\n")


class Totals:
    """Counts summed over a whole run, for the summary file and the HTML page footer."""

    def __init__(self, labels: Labels) -> None:
        self.articles = 0
        self.sentences = 0
        self.stance = dict.fromkeys(labels.stance, 0)
        self.sentiment = dict.fromkeys(labels.sentiment, 0)

    def add(self, counts: dict[str, Any]) -> None:
        self.articles += 1
        self.sentences += counts["sentences"]
        for label, count in counts["stance"].items():
            self.stance[label] += count
        for label, count in counts["sentiment"].items():
            self.sentiment[label] += count

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "sentences": self.sentences,
            "stance": self.stance,
            "sentiment": self.sentiment,
        }


class SummaryWriter:
    """Streams `{"articles": [...], "total": {...}}` so the summary of a huge run is never held whole."""

    def __init__(self, stream: TextIO, labels: Labels) -> None:
        self.stream = stream
        self.labels = labels
        self.totals = Totals(labels)
        self.stream.write('{"articles": [')

    def add(self, article: ScoredArticle) -> None:
        counts = count_labels(article, self.labels)
        separator = ",\n  " if self.totals.articles else "\n  "
        self.stream.write(separator + json.dumps(counts, ensure_ascii=False))
        self.totals.add(counts)

    def close(self) -> None:
        self.stream.write('\n], "total": ' + json.dumps(self.totals.as_dict()) + "}\n")


def _counts_line(counts: dict[str, int]) -> str:
    return ", ".join(f"{label} {count}" for label, count in counts.items())


def _printable(text: str) -> str:
    return "".join(char if char.isprintable() else " " for char in text)


def _shorten(text: str) -> str:
    return text if len(text) <= TABLE_TEXT_WIDTH else text[: TABLE_TEXT_WIDTH - 1] + "…"
