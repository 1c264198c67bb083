"""Distillation: teacher probabilities written by `newsstance teach`, read back, and used as a masked KL term."""

import json
import re
from pathlib import Path

import pytest
import torch

from model.modeling import distillation_loss
from newsstance.cli import main
from tests.conftest import write_jsonl
from tests.training.test_train import SENTENCES, tiny_config
from training.distill import read_teacher_file
from training.train import train


def test_the_kl_term_is_zero_for_a_student_that_matches_and_masked_rows_do_not_count() -> None:
    teacher = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    matching = teacher.log()  # logits whose softmax is the teacher
    assert distillation_loss(matching, teacher, torch.tensor([1, 1]), temperature=1.0).item() == pytest.approx(0, abs=1e-6)
    wrong = torch.tensor([[0.0, 0.0, 5.0], [5.0, 0.0, 0.0]])
    assert distillation_loss(wrong, teacher, torch.tensor([1, 1]), 2.0).item() > 0.1
    assert distillation_loss(wrong, teacher, torch.tensor([0, 0]), 2.0).item() == 0.0
    only_first = distillation_loss(wrong, teacher, torch.tensor([1, 0]), 2.0)
    assert only_first.item() == pytest.approx(distillation_loss(wrong[:1], teacher[:1], torch.tensor([1]), 2.0).item())


def test_teach_then_train_a_student(tmp_path: Path, tiny_encoder_dir: Path, tiny_model_dir: Path, capsys) -> None:
    config = tiny_config(tmp_path, tiny_encoder_dir, "training.epochs=1", "calibration.enabled=false")
    teacher_file = tmp_path / "teacher.jsonl"
    assert main(["teach", "--model", str(tiny_model_dir), "--data", config.data.train, "--output", str(teacher_file)]) == 0
    rows = [json.loads(line) for line in teacher_file.read_text().splitlines()]
    assert len(rows) == 4 * len(SENTENCES) and sum(rows[0]["stance_probs"].values()) == pytest.approx(1, abs=1e-4)
    written = re.findall(r'": (\d\.\d+)', teacher_file.read_text())
    assert written and max(len(number) for number in written) <= 8  # six decimals, not float32's binary tail
    probs = read_teacher_file(teacher_file, config.labels.stance, config.labels.sentiment)
    assert len(probs) == len(rows)

    config = tiny_config(tmp_path, tiny_encoder_dir, "training.epochs=1", "calibration.enabled=false",
                         f"distill.teacher={teacher_file}", "distill.weight=1.0")
    metrics = train(config)
    assert 0 <= metrics["stance_macro_f1"] <= 1
    saved = json.loads((Path(config.training.output_dir) / "config.json").read_text())
    assert saved["distill_weight"] == 1.0 and saved["distill_temperature"] == 2.0


def test_a_teacher_file_with_other_labels_is_refused(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [{"text": "x", "stance_probs": {"a": 1.0}, "sentiment_probs": {"b": 1.0}}])
    with pytest.raises(Exception, match=r"t.jsonl:1: stance_probs must give a probability for each of official_assertion"):
        read_teacher_file(path, ["official_assertion", "other"], ["negative", "neutral"])
