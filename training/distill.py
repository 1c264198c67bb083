"""Knowledge distillation: a teacher model's calibrated probabilities for each training sentence.

`write_teacher_file` scores training files with a (large) teacher and writes one JSONL row per
sentence; `read_teacher_file` reads it back, checked against the student's label sets, for
`to_dataset` to attach to the rows it matches by text. Rows with no teacher row are masked out of
the distillation term, as rows without a sentiment are out of the sentiment loss.
"""

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from eval.labelled import model_label_sets, read_labelled
from model.classifier import StanceClassifier
from model.errors import NewsStanceError
from model.jsonl import read_jsonl, read_texts
from model.storage import output_file

TeacherProbs = dict[str, tuple[list[float], list[float]]]  # normalised text -> (stance, sentiment) probabilities


def normalised(text: str) -> str:
    return " ".join(text.split())


def write_teacher_file(
    model_dirs: Sequence[Path],
    data_paths: Sequence[Path],
    output: Path,
    device: str = "auto",
    batch_size: int = 64,
    unlabelled_paths: Sequence[Path] = (),
) -> int:
    """Score every sentence of `data_paths` (labelled) and `unlabelled_paths` (JSONL rows with a "text")
    with the teacher; returns how many rows were written.

    Several `model_dirs` make an ensemble teacher: the mean of their calibrated probabilities, which
    averages out one training seed's quirks (for example the large config trained with seeds 42, 1, 2).
    """
    labels = model_label_sets(model_dirs[0])
    for model_dir in model_dirs[1:]:  # before the first member spends minutes scoring
        if model_label_sets(model_dir) != labels:
            raise NewsStanceError(
                f"{model_dir}: its labels differ from {model_dirs[0]}'s; an ensemble teacher needs one label set"
            )
    stance_labels, sentiment_labels = labels["stance"], labels["sentiment"]
    texts: dict[str, str] = {}
    for path in data_paths:
        for row in read_labelled(path, stance_labels, sentiment_labels):
            texts.setdefault(normalised(row["text"]), row["text"])
    for path in unlabelled_paths:
        for text in read_unlabelled(path):
            texts.setdefault(normalised(text), text)
    ordered = list(texts.values())
    stance, sentiment = np.zeros((len(ordered), len(stance_labels))), np.zeros((len(ordered), len(sentiment_labels)))
    for index, model_dir in enumerate(model_dirs):
        teacher = StanceClassifier.from_pretrained(model_dir, device=device)
        label = "teacher" if len(model_dirs) == 1 else f"teacher {index + 1}/{len(model_dirs)}"
        probs = teacher.predict_proba(ordered, batch_size, progress=label)
        stance += probs["stance"] / len(model_dirs)
        sentiment += probs["sentiment"] / len(model_dirs)
    with output_file(output, "--output") as stream:
        for text, stance_row, sentiment_row in zip(ordered, stance, sentiment):
            row = {
                "text": text,
                "stance_probs": dict(zip(stance_labels, np.round(stance_row, 6).tolist())),
                "sentiment_probs": dict(zip(sentiment_labels, np.round(sentiment_row, 6).tolist())),
            }
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(ordered)


def read_unlabelled(path: Path) -> list[str]:
    """The "text" of every row (any labels are ignored); a blank text is an error naming its line."""
    texts = []
    try:
        for number, text in read_texts(path):
            if not text.strip():
                raise NewsStanceError(f"{path}:{number}: \"text\" is blank")
            texts.append(text)
    except OSError as error:
        raise NewsStanceError(f"{path}: cannot read ({error.strerror})") from None
    return texts


def read_teacher_file(path: Path, stance_labels: Sequence[str], sentiment_labels: Sequence[str]) -> TeacherProbs:
    """Probabilities in the student's label order; a row whose labels differ is an error naming its line."""
    found: TeacherProbs = {}
    for line in read_jsonl(path):
        where = f"{path}:{line.number}"
        if line.problem:
            raise NewsStanceError(f"{where}: {line.problem}")
        row = line.value
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise NewsStanceError(f"{where}: expected {{\"text\", \"stance_probs\", \"sentiment_probs\"}}")
        heads = []
        for head, labels in (("stance", stance_labels), ("sentiment", sentiment_labels)):
            probs = row.get(f"{head}_probs")
            if not isinstance(probs, dict) or set(probs) != set(labels):
                raise NewsStanceError(f"{where}: {head}_probs must give a probability for each of {', '.join(labels)}")
            values = [float(probs[label]) for label in labels]
            if min(values) < 0 or abs(sum(values) - 1.0) > 1e-3:
                raise NewsStanceError(f"{where}: {head}_probs must be probabilities that sum to 1")
            heads.append(values)
        found[normalised(row["text"])] = (heads[0], heads[1])
    if not found:
        raise NewsStanceError(f"{path}: no teacher rows (the file is empty)")
    return found
