"""Scores against small cases worked out by hand, and the bootstrap against scikit-learn."""

import numpy as np
import pytest
from sklearn.metrics import f1_score

from eval.bootstrap import interval, macro_f1_samples, resample_indices
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


def test_vectorised_bootstrap_macro_f1_equals_scikit_learn_on_every_resample() -> None:
    rng = np.random.default_rng(1)
    gold = list(rng.choice(LABELS, size=40))
    predicted = list(rng.choice(LABELS + ["unseen"], size=40))
    indices = resample_indices(len(gold), 25, seed=3)
    samples = macro_f1_samples(gold, predicted, LABELS, indices)
    expected = [
        f1_score(
            [gold[i] for i in row],
            [predicted[i] for i in row],
            labels=LABELS,
            average="macro",
            zero_division=0,
        )
        for row in indices
    ]
    np.testing.assert_allclose(samples, expected)


def test_bootstrap_interval_brackets_the_estimate_and_is_reproducible() -> None:
    gold = ["denial", "hedge", "other"] * 20
    predicted = ["denial", "other", "other"] * 20
    point = classification_metrics(gold, predicted, LABELS)["macro_f1"]
    first = interval(macro_f1_samples(gold, predicted, LABELS, resample_indices(60, 300)))
    second = interval(macro_f1_samples(gold, predicted, LABELS, resample_indices(60, 300)))
    assert first == second
    assert first[0] < point < first[1]
    assert interval(macro_f1_samples(gold, gold, LABELS, resample_indices(60, 300))) == [1.0, 1.0]
