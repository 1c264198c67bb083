"""Label Studio's JSON: tasks to import (with the model's guess as a pre-annotation) and exports to read.

The labelling interface (`label_config`) has one `Text` named `text` and two single-choice questions
named after the heads, `stance` and `sentiment`, whose choices are the model's label sets. An export
is read into training rows (`text`, `stance`, `sentiment`, `id`); bad items are named by file and
item number.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from model.errors import NewsStanceError
from model.labels import HEADS

UNLABELLED = ""  # the annotator of a task that has no completed annotation
NOT_ANNOTATED = "no completed annotation (skipped, cancelled or not labelled yet)"


def label_config(stance_labels: Sequence[str], sentiment_labels: Sequence[str]) -> str:
    """The XML to paste into a Label Studio project's Labeling Interface ("Code")."""
    lines = ["<View>", '  <Text name="text" value="$text"/>']
    for name, labels in (("stance", stance_labels), ("sentiment", sentiment_labels)):
        lines.append(f'  <Header value="{name}"/>')
        lines.append(f'  <Choices name="{name}" toName="text" choice="single" required="true">')
        lines += [f"    <Choice value={quoteattr(label)}/>" for label in labels]
        lines.append("  </Choices>")
    return "\n".join(lines + ["</View>"]) + "\n"


def task(text: str, source: str, stance: str, sentiment: str, score: float, model_version: str) -> dict[str, Any]:
    """One import task: the sentence, where it came from, and the model's labels as a pre-annotation."""
    return {
        "data": {"text": text, "source": source},
        "predictions": [{
            "model_version": model_version,
            "score": score,
            "result": [
                {"from_name": head, "to_name": "text", "type": "choices", "value": {"choices": [label]}}
                for head, label in (("stance", stance), ("sentiment", sentiment))
            ],
        }],
    }


@dataclass(frozen=True)
class ExportedAnnotation:
    """One annotator's labels for one task of an export."""

    item: int  # 1-based position of the task in the export, for error messages
    task_id: str
    text: str
    annotator: str
    labels: dict[str, str | None]


def is_label_studio_export(path: Path) -> bool:
    return Path(path).suffix.lower() == ".json"


def read_export(path: Path) -> list[ExportedAnnotation]:
    """Every completed (not cancelled) annotation of every task, in export order."""
    path = Path(path)
    try:
        tasks = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as error:
        raise NewsStanceError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise NewsStanceError(f"{path}: not a Label Studio JSON export (line {error.lineno}: {error.msg})") from None
    if not isinstance(tasks, list):
        raise NewsStanceError(f"{path}: a Label Studio JSON export is a list of tasks")
    found = []
    for item, entry in enumerate(tasks, start=1):
        where = f"{path}: item {item}"
        if not isinstance(entry, dict) or not isinstance(entry.get("data"), dict):
            hint = "; export as JSON, not JSON-MIN" if isinstance(entry, dict) and "text" in entry else ""
            raise NewsStanceError(f"{where}: expected a task with a 'data' object{hint}")
        text = entry["data"].get("text")
        if not isinstance(text, str) or not text.strip():
            raise NewsStanceError(f"{where}: data.text is missing or empty")
        task_id = str(entry.get("id", item))
        completed = [a for a in entry.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
        for annotation in completed:
            labels = _choices(annotation.get("result") or [], where)
            found.append(ExportedAnnotation(item, task_id, text, str(annotation.get("completed_by", "")), labels))
        if not completed:  # kept, unlabelled, so readers can name it rather than skip it
            found.append(ExportedAnnotation(item, task_id, text, UNLABELLED, dict.fromkeys(HEADS)))
    return found


def _choices(result: list[Any], where: str) -> dict[str, str | None]:
    labels: dict[str, str | None] = dict.fromkeys(HEADS)
    for region in result:
        if not isinstance(region, dict) or region.get("from_name") not in HEADS:
            continue
        head, value = region["from_name"], region.get("value")
        picked = value.get("choices") if isinstance(value, dict) else None
        if not isinstance(picked, list) or len(picked) != 1 or not isinstance(picked[0], str):
            shown = picked if isinstance(value, dict) else value
            raise NewsStanceError(f"{where}: {head} needs exactly one choice, got {shown!r}")
        if labels[head] is not None:
            raise NewsStanceError(f"{where}: {head} is answered twice in one annotation ({labels[head]!r}, {picked[0]!r})")
        labels[head] = picked[0]
    return labels


def training_rows(path: Path) -> list[tuple[int, dict[str, Any], str | None]]:
    """(item, row, problem) per task, from its first completed annotation.

    Tasks are told apart by their place in the export, not their id, so two tasks sharing an id (two
    projects' exports merged) both reach the reader's duplicate-id check instead of one vanishing.
    """
    first: dict[int, ExportedAnnotation] = {}
    for annotation in read_export(path):
        first.setdefault(annotation.item, annotation)
    return [
        (
            annotation.item,
            {"id": annotation.task_id, "text": annotation.text, **annotation.labels},
            NOT_ANNOTATED if annotation.annotator == UNLABELLED else None,
        )
        for annotation in first.values()
    ]
