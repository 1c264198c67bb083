"""Agreement between annotation files of the same sentences: how far labels can be trusted.

Percent agreement, Cohen's kappa (two files, scikit-learn's), Fleiss' kappa (three or more), each
label's specific agreement (how often two annotators who use the label agree on it) and a confusion
table pooled over every pair of files. Rows are matched by `id` when every row has one, else by text.
A row without a label on a head is left out of that head.
"""

from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import cohen_kappa_score

from model.errors import NewsStanceError
from model.jsonl import read_jsonl
from model.label_studio import UNLABELLED, is_label_studio_export, read_export
from model.labels import HEADS


@dataclass(frozen=True)
class Annotation:
    """One file's labels for one sentence (a head is None when the file leaves it unlabelled)."""

    line: int
    id: str | None
    text: str
    labels: dict[str, str | None]


@dataclass(frozen=True)
class HeadAgreement:
    n: int
    agreement: float  # share of sentences on which every file gives the same label
    cohen_kappa: float | None  # two files
    fleiss_kappa: float | None  # three or more files
    per_label: dict[str, float | None]  # specific agreement per label; None where no file used it
    labels: list[str]
    confusion: list[list[int]]  # rows: first file of each pair, columns: second; pooled over pairs


@dataclass(frozen=True)
class AgreementReport:
    files: list[str]
    n: int
    matched_by: str
    heads: dict[str, HeadAgreement | None]
    disagreements: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        report: dict[str, Any] = {"n": self.n, "files": self.files, "matched_by": self.matched_by}
        for head, scores in self.heads.items():
            report[head] = None if scores is None else scores.__dict__
        return report


def read_annotations(path: Path, label_sets: dict[str, list[str]]) -> list[Annotation]:
    """Every row needs a text; a label, where present, must be in the head's label set."""
    path = Path(path)
    if not path.is_file():
        raise NewsStanceError(f"{path}: file not found")
    rows: list[Annotation] = []
    try:
        lines = list(read_jsonl(path))
    except OSError as error:
        raise NewsStanceError(f"{path}: cannot read ({error.strerror})") from None
    for line in lines:
        where = f"{path}:{line.number}"
        if line.problem:
            raise NewsStanceError(f"{where}: {line.problem}")
        row = line.value
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not row["text"].strip():
            raise NewsStanceError(f"{where}: expected a JSON object with a non-empty string 'text'")
        labels = {head: row.get(head) for head in HEADS}
        _check_labels(where, labels, label_sets)
        row_id = None if row.get("id") is None else str(row["id"])
        rows.append(Annotation(line.number, row_id, row["text"], labels))
    if not rows:
        raise NewsStanceError(f"{path}: no rows (the file is empty)")
    return rows


def _check_labels(where: str, labels: dict[str, str | None], label_sets: dict[str, list[str]]) -> None:
    for head, label in labels.items():
        if label is not None and label not in label_sets[head]:
            raise NewsStanceError(f"{where}: {head} {label!r} is not in the label set ({', '.join(label_sets[head])})")


def annotation_sets(paths: list[Path], label_sets: dict[str, list[str]]) -> tuple[list[str], list[list[Annotation]], bool]:
    """(names, annotation sets, whether they came from Label Studio exports).

    A JSONL file is one annotator's set. A Label Studio export holds every annotator's work: each
    annotator (`completed_by`) becomes a set of its own, named `FILE#annotator=ID`.
    """
    names, sets, exported = [], [], []
    for path in paths:
        if is_label_studio_export(path):
            by_annotator: dict[str, list[Annotation]] = {}
            for found in read_export(path):
                if found.annotator == UNLABELLED:
                    continue
                _check_labels(f"{path}: item {found.item}", found.labels, label_sets)
                by_annotator.setdefault(found.annotator, []).append(
                    Annotation(found.item, found.task_id, found.text, found.labels)
                )
            for annotator, rows in by_annotator.items():
                names.append(f"{path}#annotator={annotator}")
                sets.append(rows)
                exported.append(True)
        else:
            names.append(str(path))
            sets.append(read_annotations(path, label_sets))
            exported.append(False)
    if any(exported) and not all(exported):
        raise NewsStanceError("agree: compare Label Studio exports with each other, or JSONL files with each other")
    return names, sets, bool(exported) and all(exported)


