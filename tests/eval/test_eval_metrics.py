"""Scores against small cases worked out by hand, and the bootstrap against scikit-learn."""

import numpy as np
import pytest
from sklearn.metrics import f1_score

from eval.bootstrap import interval, per_class_f1_samples, resample_indices
from eval.metrics import classification_metrics

LABELS = ["denial", "hedge", "other"]


def test_metrics_match_a_hand_computed_case() -> None:
    gold = ["denial", "denial", "hedge", "other", "other", "other"]
    predicted = ["denial", "other", "hedge", "other", "hedge", "other"]
    metrics = classification_metrics(gold, predicted, LABELS)
    assert metrics["accuracy"] == pytest.approx(4 / 6)
    # denial: P 1/1, R 1/2, F1 2/3; hedge: P 1/2, R 1/1, F1 2/3; other: P 2/3, R 2/3, F1 2/3
    assert metrics["per_class"]["denial"] == pytest.approx(
        {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2}
    )
    assert metrics["per_class"]["hedge"] == pytest.approx(
        {"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 1}
    )
    assert metrics["per_class"]["other"]["f1"] == pytest.approx(2 / 3)
    assert metrics["macro_f1"] == pytest.approx(2 / 3)
    assert metrics["confusion_matrix"] == {"labels": LABELS, "matrix": [[1, 0, 1], [0, 1, 0], [0, 1, 2]]}


def test_macro_f1_leaves_out_labels_with_no_gold_rows() -> None:
    gold = ["other", "other", "denial"]
    predicted = ["other", "hedge", "denial"]
    metrics = classification_metrics(gold, predicted, LABELS)
    assert metrics["per_class"]["hedge"]["support"] == 0
    # other: P 1/1, R 1/2 -> 2/3; denial: 1.0; hedge has no gold rows and is not averaged
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 1.0) / 2)


def test_vectorised_bootstrap_f1_equals_scikit_learn_on_every_resample() -> None:
    rng = np.random.default_rng(1)
    gold = list(rng.choice(LABELS, size=40))
    predicted = list(rng.choice(LABELS + ["unseen"], size=40))
    indices = resample_indices(len(gold), 25, seed=3)
    samples = per_class_f1_samples(gold, predicted, LABELS, indices)
    resampled = [([gold[i] for i in row], [predicted[i] for i in row]) for row in indices]
    per_class = [f1_score(g, p, labels=LABELS, average=None, zero_division=0) for g, p in resampled]
    np.testing.assert_allclose(samples, per_class)
    macro = [f1_score(g, p, labels=LABELS, average="macro", zero_division=0) for g, p in resampled]
    np.testing.assert_allclose(samples.mean(axis=1), macro)


def macro_f1(gold: list[str], predicted: list[str]) -> np.ndarray:
    averaged = [LABELS.index(label) for label in sorted(set(gold))]
    return per_class_f1_samples(gold, predicted, LABELS, resample_indices(60, 300))[:, averaged].mean(axis=1)


def test_bootstrap_interval_brackets_the_estimate_and_is_reproducible() -> None:
    gold = ["denial", "hedge", "other"] * 20
    predicted = ["denial", "other", "other"] * 20
    point = classification_metrics(gold, predicted, LABELS)["macro_f1"]
    first = interval(macro_f1(gold, predicted))
    second = interval(macro_f1(gold, predicted))
    assert first == second
    assert first[0] < point < first[1]
    assert interval(macro_f1(gold, gold)) == [1.0, 1.0]
