"""`newsstance score` end to end, in process, on the tiny model: formats, offsets, and bad inputs."""

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from newsstance.cli import main

ARTICLE = (
    "Ceasefire holds in the south\r\n\r\n"
    "GENEVA — Foreign Minister Elena Varga said the U.S. had sent 3.5 tonnes of aid. "
    "Col. Idris Mansour denied the report.\r\n"
    "Résidents de Kérem: «Nous avons peur.» It was not possible to verify the claims.\n"
)


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "ceasefire.txt"
    path.write_bytes(ARTICLE.encode("utf-8"))
    return path


def score(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    """Exit code, stdout, and our stderr lines (transformers' weight-loading bar left out)."""
    code = main(["score", *args])
    captured = capsys.readouterr()
    ours = [line for line in captured.err.splitlines() if line.startswith(("newsstance:", "Traceback"))]
    return code, captured.out, "".join(line + "\n" for line in ours)


def jsonl(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_jsonl_rows_slice_the_article_exactly(capsys, tiny_model_dir: Path, article: Path) -> None:
    code, out, err = score(capsys, str(article), "--model", str(tiny_model_dir))
    rows = jsonl(out)
    assert code == 0, err
    assert [row["sentence"] for row in rows] == list(range(len(rows)))
    assert rows[0]["text"] == "Ceasefire holds in the south"
    assert any(row["text"] == "Col. Idris Mansour denied the report." for row in rows)
    for row in rows:
        assert row["id"] == str(article)
        assert ARTICLE[row["start"] : row["end"]] == row["text"]
        assert row["stance"] == row["stance_guess"] == max(row["stance_probs"], key=row["stance_probs"].get)
        assert row["stance_prob"] == row["stance_probs"][row["stance"]]
        assert sum(row["stance_probs"].values()) == pytest.approx(1.0, abs=1e-5)
        assert list(row["sentiment_probs"]) == ["negative", "neutral", "positive"]


def test_wrapped_joins_hard_wrapped_lines_and_keeps_exact_offsets(capsys, tiny_model_dir: Path, tmp_path: Path) -> None:
    text = "Shelling hit the port of\nMariupol overnight, officials\nsaid.\n\nTalks resume on Monday.\n"
    path = tmp_path / "wire.txt"
    path.write_text(text, encoding="utf-8")
    code, out, err = score(capsys, str(path), "--model", str(tiny_model_dir), "--wrapped")
    rows = jsonl(out)
    assert code == 0, err
    assert [row["text"] for row in rows] == [
        "Shelling hit the port of\nMariupol overnight, officials\nsaid.",
        "Talks resume on Monday.",
    ]
    assert all(text[row["start"] : row["end"]] == row["text"] for row in rows)
    code, out, _ = score(capsys, str(path), "--model", str(tiny_model_dir), "--format", "table", "--wrapped")
    assert "Shelling hit the port of Mariupol overnight, officials said." in out  # one line in the terminal


def test_jsonl_articles_use_their_id_or_file_and_line(capsys, tiny_model_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_text(
        json.dumps({"id": "a-1", "text": "Officials said the bridge was shelled."}) + "\n\n"
        + json.dumps({"text": "The ministry denied it. Talks go on."}) + "\n",
        encoding="utf-8",
    )
    code, out, _ = score(capsys, str(path), "--model", str(tiny_model_dir))
    assert code == 0
    assert [(row["id"], row["sentence"]) for row in jsonl(out)] == [
        ("a-1", 0), (f"{path}:3", 0), (f"{path}:3", 1),
    ]


def test_bad_inputs_are_named_and_the_rest_still_scored(capsys, tiny_model_dir: Path, tmp_path: Path, article: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait.".encode("latin-1"))
    bad_jsonl = tmp_path / "bad.jsonl"
    bad_jsonl.write_text(
        '{"text": "Fine sentence."}\n{not json\n{"id": 3}\n{"id": {"a": 1}, "text": "x"}\n{"id": 9, "text": "Cut off'
        '"}\n{"id": "a2", "text": \n',
        encoding="utf-8",
    )
    code, out, err = score(
        capsys, str(tmp_path / "missing.txt"), str(tmp_path / "empty.txt"), str(tmp_path / "binary.txt"),
        str(tmp_path / "latin1.txt"), str(bad_jsonl), str(article), "--model", str(tiny_model_dir),
    )
    assert code == 1
    errors = err.strip().splitlines()
    assert errors == [
        f"newsstance: error: {tmp_path / 'missing.txt'}: no such file or directory",
        f"newsstance: error: {tmp_path / 'empty.txt'}: empty file, nothing to score",
        f"newsstance: error: {tmp_path / 'binary.txt'}: looks like a binary file (it contains NUL bytes), not text",
        f"newsstance: error: {tmp_path / 'latin1.txt'}: not UTF-8 text (invalid continuation byte at byte 3)",
        f"newsstance: error: {bad_jsonl}:2: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        f"newsstance: error: {bad_jsonl}:3: has no 'text'",
        f"newsstance: error: {bad_jsonl}:4: 'id' must be a string or a whole number, not dict",
        f"newsstance: error: {bad_jsonl}:6: not valid JSON (Expecting value at column 22)",  # where the line stops
    ]
    assert "Traceback" not in err
    assert {row["id"] for row in jsonl(out)} == {f"{bad_jsonl}:1", "9", str(article)}


def test_directory_scores_every_txt_file_sorted(capsys, tiny_model_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text("Second article.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("First article.", encoding="utf-8")
    (tmp_path / "notes.md").write_text("Not an article.", encoding="utf-8")
    code, out, _ = score(capsys, str(tmp_path), "--model", str(tiny_model_dir))
    assert code == 0
    assert [row["id"] for row in jsonl(out)] == [str(tmp_path / "a.txt"), str(tmp_path / "b" / "two.txt")]


def test_a_json_file_and_a_dangling_link_in_a_folder_are_named_not_scored_as_text(
    capsys, tiny_model_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("First article.", encoding="utf-8")
    (folder / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    (folder / ".#a.txt").symlink_to("root@host.1234")  # an editor's lock file: no article, no error
    export = tmp_path / "arts.json"
    export.write_text('[{"id": "a", "text": "Troops shelled the town."}]', encoding="utf-8")
    code, out, err = score(capsys, str(export), str(folder), "--model", str(tiny_model_dir))
    assert code == 1
    assert err.strip().splitlines() == [
        f"newsstance: error: {export}: a .json file is not an article input; give articles as JSON Lines "
        '(.jsonl, one {"id": ..., "text": ...} object a line) or as plain-text files',
        f"newsstance: error: {folder / 'gone.txt'}: cannot read (No such file or directory)",
    ]
    assert [row["id"] for row in jsonl(out)] == [str(folder / "a.txt")]  # the good file is still scored


def test_stdin_is_one_article(capsys, monkeypatch, tiny_model_dir: Path) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Shelling resumed. Nobody was hurt.")))
    code, out, _ = score(capsys, "-", "--model", str(tiny_model_dir))
    assert code == 0
    assert [(row["id"], row["text"]) for row in jsonl(out)] == [
        ("stdin", "Shelling resumed."), ("stdin", "Nobody was hurt."),
    ]


def test_low_confidence_stance_is_uncertain_with_the_guess_kept(capsys, tiny_model_dir: Path, article: Path) -> None:
    code, out, _ = score(capsys, str(article), "--model", str(tiny_model_dir), "--min-confidence", "0.99")
    rows = jsonl(out)
    assert code == 0
    assert {row["stance"] for row in rows} == {"uncertain"}
    assert all(row["stance_guess"] in row["stance_probs"] for row in rows)


def test_csv_and_summary(capsys, tiny_model_dir: Path, article: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    output = tmp_path / "rows.csv"
    code, out, _ = score(
        capsys, str(article), "--model", str(tiny_model_dir), "--format", "csv",
        "--output", str(output), "--summary", str(summary), "--min-confidence", "0.5",
    )
    assert code == 0 and out == ""
    rows = list(csv.DictReader(output.open(encoding="utf-8", newline="")))
    assert [ARTICLE[int(row["start"]) : int(row["end"])] for row in rows] == [row["text"] for row in rows]
    counts = json.loads(summary.read_text(encoding="utf-8"))
    assert counts["total"]["sentences"] == len(rows)
    (entry,) = counts["articles"]
    assert entry["id"] == str(article)
    assert list(entry["stance"]) == [
        "official_assertion", "denial", "hedge", "battlefield_report", "other", "uncertain",
    ]
    assert sum(entry["stance"].values()) == sum(entry["sentiment"].values()) == len(rows)


def test_table_prints_rows_and_per_article_counts(capsys, tiny_model_dir: Path, article: Path) -> None:
    code, out, _ = score(capsys, str(article), "--model", str(tiny_model_dir), "--format", "table")
    assert code == 0
    assert out.startswith(f"== {article} ==\n")
    assert "Col. Idris Mansour denied the report." in out
    assert "sentences; official_assertion " in out and "negative " in out


def test_over_long_sentence_is_truncated_with_a_warning(capsys, tiny_model_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Short one. " + " ".join(["shelling"] * 200) + ".", encoding="utf-8")
    code, out, err = score(capsys, str(path), "--model", str(tiny_model_dir))
    assert code == 0
    assert len(jsonl(out)) == 2
    assert err.strip() == (
        f"newsstance: warning: {path}: sentence 1 has 403 tokens, more than the model's 64; "
        "scored its first 64 tokens only"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "/nonexistent/model"], "/nonexistent/model: no such model directory"),
        (["--min-confidence", "1.5"], "--min-confidence 1.5 must be between 0 and 1"),
        (["--output", "/nonexistent/dir/out.jsonl"], "--output /nonexistent/dir/out.jsonl: cannot write"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(capsys, tiny_model_dir: Path, article: Path, args, message) -> None:
    code, _, err = score(capsys, str(article), "--model", str(tiny_model_dir), *args)
    assert code == 2
    assert err.startswith(f"newsstance: error: {message}")
    assert len(err.strip().splitlines()) == 1
