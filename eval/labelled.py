"""Read labelled sentences (JSONL, CSV or a Label Studio JSON export) and check every row by file and line.

Evaluation, calibration, training and `agree` all read labelled files here.
"""

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from model.configuration import NewsStanceConfig
from model.csv_rows import read_csv_rows
from model.errors import NewsStanceError
from model.jsonl import read_jsonl
from model.label_studio import is_label_studio_export, training_rows
from model.sentences import sentence_key
from model.storage import check_model_dir

MAX_REPORTED_PROBLEMS = 5


class DataError(NewsStanceError):
    pass


def read_labelled(
    path: str | Path, stance_labels: Sequence[str], sentiment_labels: Sequence[str]
) -> list[dict[str, Any]]:
    """Every row is checked before any is used; the error lists the first problems and counts the rest."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    seen_ids: dict[str, int] = {}
    unit = "item" if is_label_studio_export(path) else "line"  # a Label Studio export is one JSON list
    for line_number, row, problem in _raw_rows(path):
        problem = problem or _row_problem(row, stance_labels, sentiment_labels)
        row_id = row.get("id") if isinstance(row, dict) else None
        if problem is None and row_id is not None:
            if str(row_id) in seen_ids:
                problem = f"duplicate id {row_id!r} (first on {unit} {seen_ids[str(row_id)]})"
            seen_ids[str(row_id)] = line_number
        if problem:
            problems.append(f"{unit} {line_number}: {problem}")
        else:
            rows.append({**row, "line": line_number})
    if problems:
        raise DataError(_summarise(path, problems))
    if not rows:
        raise DataError(f"{path}: no labelled rows (the file is empty)")
    return rows


def model_label_sets(model_dir: Path) -> dict[str, list[str]]:
    """A model directory's label sets per head, read from its config alone (no weights loaded)."""
    check_model_dir(Path(model_dir))
    config = NewsStanceConfig.from_pretrained(model_dir)
    return {"stance": config.stance_labels, "sentiment": config.sentiment_labels}


def read_for_model(model_dir: Path, data_path: Path) -> list[dict[str, Any]]:
    """Check the data against the model's own label sets before any weights are loaded, so bad input fails fast."""
    labels = model_label_sets(model_dir)
    return read_labelled(data_path, labels["stance"], labels["sentiment"])


def check_disjoint(train_path: Path, train: list[dict], dev_path: Path, dev: list[dict]) -> None:
    """A dev sentence that is also in train makes the dev score a lie."""
    train_texts = {sentence_key(row["text"]): row["line"] for row in train}
    problems = [
        f"line {row['line']}: sentence also on {train_path} line {train_texts[sentence_key(row['text'])]}"
        for row in dev
        if sentence_key(row["text"]) in train_texts
    ]
    if problems:
        raise DataError(_summarise(dev_path, problems, what="sentences shared with the training file"))


def _raw_rows(path: Path) -> Iterator[tuple[int, Any, str | None]]:
    try:
        if path.suffix.lower() == ".csv":
            yield from _csv_rows(path)
        elif is_label_studio_export(path):
            yield from training_rows(path)
        else:
            yield from _jsonl_rows(path)
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None


def _jsonl_rows(path: Path) -> Iterator[tuple[int, Any, str | None]]:
    for line in read_jsonl(path):
        if line.not_utf8:
            raise DataError(f"{path}: {line.problem} on line {line.number}")  # the whole file is in another encoding
        yield line.number, line.value, line.problem


def _csv_rows(path: Path) -> Iterator[tuple[int, Any, str | None]]:
    for number, row in read_csv_rows(path, ["text", "stance"], DataError):
        for column in ("sentiment", "id"):  # a blank cell is no value, as JSON's null is
            if row.get(column) == "":
                row[column] = None
        yield number, row, None


def _row_problem(
    row: Any, stance_labels: Sequence[str], sentiment_labels: Sequence[str]
) -> str | None:
    if not isinstance(row, dict):
        return "expected a JSON object with 'text' and 'stance'"
    text = row.get("text")
    if not isinstance(text, str):
        return "missing 'text'" if text is None else f"'text' must be a string, not {type(text).__name__}"
    if not text.strip():
        return "empty 'text'"
    stance = row.get("stance")
    if stance not in stance_labels:
        if stance is None:
            return "missing 'stance'"
        return f"unknown stance {stance!r} (expected one of {', '.join(stance_labels)})"
    sentiment = row.get("sentiment")
    if sentiment is not None and sentiment not in sentiment_labels:
        return f"unknown sentiment {sentiment!r} (expected one of {', '.join(sentiment_labels)} or null)"
    return None


def _summarise(path: Path, problems: list[str], what: str = "invalid rows") -> str:
    shown = "; ".join(problems[:MAX_REPORTED_PROBLEMS])
    rest = len(problems) - MAX_REPORTED_PROBLEMS
    more = f"; and {rest} more" if rest > 0 else ""
    return f"{path}: {len(problems)} {what}: {shown}{more}"

