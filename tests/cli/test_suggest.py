"""`newsstance suggest`: the sentences the model is least sure about, first, in training JSONL shape."""

import json
from pathlib import Path

import numpy as np
import pytest

from model import StanceClassifier
from model.errors import NewsStanceError
from model.suggest import read_pool, uncertainty
from newsstance.cli import main

POOL = [
    "The ministry said the talks would resume on Monday.",
    "A spokesman denied the report.",
    "Officials said the convoy may have been carrying fuel.",
    "Two villages were shelled overnight.",
    "The bridge was built in 1962.",
    "A spokesman denied the report.",
]


def suggest(capsys, *args: str) -> tuple[int, list[dict], str]:
    code = main(["suggest", *args])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


@pytest.mark.parametrize("by", ["entropy", "margin"])
def test_most_uncertain_distinct_sentences_come_first(capsys, tiny_model_dir: Path, tmp_path: Path, by: str) -> None:
    pool = tmp_path / "pool.txt"
    pool.write_text("\n".join(POOL) + "\n\n", encoding="utf-8")
    code, rows, _ = suggest(capsys, "--model", str(tiny_model_dir), "--pool", str(pool), "-n", "10", "--by", by)
    assert code == 0
    assert sorted(row["text"] for row in rows) == sorted(set(POOL))
    assert [row["uncertainty"] for row in rows] == sorted((row["uncertainty"] for row in rows), reverse=True)
    probs = StanceClassifier.from_pretrained(tiny_model_dir, device="cpu").predict_proba([rows[0]["text"]])
    assert rows[0]["uncertainty"] == pytest.approx(float(uncertainty(probs["stance"], by)[0]), abs=1e-6)
    for row in rows:
        assert row["stance"] is None and row["sentiment"] is None
        assert row["source"].startswith(f"{pool}:")


def test_jsonl_pool_and_output_file(capsys, tiny_model_dir: Path, tmp_path: Path) -> None:
    pool = tmp_path / "pool.jsonl"
    pool.write_text("".join(json.dumps({"text": text, "id": i}) + "\n" for i, text in enumerate(POOL)), encoding="utf-8")
    output = tmp_path / "to_label.jsonl"
    code, rows, _ = suggest(capsys, "--model", str(tiny_model_dir), "--pool", str(pool), "-n", "2", "--output", str(output))
    assert code == 0 and rows == []
    written = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(written) == 2
    assert set(written[0]) >= {"text", "stance", "sentiment", "uncertainty"}


def test_uncertainty_is_highest_for_a_flat_distribution() -> None:
    probs = np.array([[0.2, 0.2, 0.2, 0.2, 0.2], [0.96, 0.01, 0.01, 0.01, 0.01], [0.5, 0.5, 0.0, 0.0, 0.0]])
    assert np.argsort(-uncertainty(probs, "entropy")).tolist() == [0, 2, 1]
    assert uncertainty(probs, "margin")[[0, 2]].tolist() == [1.0, 1.0]


def test_bad_pool_line_is_one_line_error(capsys, tiny_model_dir: Path, tmp_path: Path) -> None:
    pool = tmp_path / "pool.jsonl"
    pool.write_text('{"text": "fine"}\n{"txt": "no text"}\n', encoding="utf-8")
    code, _, err = suggest(capsys, "--model", str(tiny_model_dir), "--pool", str(pool), "-n", "1")
    assert code == 2
    assert err.splitlines()[-1] == f"newsstance: error: {pool}:2: expected a JSON object with a string \"text\""


def test_plain_pool_keeps_line_numbers(tmp_path: Path) -> None:
    pool = tmp_path / "pool.txt"
    pool.write_text("First.\n\n  Second.  \n", encoding="utf-8")
    assert [(s.text, s.source) for s in read_pool(pool)] == [("First.", f"{pool}:1"), ("Second.", f"{pool}:3")]


def test_a_csv_pool_names_its_rows_and_a_field_past_pythons_limit(capsys, tiny_model_dir: Path, tmp_path: Path) -> None:
    pool = tmp_path / "pool.csv"
    pool.write_text('text,note\nFirst.,a\n"Two\nlines.",b\n', encoding="utf-8")
    assert [(s.text, s.source) for s in read_pool(pool)] == [("First.", f"{pool}:2"), ("Two\nlines.", f"{pool}:4")]
    pool.write_text("text\nFine.\n\n\n" + "x" * 200_000 + "\n", encoding="utf-8")
    code, _, err = suggest(capsys, "--model", str(tiny_model_dir), "--pool", str(pool), "-n", "1")
    assert code == 2
    assert err.splitlines()[-1].startswith(f"newsstance: error: {pool}: line 5: not valid CSV (field larger than")
    pool.write_text("x" * 200_000 + ",text\nFine.\n", encoding="utf-8")  # the header row too
    with pytest.raises(NewsStanceError, match=r"pool.csv: line 1: not valid CSV \(field larger than"):
        list(read_pool(pool))
    pool.write_text("sentence\nFine.\n", encoding="utf-8")
    with pytest.raises(NewsStanceError, match=r"pool.csv: line 1: the CSV header needs column 'text'$"):
        list(read_pool(pool))


