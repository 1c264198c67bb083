"""The one CSV reader: training and evaluation data and suggest's pools read `.csv` files through it.

Both get the same rules, so a CSV that one command accepts is never refused by another: UTF-8 with an
optional byte-order mark, a header row that must hold the named columns, and a one-line error naming
the physical line for a field Python's csv module cannot read (an over-long field), header included.
"""

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

from model.errors import NewsStanceError


def read_csv_rows(
    path: Path, required: Sequence[str], error: type[NewsStanceError] = NewsStanceError
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) pairs; the line is where the row ends, as a spreadsheet user would look for it."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            try:
                if reader.fieldnames is None:
                    return
                missing = [column for column in required if column not in reader.fieldnames]
                if missing:
                    needed = " and ".join(repr(column) for column in required)
                    plural = "s" if len(required) > 1 else ""
                    raise error(f"{path}: line {reader.line_num}: the CSV header needs column{plural} {needed}")
                for row in reader:
                    yield reader.line_num, row
            except csv.Error as problem:
                raise error(f"{path}: line {reader.reader.line_num}: not valid CSV ({problem})") from None
    except UnicodeDecodeError as problem:
        raise error(f"{path}: not UTF-8 text ({problem.reason} at byte {problem.start})") from None
