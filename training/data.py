"""Turn checked labelled rows into the dataset the model's forward pass trains on."""

from collections.abc import Sequence
from typing import Any

from datasets import Dataset

from model.errors import NewsStanceError
from model.modeling import IGNORE_INDEX
from model.sentences import sentence_key
from training.distill import TeacherProbs, normalised


def to_dataset(
    rows: list[dict[str, Any]],
    stance_labels: Sequence[str],
    sentiment_labels: Sequence[str],
    teacher: TeacherProbs | None = None,
) -> Dataset:
    """Label ids as the model's forward pass takes them; a missing label becomes the ignore index.

    With a `teacher`, each row also carries the teacher's probabilities and a mask that is 0 where the
    teacher has no row for that sentence.
    """
    stance_ids = {label: i for i, label in enumerate(stance_labels)}
    sentiment_ids = {label: i for i, label in enumerate(sentiment_labels)}
    columns: dict[str, list] = {
        "text": [row["text"] for row in rows],
        "stance_labels": [stance_ids[row["stance"]] if row.get("stance") is not None else IGNORE_INDEX for row in rows],
        "sentiment_labels": [
            sentiment_ids[row["sentiment"]] if row.get("sentiment") is not None else IGNORE_INDEX for row in rows
        ],
    }
    if teacher is not None:
        missing = ([1.0 / len(stance_labels)] * len(stance_labels), [1.0 / len(sentiment_labels)] * len(sentiment_labels))
        matched = [teacher.get(normalised(row["text"])) for row in rows]
        columns["stance_teacher"] = [(probs or missing)[0] for probs in matched]
        columns["sentiment_teacher"] = [(probs or missing)[1] for probs in matched]
        columns["teacher_mask"] = [int(probs is not None) for probs in matched]
    return Dataset.from_dict(columns)


def transfer_rows(
    teacher: TeacherProbs, labelled: list[dict[str, Any]], held_out: list[dict[str, Any]], teacher_path: str, held_out_path: str
) -> list[dict[str, Any]]:
    """Unlabelled rows for the teacher's sentences that no training row has: they learn from the teacher alone.

    This is where distillation transfers what the teacher knows beyond the labels (on its own training
    sentences it mostly repeats them). A teacher sentence that is in the dev file would leak into model
    selection and calibration, so it is an error.
    """
    known = {normalised(row["text"]) for row in labelled}
    dev_texts = {sentence_key(row["text"]): row.get("line") for row in held_out}
    leaked = [text for text in teacher if sentence_key(text) in dev_texts]
    if leaked:
        line = dev_texts[sentence_key(leaked[0])]
        raise NewsStanceError(
            f"{teacher_path}: {len(leaked)} teacher sentences are in the dev file {held_out_path}"
            f" (first: line {line}); with distill.transfer they would be trained on"
        )
    return [{"text": text, "stance": None, "sentiment": None} for text in teacher if text not in known]
