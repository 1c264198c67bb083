"""Per-head classification scores, computed by scikit-learn over a fixed label list."""

from collections.abc import Sequence
from typing import Any

from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support


def classification_metrics(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """Macro-F1 averages only the labels that occur in `gold`: a label with no gold rows has no recall to average."""
    labels = list(labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    averaged = macro_f1_labels(gold, labels)
    return {
        "rows": len(gold),
        "accuracy": float(accuracy_score(gold, predicted)),
        "macro_f1": float(sum(f1[labels.index(label)] for label in averaged) / len(averaged)),
        "per_class": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
        "confusion_matrix": {
            "labels": labels,
            "matrix": confusion_matrix(gold, predicted, labels=labels).tolist(),
        },
    }


def macro_f1_labels(gold: Sequence[str], labels: Sequence[str]) -> list[str]:
    """The labels macro-F1 averages over, shared with the bootstrap so both give the same number."""
    seen = set(gold)
    return [label for label in labels if label in seen]
