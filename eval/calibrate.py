"""Fit one temperature per head on labelled data and store it in the model directory, where `predict` reads it."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import log_loss

from eval.calibration import DEFAULT_BINS, expected_calibration_error, fit_problem, fit_temperature
from eval.labelled import read_for_model
from eval.word_dropout import DEFAULT_RATES, drop_words, is_rate
from model.classifier import StanceClassifier, softmax
from model.errors import NewsStanceError
from model.labels import HEADS
from model.model_card import CalibrationRecord, HeadCalibration, record_calibration


def calibrate(
    model_dir: Path,
    data_path: Path,
    bins: int = DEFAULT_BINS,
    device: str = "auto",
    word_dropout: Sequence[float] = DEFAULT_RATES,
) -> CalibrationRecord:
    """Temperatures are fitted on raw logits, so calibrating twice gives the same answer as once.

    The fit pools the dev rows at every `word_dropout` rate (see eval/word_dropout.py); `(0,)` is
    plain temperature scaling. ECE and NLL before and after are reported on the unperturbed rows.
    """
    model_dir = Path(model_dir)
    rates = _check_rates(word_dropout)
    rows = read_for_model(model_dir, data_path)
    classifier = StanceClassifier.from_pretrained(model_dir, device=device)
    labels = {"stance": classifier.stance_labels, "sentiment": classifier.sentiment_labels}
    texts = [row["text"] for row in rows]
    logits_at = {  # rate 0 always: ECE and NLL before and after are reported on the clean rows
        rate: dict(zip(HEADS, classifier.logits(drop_words(texts, rate), progress=f"calibrating ({rate:g})")))
        for rate in sorted({0.0, *rates})
    }
    logits = logits_at[0.0]
    fitted: dict[str, HeadCalibration | None] = {}
    for head in HEADS:
        keep = [i for i, row in enumerate(rows) if row.get(head) is not None]
        if not keep:
            fitted[head] = None
            continue
        gold_ids = np.array([labels[head].index(rows[i][head]) for i in keep])
        fit_logits = np.concatenate([logits_at[rate][head][keep] for rate in rates])
        fit_gold = np.tile(gold_ids, len(rates))
        temperature = fit_temperature(fit_logits, fit_gold)
        before, after = softmax(logits[head][keep]), softmax(logits[head][keep] / temperature)
        classes = list(range(len(labels[head])))
        fitted[head] = HeadCalibration(
            rows=len(keep),
            accuracy_at_word_dropout={
                str(rate): float((logits_at[rate][head][keep].argmax(axis=1) == gold_ids).mean()) for rate in rates
            },
            temperature=temperature,
            ece_before=expected_calibration_error(before, gold_ids, bins),
            ece_after=expected_calibration_error(after, gold_ids, bins),
            nll_before=float(log_loss(gold_ids, before, labels=classes)),
            nll_after=float(log_loss(gold_ids, after, labels=classes)),
            problem=fit_problem(fit_logits, fit_gold, temperature),
        )
    result = CalibrationRecord(
        data=str(Path(data_path).resolve()),
        rows=len(rows),
        ece_bins=bins,
        word_dropout=list(rates),
        stance=fitted["stance"],
        sentiment=fitted["sentiment"],
    )
    record_calibration(model_dir, result)
    return result


def _check_rates(rates: Sequence[float]) -> tuple[float, ...]:
    """Distinct rates in [0, 1), sorted; a bad value is the user's to fix, so it is a NewsStanceError."""
    if not rates:
        raise NewsStanceError("--word-dropout needs at least one rate, e.g. 0 for plain temperature scaling")
    for rate in rates:
        if not is_rate(rate):
            raise NewsStanceError(f"--word-dropout {rate}: each rate is a share of words to delete, in [0, 1)")
    return tuple(sorted(set(rates)))
