"""Score a model (and optionally the baselines) on a labelled file: every number the report shows."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from eval.baselines import baselines_for
from eval.bootstrap import (
    CONFIDENCE,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    interval,
    per_class_f1_samples,
    resample_indices,
)
from eval.calibration import DEFAULT_BINS, calibration_check, expected_calibration_error, reliability_bins
from eval.labelled import check_disjoint, read_for_model, read_labelled
from eval.metrics import classification_metrics, macro_f1_labels
from model.classifier import StanceClassifier, softmax
from model.configuration import NewsStanceConfig
from model.errors import NewsStanceError
from model.labels import HEADS
from model.model_card import EvaluationHeadline, HeadHeadline
from model.storage import CALIBRATION_FILE, check_model_dir, read_train_config

COMPARED_PREFIX = "model:"  # names other models given to --compare among the systems in the report


@dataclass(frozen=True)
class Evaluation:
    metrics: dict[str, Any]
    errors: list[dict[str, Any]]


def evaluate(
    model_dir: Path,
    data_path: Path,
    train_path: Path | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    bins: int = DEFAULT_BINS,
    device: str = "auto",
    compare: Sequence[Path] = (),
) -> Evaluation:
    """Labels are checked against the model's own label sets, so a file the model cannot score fails early.

    Models in `compare` are scored on the same sentences and reported like the baselines, under
    `model:<path>`, with a paired bootstrap of the difference: the way to tell whether two models differ.
    """
    rows = read_for_model(model_dir, data_path)
    for other in compare:
        _check_same_labels(Path(model_dir), Path(other))
    classifier = StanceClassifier.from_pretrained(model_dir, device=device)
    labels = {"stance": classifier.stance_labels, "sentiment": classifier.sentiment_labels}
    texts = [row["text"] for row in rows]
    baseline_predictions = {}
    if train_path is not None:
        train_rows = read_labelled(train_path, labels["stance"], labels["sentiment"])
        check_disjoint(Path(train_path), train_rows, Path(data_path), rows)
        baseline_predictions = _baseline_predictions(train_path, train_rows, texts, labels)
    for other in compare:
        predictions = StanceClassifier.from_pretrained(other, device=device).predict(texts)
        baseline_predictions[f"{COMPARED_PREFIX}{other}"] = {
            "stance": [prediction.stance for prediction in predictions],
            "sentiment": [prediction.sentiment for prediction in predictions],
        }
    logits = dict(zip(HEADS, classifier.logits(texts, progress="evaluating")))
    temperatures = {
        "stance": classifier.config.stance_temperature,
        "sentiment": classifier.config.sentiment_temperature,
    }
    metrics: dict[str, Any] = {
        "model": str(model_dir),
        "data": str(data_path),
        "train": str(train_path) if train_path is not None else None,
        "rows": len(rows),
        "bootstrap": {"resamples": resamples, "confidence": CONFIDENCE, "seed": DEFAULT_SEED},
        "ece_bins": bins,
        "temperature_fitted_on": _calibration_data(Path(model_dir)),
        "seen_in_training": _seen_in_training(Path(model_dir), rows, labels),
    }
    errors: list[dict[str, Any]] = []
    for head in HEADS:
        keep = [i for i, row in enumerate(rows) if row.get(head) is not None]
        if not keep:
            metrics[head] = None
            continue
        gold = [rows[i][head] for i in keep]
        gold_ids = np.array([labels[head].index(label) for label in gold])
        uncalibrated = softmax(logits[head][keep])
        calibrated = softmax(logits[head][keep] / temperatures[head])
        predicted = [labels[head][j] for j in calibrated.argmax(axis=1)]
        others = {
            name: [preds[head][i] for i in keep]
            for name, preds in baseline_predictions.items()
            if preds[head]
        }
        metrics[head] = _head_metrics(gold, predicted, others, labels[head], resamples)
        metrics[head]["calibration"] = {
            "temperature": temperatures[head],
            "ece_uncalibrated": expected_calibration_error(uncalibrated, gold_ids, bins),
            **calibration_check(calibrated, gold_ids, bins),
            "reliability_uncalibrated": _bins_json(uncalibrated, gold_ids, bins),
            "reliability": _bins_json(calibrated, gold_ids, bins),
        }
        errors += _mistakes(head, [rows[i] for i in keep], gold, predicted, calibrated)
    errors.sort(key=lambda error: error["confidence"], reverse=True)
    return Evaluation(metrics, errors)


def _check_same_labels(model_dir: Path, other: Path) -> None:
    """Paired scores only mean something when both models answer with the same labels."""
    check_model_dir(other)
    ours, theirs = NewsStanceConfig.from_pretrained(model_dir), NewsStanceConfig.from_pretrained(other)
    for head in HEADS:
        if getattr(ours, f"{head}_labels") != getattr(theirs, f"{head}_labels"):
            raise NewsStanceError(
                f"--compare {other}: its {head} labels ({', '.join(getattr(theirs, f'{head}_labels'))}) differ "
                f"from {model_dir}'s ({', '.join(getattr(ours, f'{head}_labels'))})"
            )


def headline(metrics: dict[str, Any]) -> EvaluationHeadline:
    """The few numbers the model card keeps for this evaluation."""
    heads: dict[str, HeadHeadline | None] = {}
    baselines: dict[str, dict[str, float]] = {}
    for head in HEADS:
        scores = metrics[head]
        if scores is None:
            heads[head] = None
            continue
        heads[head] = HeadHeadline(
            accuracy=scores["accuracy"],
            macro_f1=scores["macro_f1"],
            macro_f1_ci=scores["macro_f1_ci"] or None,
            ece=scores["calibration"]["ece"],
            ece_verdict=scores["calibration"]["verdict"],
        )
        for name, baseline in scores["baselines"].items():
            if name.startswith(COMPARED_PREFIX):
                continue  # the card describes this model; other models have cards of their own
            baselines.setdefault(name, {})[f"{head}_macro_f1"] = baseline["macro_f1"]
    return EvaluationHeadline(rows=metrics["rows"], stance=heads["stance"], sentiment=heads["sentiment"], baselines=baselines)


def _head_metrics(
    gold: list[str], predicted: list[str], baselines: dict[str, list[str]], labels: list[str], resamples: int
) -> dict[str, Any]:
    """The model's scores with its CI, each baseline's, and the paired model-minus-baseline difference."""
    indices = resample_indices(len(gold), resamples) if resamples else None
    averaged = [labels.index(label) for label in macro_f1_labels(gold, labels)]

    def scored(system_predictions: list[str]) -> tuple[dict[str, Any], np.ndarray | None]:
        scores = classification_metrics(gold, system_predictions, labels)
        if indices is None:
            scores["macro_f1_ci"] = None
            return scores, None
        per_class = per_class_f1_samples(gold, system_predictions, labels, indices)
        for label, column in zip(labels, per_class.T):
            scores["per_class"][label]["f1_ci"] = interval(column)
        samples = per_class[:, averaged].mean(axis=1)
        scores["macro_f1_ci"] = interval(samples)
        return scores, samples

    result, model_samples = scored(predicted)
    result["baselines"] = {}
    for name, system_predictions in baselines.items():
        scores, samples = scored(system_predictions)
        difference = result["macro_f1"] - scores["macro_f1"]
        scores["model_minus_baseline"] = {
            "macro_f1": difference,
            "ci": None if samples is None else interval(model_samples - samples),
        }
        result["baselines"][name] = scores
    return result


def _baseline_predictions(
    train_path: Path, train_rows: list[dict[str, Any]], texts: list[str], labels: dict[str, list[str]]
) -> dict[str, dict[str, list[str]]]:
    """Each baseline fits each head on the training rows that carry that head's label."""
    predictions: dict[str, dict[str, list[str]]] = {}
    for name, factories in baselines_for(labels["stance"], labels["sentiment"]).items():
        predictions[name] = {}
        for head, factory in factories.items():
            labelled = [row for row in train_rows if row.get(head) is not None]
            if not labelled:
                predictions[name][head] = []
                continue
            if len({row[head] for row in labelled}) < 2:
                raise NewsStanceError(f"{train_path}: baselines need at least two different {head} labels")
            system = factory().fit([row["text"] for row in labelled], [row[head] for row in labelled])
            predictions[name][head] = [str(label) for label in system.predict(texts)]
    return predictions


