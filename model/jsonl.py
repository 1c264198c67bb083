"""The one JSON Lines reader: training, evaluation, scoring, suggest and agree read files through it.

Every reader gets the same rules: UTF-8 with an optional byte-order mark, blank lines skipped, line
numbers counted from 1, and the same wording for a line that is not UTF-8 or not JSON, so a file that
one command accepts is never refused by another.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.errors import NewsStanceError


@dataclass(frozen=True)
class JsonlLine:
    """One non-blank line: its parsed value, or the problem that kept it from parsing."""

    number: int
    value: Any = None
    problem: str | None = None
    not_utf8: bool = False  # the file is in another encoding: callers may refuse the whole file


def read_jsonl(path: str | Path) -> Iterator[JsonlLine]:
    """Lines as they are read; an unreadable file raises OSError for the caller to name."""
    with Path(path).open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if raw.strip():
                yield parse_line(number, raw)


def parse_line(number: int, raw: bytes) -> JsonlLine:
    try:
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as error:
        return JsonlLine(number, problem=f"not UTF-8 text ({error.reason} at byte {error.start})", not_utf8=True)
    try:
        return JsonlLine(number, value=json.loads(text.rstrip("\r\n")))  # else a cut-off line's column is 1 of the next
    except json.JSONDecodeError as error:
        return JsonlLine(number, problem=f"not valid JSON ({error.msg} at column {error.colno})")


def read_texts(path: str | Path) -> Iterator[tuple[int, str]]:
    """(line number, "text") of each row, other fields ignored: the shape every unlabelled-sentence file has.

    A line that is not JSON, or has no string "text", raises NewsStanceError naming the file and line.
    """
    for line in read_jsonl(path):
        if line.problem:
            raise NewsStanceError(f"{path}:{line.number}: {line.problem}")
        text = line.value.get("text") if isinstance(line.value, dict) else None
        if not isinstance(text, str):
            raise NewsStanceError(f"{path}:{line.number}: expected a JSON object with a string \"text\"")
        yield line.number, text


def lone_surrogate_at(text: str) -> int | None:
    """Where the first lone UTF-16 surrogate is (JSON's "\\ud800" escape decodes to one), else None.

    No tokenizer or UTF-8 writer accepts one, so the readers and the server refuse such text up front.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return error.start
    return None
