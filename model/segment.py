"""Cut an article into sentences whose offsets slice the original string exactly.

pysbd decides where sentences end (benchmarks/segmenter_choice.py shows why pysbd and not syntok:
it never cut after titles such as "Lt." or "Gov." in news text). Its own spans can skip text it
failed to find again, so only its cut points are used and the article is re-partitioned at them:
every non-whitespace character lands in exactly one sentence. A line break always ends a sentence
(pysbd does this too), so each line is segmented on its own, which keeps long articles linear.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pysbd


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """Sentences in order, each stripped of surrounding whitespace, with `text[start:end] == sentence`."""
    sentences = []
    line_start = 0
    for line in text.splitlines(keepends=True):
        for start, end in _line_spans(line):
            sentences.append(Sentence(line_start + start, line_start + end, line[start:end]))
        line_start += len(line)
    return sentences


def _line_spans(line: str) -> Iterator[tuple[int, int]]:
    if not line.strip():
        return
    cuts = sorted({0, len(line), *(span.start for span in _segmenter().segment(line))})
    for piece_start, piece_end in zip(cuts, cuts[1:]):
        piece = line[piece_start:piece_end]
        stripped = piece.strip()
        if stripped:
            start = piece_start + len(piece) - len(piece.lstrip())
            yield start, start + len(stripped)


@cache
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)