def _seen_in_training(
    model_dir: Path, rows: list[dict[str, Any]], labels: dict[str, list[str]]
) -> dict[str, dict[str, Any]]:
    """How many evaluated sentences are in the files the model was trained on or picked its checkpoint with.

    Scores on those sentences flatter the model. The paths come from the model's train_config.yaml and
    are read relative to the current directory; a file that cannot be found or read is reported as such.
    """
    train_config = read_train_config(model_dir)
    texts = {row["text"].strip() for row in rows}
    found: dict[str, dict[str, Any]] = {}
    for key in ("train", "dev"):
        path = (train_config.get("data") or {}).get(key)
        if not path:
            continue
        try:
            used = read_labelled(path, labels["stance"], labels["sentiment"])
        except NewsStanceError as error:
            found[f"data.{key}"] = {"path": path, "shared": None, "why_unchecked": str(error)}
            continue
        shared = len(texts & {row["text"].strip() for row in used})
        found[f"data.{key}"] = {"path": path, "shared": shared}
    return found


def _calibration_data(model_dir: Path) -> str | None:
    """The file `newsstance calibrate` fitted the temperatures on, so the report can warn about reuse."""
    path = model_dir / CALIBRATION_FILE
    return json.loads(path.read_text(encoding="utf-8")).get("data") if path.is_file() else None


def _bins_json(probs: np.ndarray, gold_ids: np.ndarray, bins: int) -> dict[str, list]:
    table = reliability_bins(probs, gold_ids, bins)
    return {
        "edges": table.edges.tolist(),
        "counts": table.counts.tolist(),
        "confidence": [None if np.isnan(value) else float(value) for value in table.confidence],
        "accuracy": [None if np.isnan(value) else float(value) for value in table.accuracy],
    }


def _mistakes(
    head: str, rows: list[dict[str, Any]], gold: list[str], predicted: list[str], probs: np.ndarray
) -> list[dict[str, Any]]:
    return [
        {
            "head": head,
            "line": row["line"],
            **({"id": row["id"]} if "id" in row else {}),
            "text": row["text"],
            "gold": gold_label,
            "predicted": predicted_label,
            "confidence": float(row_probs.max()),
        }
        for row, gold_label, predicted_label, row_probs in zip(rows, gold, predicted, probs)
        if gold_label != predicted_label
    ]
