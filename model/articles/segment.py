"""Cut an article into sentences whose offsets slice the original string exactly.

pysbd decides where sentences end (benchmarks/segmenter_choice.py shows why pysbd and not syntok:
it never cut after titles such as "Lt." or "Gov." in news text). Its own spans can skip text it
failed to find again, so only its cut points are used and the article is re-partitioned at them:
every non-whitespace character lands in exactly one sentence. By default a line break always ends a
sentence (pysbd does this too), so each line is segmented on its own, which keeps long articles
linear. Hard-wrapped text (wire feeds, e-mail, text pulled from PDFs) breaks lines inside sentences;
with `wrapped=True` a single line break is read as a space and only a blank line ends a paragraph.
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


def split_sentences(text: str, wrapped: bool = False) -> list[Sentence]:
    """Sentences in order, each stripped of surrounding whitespace, with `text[start:end] == sentence`.

    With `wrapped`, a sentence may span lines, so its text keeps the original line breaks inside it.
    """
    sentences = []
    for block_start, block in _paragraphs(text) if wrapped else _lines(text):
        for start, end in _block_spans(block):
            sentences.append(Sentence(block_start + start, block_start + end, block[start:end]))
    return sentences


def _lines(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.splitlines(keepends=True):
        yield offset, line
        offset += len(line)


def _paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """Runs of non-blank lines, with their offsets; blank lines separate them."""
    start = None
    for offset, line in _lines(text):
        if line.strip():
            start = offset if start is None else start
        elif start is not None:
            yield start, text[start:offset]
            start = None
    if start is not None:
        yield start, text[start:]


def _block_spans(block: str) -> Iterator[tuple[int, int]]:
    if not block.strip():
        return
    # Line breaks become spaces of the same length, so pysbd's cut points index the original block.
    flat = block.translate(_LINE_BREAKS_TO_SPACES)
    cuts = sorted({0, len(block), *(span.start for span in _segmenter().segment(flat))})
    for piece_start, piece_end in zip(cuts, cuts[1:]):
        piece = block[piece_start:piece_end]
        stripped = piece.strip()
        if stripped:
            start = piece_start + len(piece) - len(piece.lstrip())
            yield start, start + len(stripped)


_LINE_BREAKS_TO_SPACES = str.maketrans({character: " " for character in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"})


@cache
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)
