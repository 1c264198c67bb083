"""ECE on cases small enough to check by eye, and temperature scaling recovering a known temperature."""

import numpy as np
import pytest

from eval.calibration import (
    MAX_TEMPERATURE,
    MIN_TEMPERATURE,
    calibration_check,
    ece_if_calibrated,
    expected_calibration_error,
    fit_problem,
    fit_temperature,
    reliability_bins,
)
from model.classifier import softmax


def test_ece_of_a_known_case() -> None:
    # Four predictions at confidence 0.9 (3 right) and two at 0.6 (both wrong).
    probs = np.array([[0.9, 0.1]] * 4 + [[0.6, 0.4]] * 2)
    gold = np.array([0, 0, 0, 1, 1, 1])
    # bin of 0.9: |0.75 - 0.9| * 4/6; bin of 0.6: |0.0 - 0.6| * 2/6
    assert expected_calibration_error(probs, gold) == pytest.approx(0.15 * 4 / 6 + 0.6 * 2 / 6)


def test_ece_is_zero_when_confidence_equals_accuracy() -> None:
    probs = np.array([[0.5, 0.5]] * 4 + [[1.0, 0.0]] * 2)
    gold = np.array([0, 1, 0, 1, 0, 0])
    assert expected_calibration_error(probs, gold) == pytest.approx(0.0)


def test_reliability_bins_count_every_prediction_once() -> None:
    probs = softmax(np.random.default_rng(0).normal(size=(200, 4)))
    table = reliability_bins(probs, np.zeros(200, dtype=int), bins=15)
    assert table.counts.sum() == 200
    assert len(table.edges) == 16


@pytest.mark.parametrize("true_temperature", [0.5, 2.5])
def test_fit_temperature_recovers_the_temperature_that_generated_the_labels(true_temperature: float) -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3.0, size=(20000, 5))
    probs = softmax(logits / true_temperature)
    gold = np.array([rng.choice(5, p=row) for row in probs])
    assert fit_temperature(logits, gold) == pytest.approx(true_temperature, rel=0.05)


def test_a_calibrated_model_shows_ece_that_shrinks_with_more_sentences() -> None:
    rng = np.random.default_rng(1)
    small = ece_if_calibrated(softmax(rng.normal(scale=2.0, size=(200, 5))))
    large = ece_if_calibrated(softmax(rng.normal(scale=2.0, size=(20000, 5))))
    assert small.mean() > 0.03  # sampling noise alone, on 200 sentences
    assert large.mean() < small.mean() / 5


def test_certain_predictions_leave_no_room_for_noise() -> None:
    probs = np.array([[1.0, 0.0, 0.0]] * 50)
    assert np.all(ece_if_calibrated(probs) == 0.0)


@pytest.mark.parametrize(("shown_temperature", "verdict"), [(1.0, "consistent with calibration"), (0.3, "over-confident"), (4.0, "under-confident")])
def test_calibration_verdict_tells_noise_from_miscalibration(shown_temperature: float, verdict: str) -> None:
    rng = np.random.default_rng(2)
    logits = rng.normal(scale=2.0, size=(800, 5))
    gold = np.array([rng.choice(5, p=row) for row in softmax(logits)])
    check = calibration_check(softmax(logits / shown_temperature), gold, bins=15)
    assert check["verdict"] == verdict


def test_a_fit_without_an_optimum_is_named_even_when_the_optimiser_stops_early() -> None:
    """Confident and right on every row: LBFGS stops well above the floor, and the fit is still meaningless."""
    confident = np.array([[4.0, -1.0, -2.0], [-1.0, 5.0, 0.0]])
    gold = np.array([0, 1])
    temperature = fit_temperature(confident, gold)
    assert temperature > MIN_TEMPERATURE  # the bound alone would not have caught it
    assert fit_problem(confident, gold, temperature).startswith("the model is right on all 2 rows")
    assert fit_problem(confident, np.array([1, 0]), 1.0).startswith("the model is wrong on all 2 rows")
    assert fit_problem(confident, np.array([0, 0]), 1.3) is None  # one right, one wrong: a real minimum
    assert fit_problem(confident, np.array([0, 0]), MAX_TEMPERATURE) == f"the temperature stopped at its limit, {MAX_TEMPERATURE:g}"