@pytest.mark.parametrize("labelled_format", ["label-studio", "csv"])
def test_labelled_sentences_in_an_export_or_csv_are_not_suggested_again(
    capsys, tiny_model_dir: Path, tmp_path: Path, labelled_format: str
) -> None:
    """The natural second round: what was labelled in Label Studio (or a spreadsheet) is left out."""
    pool = tmp_path / "pool.txt"
    pool.write_text("\n".join(POOL) + "\n", encoding="utf-8")
    done = POOL[:2]
    if labelled_format == "label-studio":
        labelled = tmp_path / "export.json"
        answer = {"result": [{"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["other"]}}]}
        labelled.write_text(json.dumps([{"id": i, "data": {"text": text}, "annotations": [answer, answer]}  # two annotators
                                        for i, text in enumerate(done)]), encoding="utf-8")
    else:
        labelled = tmp_path / "done.csv"
        labelled.write_text("text,stance\n" + "".join(f'"{text}",other\n' for text in done), encoding="utf-8")
    code, rows, err = suggest(capsys, "--model", str(tiny_model_dir), "--pool", str(pool), "-n", "10",
                              "--labelled", str(labelled))
    assert code == 0
    assert {row["text"] for row in rows} == set(POOL) - set(done)
    assert f"note: {len(rows)} of the 10 asked for" in err


def test_a_missing_labelled_file_is_named_by_its_own_option(capsys, tiny_model_dir: Path, tmp_path: Path) -> None:
    pool = tmp_path / "pool.txt"
    pool.write_text("\n".join(POOL) + "\n", encoding="utf-8")
    code, _, err = suggest(capsys, "--model", str(tiny_model_dir), "--pool", str(pool), "-n", "1",
                           "--labelled", str(tmp_path / "nothere.jsonl"))
    assert code == 2 and err.splitlines()[-1] == f"newsstance: error: --labelled {tmp_path / 'nothere.jsonl'}: no such file"


def test_diverse_skips_labelled_sentences_and_near_duplicates(capsys, tiny_model_dir: Path, tmp_path: Path) -> None:
    pool = tmp_path / "pool.txt"
    near_copies = ["Shelling hit the port of Odesa overnight.", "Shelling hit the port of Odesa overnight !"]
    pool.write_text("\n".join(POOL + near_copies) + "\n", encoding="utf-8")
    labelled = tmp_path / "done.jsonl"
    labelled.write_text(json.dumps({"text": "The bridge was built in 1962.", "stance": "other"}) + "\n", encoding="utf-8")
    code, rows, _ = suggest(capsys, "--model", str(tiny_model_dir), "--pool", str(pool), "-n", "10",
                            "--by", "diverse", "--labelled", str(labelled))
    texts = [row["text"] for row in rows]
    assert code == 0
    assert "The bridge was built in 1962." not in texts  # already labelled
    assert len(set(texts)) == len(texts) and sum(text in near_copies for text in texts) == 1  # one of the near-copies
    assert set(texts) <= set(POOL + near_copies)


def test_diverse_spreads_where_uncertainty_alone_would_cluster() -> None:
    from model.suggest import PoolSentence, suggest

    class Fixed:
        """Two tight clusters; the first is more uncertain. Entropy alone would take both picks from it."""

        stance_labels = ["a", "b"]
        sentiment_labels = ["x", "y"]

        def predict_proba(self, texts, batch_size):  # noqa: ANN001
            probs = np.array([[0.5, 0.5] if t.startswith("u") else [0.8, 0.2] for t in texts])
            return {"stance": probs, "sentiment": probs}

        def embeddings(self, texts, batch_size):  # noqa: ANN001
            vectors = np.array([[1.0, 0.01 * i] if t.startswith("u") else [0.0, 1.0 + 0.01 * i] for i, t in enumerate(texts)])
            return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    pool = [PoolSentence(text, f"p:{i}") for i, text in enumerate(["u1", "u2", "u3", "c1", "c2"])]
    by_entropy = suggest(Fixed(), iter(pool), 2, "entropy")
    diverse = suggest(Fixed(), iter(pool), 2, "diverse")
    assert {s.text[0] for s in by_entropy} == {"u"}
    assert [s.text[0] for s in diverse] == ["u", "c"]


def test_label_studio_tasks_carry_the_models_guess(capsys, tiny_model_dir: Path, tmp_path: Path) -> None:
    pool = tmp_path / "pool.txt"
    pool.write_text("\n".join(POOL) + "\n", encoding="utf-8")
    assert main(["suggest", "--model", str(tiny_model_dir), "--pool", str(pool), "-n", "3", "--format", "label-studio"]) == 0
    tasks = json.loads(capsys.readouterr().out)
    assert len(tasks) == 3
    classifier = StanceClassifier.from_pretrained(tiny_model_dir, device="cpu")
    for task in tasks:
        (prediction,) = classifier.predict([task["data"]["text"]])
        result = {region["from_name"]: region["value"]["choices"] for region in task["predictions"][0]["result"]}
        assert result == {"stance": [prediction.stance], "sentiment": [prediction.sentiment]}
        assert task["data"]["source"].startswith(str(pool))
