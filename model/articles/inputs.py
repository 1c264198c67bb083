"""Read the inputs of `newsstance score` into articles, lazily, one input's problem never stopping the rest."""

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from model.jsonl import JsonlLine, lone_surrogate_at, read_jsonl

STDIN = "-"
JSONL_SUFFIXES = (".jsonl",)
FOLDER_SUFFIX = ".txt"  # the files a folder input is read for


@dataclass(frozen=True)
class Article:
    id: str
    text: str


@dataclass(frozen=True)
class InputProblem:
    """An input that could not be read; the message names the file (and line) and what is wrong."""

    message: str


def read_inputs(paths: Sequence[str], stdin: BinaryIO | None = None) -> Iterator[Article | InputProblem]:
    """Articles in input order: text files, directories of `.txt` files, JSONL files, or `-` for stdin."""
    for path in paths:
        if path == STDIN:
            yield _text_article("stdin", (stdin or sys.stdin.buffer).read())
        elif Path(path).is_dir():
            yield from _directory(Path(path))
        elif not Path(path).exists():
            yield InputProblem(f"{path}: no such file or directory")
        elif path.lower().endswith(JSONL_SUFFIXES):
            yield from _jsonl_articles(Path(path))
        elif path.lower().endswith(".json"):  # scored as text, it would be one "sentence" of raw JSON
            yield InputProblem(
                f"{path}: a .json file is not an article input; give articles as JSON Lines (.jsonl, one "
                '{"id": ..., "text": ...} object a line) or as plain-text files'
            )
        else:
            yield _text_file(Path(path))


def would_be_read_from(folder: Path, path: Path) -> bool:
    """Whether a file written at `path` would be read as an article when `folder` is an input.

    Only the parent is resolved: writing replaces a link at `path` with a file, so its target is moot.
    """
    written = path.parent.resolve() / path.name
    return written.suffix == FOLDER_SUFFIX and written.is_relative_to(folder.resolve())


def _directory(directory: Path) -> Iterator[Article | InputProblem]:
    files = sorted(str(path) for path in directory.rglob(f"*{FOLDER_SUFFIX}") if path.is_file() or _dangling(path))
    if not files:
        yield InputProblem(f"{directory}: directory holds no .txt files")
    for path in files:
        yield _text_file(Path(path))


def _dangling(path: Path) -> bool:
    """A link to nothing, named rather than skipped (someone put it there to be read); a hidden one is an
    editor's lock file (Emacs's `.#a.txt`), not an article."""
    return path.is_symlink() and not path.exists() and not path.name.startswith(".")


def _text_file(path: Path) -> Article | InputProblem:
    try:
        data = path.read_bytes()
    except OSError as error:
        return InputProblem(f"{path}: cannot read ({error.strerror})")
    return _text_article(str(path), data)


def _text_article(name: str, data: bytes) -> Article | InputProblem:
    """Offsets count characters of the decoded text; a UTF-8 byte-order mark is not part of it."""
    if b"\x00" in data[:8192]:
        return InputProblem(f"{name}: looks like a binary file (it contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return InputProblem(f"{name}: not UTF-8 text ({error.reason} at byte {error.start})")
    if not text.strip():
        return InputProblem(f"{name}: empty file, nothing to score")
    return Article(name, text)


def _jsonl_articles(path: Path) -> Iterator[Article | InputProblem]:
    """One article per line, `{"id": ..., "text": ...}`; without an `id` the article is `FILE:LINE`."""
    seen_any = False
    try:
        for line in read_jsonl(path):
            seen_any = True
            yield _jsonl_article(path, line)
    except OSError as error:
        yield InputProblem(f"{path}: cannot read ({error.strerror})")
        return
    if not seen_any:
        yield InputProblem(f"{path}: empty file, nothing to score")


def _jsonl_article(path: Path, line: JsonlLine) -> Article | InputProblem:
    where = f"{path}:{line.number}"
    if line.problem:
        return InputProblem(f"{where}: {line.problem}")
    row = line.value
    if not isinstance(row, dict):
        return InputProblem(f'{where}: expected a JSON object like {{"id": ..., "text": ...}}')
    text = row.get("text")
    if not isinstance(text, str):
        problem = "has no 'text'" if text is None else f"'text' must be a string, not {type(text).__name__}"
        return InputProblem(f"{where}: {problem}")
    if not text.strip():
        return InputProblem(f"{where}: empty 'text', nothing to score")
    article_id = row.get("id")
    if article_id is None:
        article_id = where
    elif isinstance(article_id, int) and not isinstance(article_id, bool):
        article_id = str(article_id)
    elif not isinstance(article_id, str):  # str() would write a Python repr such as "{'a': 1}" or "True"
        return InputProblem(f"{where}: 'id' must be a string or a whole number, not {type(article_id).__name__}")
    if lone_surrogate_at(text + article_id) is not None:
        return InputProblem(f"{where}: 'text' or 'id' holds a lone surrogate escape, which is not Unicode text")
    return Article(article_id, text)