def agreement(paths: list[Path], label_sets: dict[str, list[str]]) -> AgreementReport:
    """Agreement of two or more annotation files (or annotators of a Label Studio export) on the same sentences.

    JSONL files must hold the same sentences. In Label Studio exports annotators need not have
    labelled every task: the tasks every annotator completed are compared, and the report's `n` says
    how many.
    """
    names, files, exported = annotation_sets(list(paths), label_sets)
    if len(files) < 2:
        raise NewsStanceError(f"agree needs at least two annotation files or annotators; found {len(files)}")
    paths = [Path(name) for name in names]
    by_id = all(row.id is not None for rows in files for row in rows)
    matched_by = "id" if by_id else "text"
    keyed = [_keyed(path, rows, by_id) for path, rows in zip(paths, files)]
    if exported:
        common = set.intersection(*(set(rows) for rows in keyed))
        keyed = [{key: row for key, row in rows.items() if key in common} for rows in keyed]
    first_path, first = paths[0], keyed[0]
    for path, rows in zip(paths[1:], keyed[1:]):
        for key, row in rows.items():
            if key not in first:
                raise NewsStanceError(f"{path}:{row.line}: {matched_by} {key!r} is not in {first_path}")
            if by_id and row.text.split() != first[key].text.split():  # same id, another sentence: not comparable
                raise NewsStanceError(
                    f"{path}:{row.line}: id {key!r} has other text than {first_path}:{first[key].line}"
                )
        for key, row in first.items():
            if key not in rows:
                raise NewsStanceError(f"{first_path}:{row.line}: {matched_by} {key!r} is not in {path}")
    keys = list(first)
    heads = {head: _head_agreement([[rows[key].labels[head] for rows in keyed] for key in keys], label_sets[head])
             for head in HEADS}
    disagreements = []
    for key in keys:
        per_file = [rows[key] for rows in keyed]
        if any(len({row.labels[head] for row in per_file if row.labels[head] is not None}) > 1 for head in HEADS):
            disagreements.append(
                {
                    **({"id": key} if by_id else {}),
                    "text": per_file[0].text,
                    "labels": {name: row.labels for name, row in zip(names, per_file)},
                }
            )
    return AgreementReport(names, len(keys), matched_by, heads, disagreements)


def _keyed(path: Path, rows: list[Annotation], by_id: bool) -> dict[str, Annotation]:
    keyed: dict[str, Annotation] = {}
    for row in rows:
        key = row.id if by_id else " ".join(row.text.split())
        if key in keyed:
            raise NewsStanceError(
                f"{path}:{row.line}: {'id' if by_id else 'text'} {key!r} repeats line {keyed[key].line}"
            )
        keyed[key] = row
    return keyed


def _head_agreement(items: list[list[str | None]], labels: list[str]) -> HeadAgreement | None:
    """`items`: per sentence, each file's label; sentences missing a label in any file are left out."""
    complete = [row for row in items if all(label is not None for label in row)]
    if not complete:
        return None
    raters = len(complete[0])
    index = {label: i for i, label in enumerate(labels)}
    ids = np.array([[index[label] for label in row] for row in complete])
    counts = np.stack([np.bincount(row, minlength=len(labels)) for row in ids])  # (items, labels)
    confusion = np.zeros((len(labels), len(labels)), dtype=int)
    for a, b in combinations(range(raters), 2):
        np.add.at(confusion, (ids[:, a], ids[:, b]), 1)
    pair_agreements = (counts * (counts - 1)).sum(axis=0)
    pair_uses = (counts * (raters - 1)).sum(axis=0)
    per_label = {
        label: (float(pair_agreements[i] / pair_uses[i]) if pair_uses[i] else None) for i, label in enumerate(labels)
    }
    return HeadAgreement(
        n=len(complete),
        agreement=float((counts.max(axis=1) == raters).mean()),
        cohen_kappa=float(cohen_kappa_score(ids[:, 0], ids[:, 1], labels=list(range(len(labels)))))
        if raters == 2
        else None,
        fleiss_kappa=fleiss_kappa(counts) if raters >= 3 else None,
        per_label=per_label,
        labels=list(labels),
        confusion=confusion.tolist(),
    )


def fleiss_kappa(counts: np.ndarray) -> float:
    """Fleiss (1971): `counts[i, j]` raters put item i in category j; every item has the same raters."""
    items, raters = counts.shape[0], int(counts[0].sum())
    p_category = counts.sum(axis=0) / (items * raters)
    p_item = ((counts * (counts - 1)).sum(axis=1)) / (raters * (raters - 1))
    observed, expected = p_item.mean(), (p_category**2).sum()
    return float((observed - expected) / (1 - expected)) if expected < 1 else 1.0
