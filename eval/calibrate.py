"""Fit one temperature per head on labelled data and store it in the model directory, where `predict` reads it."""

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import log_loss

from eval.calibration import DEFAULT_BINS, expected_calibration_error, fit_temperature
from eval.evaluate import HEADS, read_for_model
from model.classifier import StanceClassifier, softmax
from model.model_card import record_calibration


def calibrate(
    model_dir: Path, data_path: Path, bins: int = DEFAULT_BINS, device: str = "auto"
) -> dict[str, Any]:
    """Temperatures are fitted on raw logits, so calibrating twice gives the same answer as once."""
    model_dir = Path(model_dir)
    rows = read_for_model(model_dir, data_path)
    classifier = StanceClassifier.from_pretrained(model_dir, device=device)
    labels = {"stance": classifier.stance_labels, "sentiment": classifier.sentiment_labels}
    logits = dict(zip(HEADS, classifier.logits([row["text"] for row in rows])))
    result: dict[str, Any] = {"data": str(Path(data_path).resolve()), "rows": len(rows), "ece_bins": bins}
    for head in HEADS:
        keep = [i for i, row in enumerate(rows) if row.get(head) is not None]
        if not keep:
            result[head] = None
            continue
        gold_ids = np.array([labels[head].index(rows[i][head]) for i in keep])
        temperature = fit_temperature(logits[head][keep], gold_ids)
        before, after = softmax(logits[head][keep]), softmax(logits[head][keep] / temperature)
        classes = list(range(len(labels[head])))
        result[head] = {
            "rows": len(keep),
            "temperature": temperature,
            "ece_before": expected_calibration_error(before, gold_ids, bins),
            "ece_after": expected_calibration_error(after, gold_ids, bins),
            "nll_before": float(log_loss(gold_ids, before, labels=classes)),
            "nll_after": float(log_loss(gold_ids, after, labels=classes)),
        }
    _write_temperatures(model_dir, {head: result[head]["temperature"] for head in HEADS if result[head]})
    record_calibration(model_dir, result)
    return result


def _write_temperatures(model_dir: Path, temperatures: dict[str, float]) -> None:
    """Temp file and rename: a crash leaves the old config.json, never half of a new one."""
    path = model_dir / "config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    for head, temperature in temperatures.items():
        config[f"{head}_temperature"] = temperature
    handle, staging = tempfile.mkstemp(prefix=".config.json.", dir=model_dir)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(json.dumps(config, indent=2, sort_keys=True) + "\n")
        os.chmod(staging, path.stat().st_mode & 0o777)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
