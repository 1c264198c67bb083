"""Turn checked labelled rows into the dataset the model's forward pass trains on."""

from collections.abc import Sequence
from typing import Any

from datasets import Dataset

from model.modeling import IGNORE_INDEX


def to_dataset(
    rows: list[dict[str, Any]], stance_labels: Sequence[str], sentiment_labels: Sequence[str]
) -> Dataset:
    """Label ids as the model's forward pass takes them; a missing sentiment becomes the ignore index."""
    stance_ids = {label: i for i, label in enumerate(stance_labels)}
    sentiment_ids = {label: i for i, label in enumerate(sentiment_labels)}
    return Dataset.from_dict(
        {
            "text": [row["text"] for row in rows],
            "stance_labels": [stance_ids[row["stance"]] for row in rows],
            "sentiment_labels": [
                sentiment_ids[row["sentiment"]] if row.get("sentiment") is not None else IGNORE_INDEX
                for row in rows
            ],
        }
    )
