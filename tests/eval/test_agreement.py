"""`newsstance agree`: kappa as scikit-learn computes it, Fleiss' kappa as Fleiss defined it, clear errors."""

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from eval.agreement import agreement, fleiss_kappa
from model.errors import NewsStanceError
from model.labels import DEFAULT_SENTIMENT_LABELS, DEFAULT_STANCE_LABELS
from newsstance.cli import main
from tests.conftest import write_jsonl

LABELS = {"stance": list(DEFAULT_STANCE_LABELS), "sentiment": list(DEFAULT_SENTIMENT_LABELS)}
TEXTS = [
    "The ministry said talks would resume.",
    "A spokesman denied the report.",
    "The strike may have killed dozens.",
    "Shelling hit the port overnight.",
    "The bridge was built in 1962.",
    "Troops retook the village.",
]
A = [("official_assertion", "neutral"), ("denial", "neutral"), ("hedge", "negative"),
     ("battlefield_report", "negative"), ("other", "neutral"), ("battlefield_report", "neutral")]
B = [("official_assertion", "neutral"), ("denial", "negative"), ("hedge", "negative"),
     ("battlefield_report", "negative"), ("official_assertion", None), ("other", "neutral")]
C = [("official_assertion", "neutral"), ("denial", "neutral"), ("other", "negative"),
     ("battlefield_report", "negative"), ("other", "neutral"), ("battlefield_report", "neutral")]


def annotation_file(path: Path, labels: list[tuple[str, str | None]], ids: bool = True) -> Path:
    rows = [{**({"id": f"s{i}"} if ids else {}), "text": text, "stance": stance, "sentiment": sentiment}
            for i, (text, (stance, sentiment)) in enumerate(zip(TEXTS, labels))]
    return write_jsonl(path, rows[::-1] if path.name.startswith("b") else rows)  # order must not matter


def test_two_files_give_scikit_learns_kappa_and_left_out_rows(tmp_path: Path) -> None:
    report = agreement([annotation_file(tmp_path / "a.jsonl", A), annotation_file(tmp_path / "b.jsonl", B)], LABELS)
    stance = report.heads["stance"]
    assert report.n == 6 and report.matched_by == "id"
    assert stance.agreement == pytest.approx(4 / 6)
    assert stance.cohen_kappa == pytest.approx(cohen_kappa_score([a for a, _ in A], [b for b, _ in B]))
    assert stance.fleiss_kappa is None
    assert stance.per_label["denial"] == 1.0 and stance.per_label["other"] == 0.0
    assert stance.per_label["official_assertion"] == pytest.approx(2 * 1 / (1 + 2))  # specific agreement
    sentiment = report.heads["sentiment"]
    assert sentiment.n == 5  # the row without a sentiment in b is left out of that head only
    assert sentiment.cohen_kappa == pytest.approx(
        cohen_kappa_score([a[1] for a, b in zip(A, B) if b[1]], [b[1] for b in B if b[1]])
    )
    confusion = np.array(stance.confusion)
    other, official = LABELS["stance"].index("other"), LABELS["stance"].index("official_assertion")
    assert confusion.sum() == 6 and confusion[other, official] == 1
    assert [row["id"] for row in report.disagreements] == ["s1", "s4", "s5"]


def test_three_files_give_fleiss_kappa() -> None:
    # Fleiss (1971) worked example as reproduced on Wikipedia: 10 items, 14 raters, 5 categories -> 0.210
    counts = np.array([[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                       [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]])
    assert fleiss_kappa(counts) == pytest.approx(0.210, abs=0.001)


def test_three_files_match_by_text_without_ids(tmp_path: Path) -> None:
    files = [annotation_file(tmp_path / name, labels, ids=False) for name, labels in (("a.jsonl", A), ("b.jsonl", B), ("c.jsonl", C))]
    stance = agreement(files, LABELS).heads["stance"]
    assert stance.cohen_kappa is None and stance.fleiss_kappa is not None
    assert stance.agreement == pytest.approx(3 / 6)


def test_cli_writes_agreement_and_disagreements(tmp_path: Path, capsys) -> None:
    a, b = annotation_file(tmp_path / "a.jsonl", A), annotation_file(tmp_path / "b.jsonl", B)
    assert main(["agree", str(a), str(b), "--output", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "stance: 6 sentences, agreement 66.7%, Cohen's kappa" in out
    written = json.loads((tmp_path / "out" / "agreement.json").read_text())
    assert written["n"] == 6 and written["stance"]["cohen_kappa"] == pytest.approx(
        cohen_kappa_score([x for x, _ in A], [y for y, _ in B]))
    rows = [json.loads(line) for line in (tmp_path / "out" / "disagreements.jsonl").read_text().splitlines()]
    assert rows[0]["labels"][str(a)] == {"stance": "denial", "sentiment": "neutral"}
    assert rows[0]["labels"][str(b)] == {"stance": "denial", "sentiment": "negative"}


@pytest.mark.parametrize(
    "b_rows, message",
    [
        ([{"id": "s0", "text": "x", "stance": "hedge"}, {"id": "zz", "text": "y", "stance": "hedge"}], "b.jsonl:2: id 'zz' is not in"),
        ([{"id": "s0", "text": "x", "stance": "rumour"}], "b.jsonl:1: stance 'rumour' is not in the label set"),
        ([{"id": "s0", "text": "x", "stance": "hedge"}], "a.jsonl:2: id 's1' is not in"),
        (
            [{"id": "s0", "text": "x", "stance": "hedge"}, {"id": "s1", "text": "another sentence", "stance": "other"}],
            "b.jsonl:2: id 's1' has other text than",
        ),
    ],
)
def test_mismatched_files_are_one_line_errors(tmp_path: Path, capsys, b_rows: list[dict], message: str) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [{"id": "s0", "text": "x", "stance": "hedge"}, {"id": "s1", "text": "y", "stance": "other"}])
    b = write_jsonl(tmp_path / "b.jsonl", b_rows)
    assert main(["agree", str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    with pytest.raises(NewsStanceError):
        agreement([a, b], LABELS)
