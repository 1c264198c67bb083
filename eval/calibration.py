"""How far confidence is from accuracy (ECE, reliability bins), and the temperature that closes the gap."""

from dataclasses import dataclass

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
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(which, weights=confidence, minlength=bins) / counts
        accuracy = np.bincount(which, weights=correct, minlength=bins) / counts
    return ReliabilityBins(edges, counts, mean_confidence, accuracy)


def expected_calibration_error(probs: np.ndarray, gold_ids: np.ndarray, bins: int = DEFAULT_BINS) -> float:
    """Mean |accuracy - confidence| over bins, weighted by how many predictions fall in each."""
    table = reliability_bins(probs, gold_ids, bins)
    filled = table.counts > 0
    gaps = np.abs(table.accuracy[filled] - table.confidence[filled])
    return float((gaps * table.counts[filled]).sum() / table.counts.sum())


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
