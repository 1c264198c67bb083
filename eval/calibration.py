"""How far confidence is from accuracy (ECE, reliability bins), and the temperature that closes the gap."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

DEFAULT_BINS = 15
MIN_TEMPERATURE = 0.05
MAX_TEMPERATURE = 20.0


@dataclass(frozen=True)
class ReliabilityBins:
    edges: np.ndarray
    counts: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray


def reliability_bins(probs: np.ndarray, gold_ids: np.ndarray, bins: int = DEFAULT_BINS) -> ReliabilityBins:
    """Equal-width bins on the top probability; the mean confidence and accuracy of each (NaN when empty)."""
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == gold_ids).astype(float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = _bin_ids(confidence, bins)
    counts = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(which, weights=confidence, minlength=bins) / counts
        accuracy = np.bincount(which, weights=correct, minlength=bins) / counts
    return ReliabilityBins(edges, counts, mean_confidence, accuracy)


def expected_calibration_error(probs: np.ndarray, gold_ids: np.ndarray, bins: int = DEFAULT_BINS) -> float:
    """Mean |accuracy - confidence| over bins, weighted by how many predictions fall in each."""
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == gold_ids).astype(float)
    return float(_ece_of_rows(_bin_ids(confidence, bins)[None], confidence[None], correct[None], bins)[0])


def ece_if_calibrated(probs: np.ndarray, bins: int = DEFAULT_BINS, draws: int = 1000, seed: int = 0) -> np.ndarray:
    """ECEs a perfectly calibrated model with these confidences would show on this many sentences.

    Consistency resampling (Broecker & Smith, 2007): each draw marks every prediction right with
    probability equal to its confidence, which is what calibration means, and measures ECE. On a few
    hundred sentences this is far from 0, so an observed ECE is only evidence of miscalibration when
    it lies above most of these draws.
    """
    confidence = probs.max(axis=1)
    which = _bin_ids(confidence, bins)
    rng = np.random.default_rng(seed)
    correct = (rng.random((draws, len(confidence))) < confidence).astype(float)
    shape = (draws, len(confidence))
    return _ece_of_rows(np.broadcast_to(which, shape), np.broadcast_to(confidence, shape), correct, bins)


def calibration_check(
    probs: np.ndarray, gold_ids: np.ndarray, bins: int = DEFAULT_BINS, confidence: float = 0.95
) -> dict[str, Any]:
    """ECE, and whether it is larger than a calibrated model's would be on this many sentences (and which way)."""
    calibrated_draws = ece_if_calibrated(probs, bins)
    upper = float(np.percentile(calibrated_draws, confidence * 100))
    ece = expected_calibration_error(probs, gold_ids, bins)
    mean_confidence = float(probs.max(axis=1).mean())
    accuracy = float((probs.argmax(axis=1) == gold_ids).mean())
    if ece <= upper:
        verdict = "consistent with calibration"
    else:
        verdict = "over-confident" if mean_confidence > accuracy else "under-confident"
    return {
        "ece": ece,
        "mean_confidence": mean_confidence,
        "ece_if_calibrated": {"mean": float(calibrated_draws.mean()), "upper": upper, "draws": len(calibrated_draws)},
        "verdict": verdict,
    }


def _bin_ids(confidence: np.ndarray, bins: int) -> np.ndarray:
    """Equal-width bins, right edge inclusive, so confidence 1.0 lands in the last bin."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    return np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)


def _ece_of_rows(which: np.ndarray, confidence: np.ndarray, correct: np.ndarray, bins: int) -> np.ndarray:
    """ECE of each row of (samples, rows) arrays: sum over bins of |right - confidence| in the bin, over rows."""
    samples, rows = which.shape
    flat = (np.arange(samples)[:, None] * bins + which).ravel()
    size = samples * bins
    gap = np.bincount(flat, weights=correct.ravel(), minlength=size) - np.bincount(
        flat, weights=confidence.ravel(), minlength=size
    )
    return np.abs(gap.reshape(samples, bins)).sum(axis=1) / rows


def fit_temperature(logits: np.ndarray, gold_ids: np.ndarray) -> float:
    """Minimise the NLL of softmax(logits / T) over log T, so T stays positive; argmax is unchanged."""
    logits_t = torch.as_tensor(logits, dtype=torch.float64)
    gold_t = torch.as_tensor(gold_ids, dtype=torch.long)
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.LBFGS([log_t], lr=1.0, max_iter=200, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = F.cross_entropy(logits_t / log_t.exp(), gold_t)
        loss.backward()
        return loss

    optimiser.step(closure)
    return float(np.clip(log_t.exp().item(), MIN_TEMPERATURE, MAX_TEMPERATURE))


def fit_problem(logits: np.ndarray, gold_ids: np.ndarray, temperature: float) -> str | None:
    """Why a fitted temperature calibrates nothing, or None when the fit had an optimum to find.

    If the model is right on every row, the NLL keeps falling as T falls (and rises with T if it is
    wrong on every row), so the optimiser stops wherever it gives up or at a bound, not at a minimum.
    """
    correct = logits.argmax(axis=1) == gold_ids
    if correct.all():
        return f"the model is right on all {len(gold_ids)} rows it was fitted on, so no temperature is best"
    if not correct.any():
        return f"the model is wrong on all {len(gold_ids)} rows it was fitted on, so no temperature is best"
    if temperature in (MIN_TEMPERATURE, MAX_TEMPERATURE):
        return f"the temperature stopped at its limit, {temperature:g}"
    return None


def calibration_warning(head: str, data: str | Path, problem: str) -> str:
    return f"the {head} temperature fitted on {data} calibrates nothing: {problem}; fit on more labelled rows"
