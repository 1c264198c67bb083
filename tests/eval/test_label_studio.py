"""Label Studio exports read directly by training/evaluation (eval.labelled) and by `newsstance agree`."""

import json
import re
from pathlib import Path

import pytest

from eval.agreement import agreement
from eval.labelled import read_labelled
from model.errors import NewsStanceError
from model.label_studio import label_config
from model.labels import DEFAULT_SENTIMENT_LABELS, DEFAULT_STANCE_LABELS
from newsstance.cli import main

LABELS = {"stance": list(DEFAULT_STANCE_LABELS), "sentiment": list(DEFAULT_SENTIMENT_LABELS)}


def annotation(annotator: int, stance: str, sentiment: str | None = None, cancelled: bool = False) -> dict:
    result = [{"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": [stance]}}]
    if sentiment:
        result.append({"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": [sentiment]}})
    return {"completed_by": annotator, "was_cancelled": cancelled, "result": result}


def export(path: Path, tasks: list[tuple[str, list[dict]]]) -> Path:
    path.write_text(json.dumps([{"id": 10 + i, "data": {"text": text}, "annotations": annotations}
                                for i, (text, annotations) in enumerate(tasks)]), encoding="utf-8")
    return path


def test_an_export_reads_as_training_rows(tmp_path: Path) -> None:
    path = export(tmp_path / "export.json", [
        ("A spokesman denied it.", [annotation(1, "denial", "neutral"), annotation(2, "hedge", "neutral")]),
        ("Shelling hit the port.", [annotation(1, "other", cancelled=True), annotation(2, "battlefield_report")]),
    ])
    rows = read_labelled(path, LABELS["stance"], LABELS["sentiment"])
    assert [(row["id"], row["stance"], row["sentiment"]) for row in rows] == [
        ("10", "denial", "neutral"),  # the first completed annotation
        ("11", "battlefield_report", None),  # cancelled ones are not annotations; no sentiment teaches stance only
    ]


@pytest.mark.parametrize(
    "tasks, message",
    [
        ([("Shelling hit the port.", [])], "export.json: 1 invalid rows: item 1: no completed annotation (skipped"),
        ([("Shelling hit the port.", [annotation(1, "rumour")])], "item 1: unknown stance 'rumour'"),
        ([("", [annotation(1, "other")])], "export.json: item 1: data.text is missing or empty"),
    ],
)
def test_bad_exports_are_named_by_file_and_item(tmp_path: Path, tasks: list, message: str) -> None:
    with pytest.raises(NewsStanceError, match=re.escape(message)):
        read_labelled(export(tmp_path / "export.json", tasks), LABELS["stance"], LABELS["sentiment"])


def test_a_json_min_export_is_told_to_use_the_full_json(tmp_path: Path) -> None:
    path = tmp_path / "min.json"
    path.write_text(json.dumps([{"id": 1, "text": "Talks may resume.", "stance": "hedge"}]), encoding="utf-8")
    with pytest.raises(NewsStanceError, match=re.escape("item 1: expected a task with a 'data' object; export as JSON, not JSON-MIN")):
        read_labelled(path, LABELS["stance"], LABELS["sentiment"])


def test_a_malformed_answer_is_named_not_a_traceback(tmp_path: Path) -> None:
    bare_value = {"completed_by": 1, "result": [{"from_name": "stance", "type": "choices", "value": "hedge"}]}
    twice = annotation(1, "hedge")
    twice["result"] = twice["result"] + annotation(1, "denial")["result"]
    for answer, message in [
        (bare_value, "item 1: stance needs exactly one choice, got 'hedge'"),
        (twice, "item 1: stance is answered twice in one annotation ('hedge', 'denial')"),
    ]:
        path = export(tmp_path / "export.json", [("Talks may resume.", [answer])])
        with pytest.raises(NewsStanceError, match=re.escape(message)):
            read_labelled(path, LABELS["stance"], LABELS["sentiment"])


def test_tasks_sharing_an_id_are_refused_not_dropped(tmp_path: Path) -> None:
    """Two projects' exports merged: both tasks must reach the duplicate check, not one vanish."""
    path = export(tmp_path / "export.json", [
        ("A spokesman denied it.", [annotation(1, "denial")]),
        ("Shelling hit the port.", [annotation(1, "battlefield_report")]),
    ])
    tasks = json.loads(path.read_text(encoding="utf-8"))
    tasks[1]["id"] = str(tasks[0]["id"])  # "10" and 10: one id to a reader
    path.write_text(json.dumps(tasks), encoding="utf-8")
    with pytest.raises(NewsStanceError, match=re.escape("item 2: duplicate id '10' (first on item 1)")):
        read_labelled(path, LABELS["stance"], LABELS["sentiment"])


def test_agree_compares_the_annotators_of_one_export(tmp_path: Path, capsys) -> None:
    path = export(tmp_path / "export.json", [
        ("A spokesman denied it.", [annotation(1, "denial", "neutral"), annotation(2, "denial", "negative")]),
        ("Shelling hit the port.", [annotation(1, "battlefield_report", "negative"), annotation(2, "battlefield_report", "negative")]),
        ("Talks may resume.", [annotation(1, "hedge", "neutral"), annotation(2, "other", "neutral")]),
        ("Only one annotator did this.", [annotation(1, "other", "neutral")]),
    ])
    report = agreement([path], LABELS)
    assert report.n == 3  # tasks every annotator completed
    assert report.heads["stance"].agreement == pytest.approx(2 / 3)
    assert main(["agree", str(path)]) == 0
    assert "stance: 3 sentences, agreement 66.7%" in capsys.readouterr().out


def test_the_label_config_names_both_heads_and_every_label() -> None:
    xml = label_config(LABELS["stance"], LABELS["sentiment"])
    assert '<Choices name="stance" toName="text" choice="single"' in xml and '<Choice value="battlefield_report"/>' in xml
    assert '<Choices name="sentiment"' in xml and '<Text name="text" value="$text"/>' in xml
