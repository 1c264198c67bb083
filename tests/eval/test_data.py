"""Training-data validation: every bad row is reported by file and line before training starts."""

from pathlib import Path

import pytest

from eval.labelled import DataError, check_disjoint, read_labelled
from model.labels import DEFAULT_SENTIMENT_LABELS, DEFAULT_STANCE_LABELS
from model.modeling import IGNORE_INDEX
from tests.conftest import write_jsonl
from training.data import to_dataset

STANCE, SENTIMENT = list(DEFAULT_STANCE_LABELS), list(DEFAULT_SENTIMENT_LABELS)


def read(path: Path) -> list[dict]:
    return read_labelled(path, STANCE, SENTIMENT)


def test_missing_sentiment_becomes_the_ignore_index(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "d.jsonl",
        [
            {"text": "Troops advanced.", "stance": "battlefield_report", "sentiment": "negative"},
            {"text": "The bridge is old.", "stance": "other"},
            {"text": "Talks went well.", "stance": "other", "sentiment": None},
        ],
    )
    dataset = to_dataset(read(path), STANCE, SENTIMENT)
    assert dataset["stance_labels"] == [3, 4, 4]
    assert dataset["sentiment_labels"] == [0, IGNORE_INDEX, IGNORE_INDEX]


def test_every_problem_is_listed_with_its_line_and_the_rest_counted(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    lines = [
        '{"text": "fine", "stance": "other", "sentiment": "neutral"}',
        "{not json",
        '{"text": "", "stance": "other"}',
        '{"text": 3, "stance": "other"}',
        '{"text": "x", "stance": "rumour"}',
        '{"text": "x", "stance": "other", "sentiment": "angry"}',
        '["a list"]',
        '{"stance": "other"}',
    ]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as caught:
        read(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: 7 invalid rows: line 2: not valid JSON")
    assert "line 3: empty 'text'" in message
    assert "line 5: unknown stance 'rumour'" in message
    assert "line 6: unknown sentiment 'angry'" in message
    assert "and 2 more" in message and "\n" not in message


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "d.jsonl",
        [{"id": "a", "text": "One.", "stance": "other"}, {"id": "a", "text": "Two.", "stance": "other"}],
    )
    with pytest.raises(DataError, match="line 2: duplicate id 'a' \\(first on line 1\\)"):
        read(path)


def test_empty_and_non_utf8_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("\n\n")
    with pytest.raises(DataError, match="empty.jsonl: no labelled rows"):
        read(tmp_path / "empty.jsonl")
    (tmp_path / "latin1.jsonl").write_bytes('{"text": "caf\xe9", "stance": "other"}\n'.encode("latin-1"))
    with pytest.raises(DataError, match="latin1.jsonl: not UTF-8"):
        read(tmp_path / "latin1.jsonl")


def test_csv_is_read_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('text,stance,sentiment\n"Shelling, again.",battlefield_report,negative\nHi,other,\nNo,nope,\n')
    with pytest.raises(DataError, match="line 4: unknown stance 'nope'"):
        read(path)
    path.write_text('text,stance,sentiment\n"Shelling, again.",battlefield_report,negative\nHi,other,\n')
    rows = read(path)
    assert [row["text"] for row in rows] == ["Shelling, again.", "Hi"]
    assert rows[1]["sentiment"] is None


def test_csv_blank_ids_are_no_ids_and_repeated_ids_are_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "spreadsheet.csv"  # a spreadsheet export keeps an id column nobody filled in
    path.write_text("text,stance,sentiment,id\nA,other,neutral,\nB,denial,neutral,\nC,hedge,,\n")
    assert [row["text"] for row in read(path)] == ["A", "B", "C"]
    path.write_text("text,stance,sentiment,id\nA,other,neutral,7\nB,denial,neutral,7\n")
    with pytest.raises(DataError, match=r"line 3: duplicate id '7' \(first on line 2\)"):
        read(path)


def test_a_csv_field_past_pythons_limit_is_a_line_error(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("text,stance,sentiment\nFine.,other,neutral\n\n\n" + "x" * 200_000 + ",other,neutral\n")
    with pytest.raises(DataError, match=r"big.csv: line 5: not valid CSV \(field larger than field limit"):
        read(path)


def test_sentence_in_both_train_and_dev_is_refused(tmp_path: Path) -> None:
    train = read(write_jsonl(tmp_path / "t.jsonl", [{"text": "Same  sentence.", "stance": "other"}]))
    dev_path = write_jsonl(tmp_path / "d.jsonl", [{"text": "x", "stance": "other"}, {"text": "same sentence.", "stance": "other"}])
    with pytest.raises(DataError, match="1 sentences shared with the training file: line 2: sentence also on .*t.jsonl line 1"):
        check_disjoint(tmp_path / "t.jsonl", train, dev_path, read(dev_path))
