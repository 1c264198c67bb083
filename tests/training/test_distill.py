"""Distillation: teacher probabilities written by `newsstance teach`, read back, and used as a masked KL term."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer

from eval.labelled import read_labelled
from model import NewsStanceConfig, NewsStanceError, NewsStanceModel, StanceClassifier
from model.labels import DEFAULT_SENTIMENT_LABELS, DEFAULT_STANCE_LABELS
from model.modeling import IGNORE_INDEX, distillation_loss
from newsstance.cli import main
from tests.conftest import tiny_encoder_config, write_jsonl
from tests.training.test_train import SENTENCES, tiny_config
from training.data import to_dataset, transfer_rows
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


def test_rows_without_a_stance_learn_from_the_teacher_alone() -> None:
    model = NewsStanceModel(NewsStanceConfig(
        encoder=tiny_encoder_config().to_dict(), stance_id2label={0: "a", 1: "b", 2: "c"},
        sentiment_id2label={0: "neg", 1: "pos"}, distill_weight=1.0, distill_temperature=1.0,
    ))
    ids, mask = torch.tensor([[5, 6, 7], [8, 9, 10]]), torch.ones(2, 3, dtype=torch.long)
    unlabelled = torch.tensor([IGNORE_INDEX, IGNORE_INDEX])
    stance_teacher, sentiment_teacher = torch.tensor([[0.8, 0.1, 0.1]] * 2), torch.tensor([[0.5, 0.5]] * 2)
    with_teacher = model(ids, mask, stance_labels=unlabelled, sentiment_labels=unlabelled, stance_teacher=stance_teacher,
                         sentiment_teacher=sentiment_teacher, teacher_mask=torch.tensor([1, 1]))
    assert torch.isfinite(with_teacher.loss) and with_teacher.loss.item() > 0
    without = model(ids, mask, stance_labels=unlabelled, sentiment_labels=unlabelled, stance_teacher=stance_teacher,
                    sentiment_teacher=sentiment_teacher, teacher_mask=torch.tensor([0, 0]))
    assert without.loss.item() == 0.0
    with_teacher.loss.backward()  # the teacher's term alone reaches the encoder
    assert model.stance_head.weight.grad is not None and model.stance_head.weight.grad.abs().sum() > 0


def test_teach_unlabelled_sentences_then_transfer(tmp_path: Path, tiny_encoder_dir: Path, tiny_model_dir: Path) -> None:
    config = tiny_config(tmp_path, tiny_encoder_dir, "training.epochs=1", "calibration.enabled=false")
    extra = write_jsonl(tmp_path / "extra.jsonl", [{"text": "Rebels shelled the airport again on Tuesday."},
                                                   {"text": "The ministry said talks would resume."}])
    teacher_file = tmp_path / "teacher.jsonl"
    assert main(["teach", "--model", str(tiny_model_dir), "--data", config.data.train, "--unlabelled", str(extra),
                 "--output", str(teacher_file)]) == 0
    teacher = read_teacher_file(teacher_file, config.labels.stance, config.labels.sentiment)
    train_rows = read_labelled(config.data.train, config.labels.stance, config.labels.sentiment)
    added = transfer_rows(teacher, train_rows, [], "teacher.jsonl", "dev.jsonl")
    assert sorted(row["text"] for row in added) == ["Rebels shelled the airport again on Tuesday.",
                                                    "The ministry said talks would resume."]
    dataset = to_dataset(train_rows + added, config.labels.stance, config.labels.sentiment, teacher)
    assert dataset["stance_labels"][-2:] == [IGNORE_INDEX, IGNORE_INDEX] and dataset["teacher_mask"][-2:] == [1, 1]

    config = tiny_config(tmp_path, tiny_encoder_dir, "training.epochs=1", "calibration.enabled=false",
                         f"distill.teacher={teacher_file}", "distill.transfer=true")
    metrics = train(config)
    assert 0 <= metrics["stance_macro_f1"] <= 1 and metrics["transfer_rows"] == 2


def test_a_teacher_sentence_from_the_dev_file_is_refused_for_transfer() -> None:
    teacher = {"Shelling resumed at dawn.": ([1.0, 0.0], [1.0, 0.0])}
    with pytest.raises(NewsStanceError, match=r"t.jsonl: 1 teacher sentences are in the dev file dev.jsonl \(first: line 7\)"):
        transfer_rows(teacher, [], [{"text": "shelling  resumed at dawn.", "line": 7}], "t.jsonl", "dev.jsonl")


def test_unlabelled_rows_without_text_are_named(tmp_path: Path, tiny_model_dir: Path, capsys) -> None:
    extra = write_jsonl(tmp_path / "extra.jsonl", [{"text": "Fine."}, {"body": "no text key"}])
    data = write_jsonl(tmp_path / "train.jsonl", [{"text": "The army said it held the town.", "stance": "official_assertion"}])
    assert main(["teach", "--model", str(tiny_model_dir), "--data", str(data), "--unlabelled", str(extra),
                 "--output", str(tmp_path / "t.jsonl")]) == 2
    assert capsys.readouterr().err.strip().endswith('extra.jsonl:2: expected a JSON object with a string "text"')
    assert not (tmp_path / "t.jsonl").exists()


def a_second_model(directory: Path, tokenizer_source: Path, stance_labels: tuple[str, ...] = DEFAULT_STANCE_LABELS) -> Path:
    torch.manual_seed(7)  # other weights than tiny_model_dir's
    model = NewsStanceModel(NewsStanceConfig(
        encoder=tiny_encoder_config().to_dict(), stance_id2label=dict(enumerate(stance_labels)),
        sentiment_id2label=dict(enumerate(DEFAULT_SENTIMENT_LABELS)),
    ))
    StanceClassifier(model, AutoTokenizer.from_pretrained(tokenizer_source), device="cpu").save_pretrained(directory)
    return directory


def test_an_ensemble_teacher_writes_the_mean_of_its_members(tmp_path: Path, tiny_model_dir: Path) -> None:
    other = a_second_model(tmp_path / "other", tiny_model_dir)
    data = write_jsonl(tmp_path / "train.jsonl", [{"text": text, "stance": "other", "sentiment": "neutral"} for text, *_ in SENTENCES])
    files = {}
    for name, models in (("first", [tiny_model_dir]), ("second", [other]), ("both", [tiny_model_dir, other])):
        files[name] = tmp_path / f"{name}.jsonl"
        assert main(["teach", "--model", *map(str, models), "--data", str(data), "--output", str(files[name])]) == 0
    read = {name: read_teacher_file(path, DEFAULT_STANCE_LABELS, DEFAULT_SENTIMENT_LABELS) for name, path in files.items()}
    assert read["first"] != read["second"]
    for text, (stance, sentiment) in read["both"].items():
        expected_stance = (np.array(read["first"][text][0]) + np.array(read["second"][text][0])) / 2
        expected_sentiment = (np.array(read["first"][text][1]) + np.array(read["second"][text][1])) / 2
        assert np.allclose(stance, expected_stance, atol=2e-6) and np.allclose(sentiment, expected_sentiment, atol=2e-6)


def test_an_ensemble_teacher_needs_one_label_set(tmp_path: Path, tiny_model_dir: Path, capsys, monkeypatch) -> None:
    other = a_second_model(tmp_path / "other", tiny_model_dir, stance_labels=("claim", "denial", "other"))
    monkeypatch.setattr(StanceClassifier, "predict_proba", lambda *args, **kwargs: pytest.fail("scored before checking"))
    data = write_jsonl(tmp_path / "train.jsonl", [{"text": "Rebels shelled the port.", "stance": "other", "sentiment": "neutral"}])
    assert main(["teach", "--model", str(tiny_model_dir), str(other), "--data", str(data), "--output", str(tmp_path / "t.jsonl")]) != 0
    assert f"{other}: its labels differ from {tiny_model_dir}'s" in capsys.readouterr().err
    assert not (tmp_path / "t.jsonl").exists()


def test_distill_heads_leaves_the_other_heads_teacher_out_of_the_loss() -> None:
    ids, mask = torch.tensor([[5, 6, 7], [8, 9, 10]]), torch.ones(2, 3, dtype=torch.long)
    labels = torch.tensor([0, 1])
    stance_teacher = torch.tensor([[0.8, 0.1, 0.1]] * 2)

    def loss(heads: list[str], sentiment_teacher: torch.Tensor) -> float:
        torch.manual_seed(0)
        model = NewsStanceModel(NewsStanceConfig(
            encoder=tiny_encoder_config().to_dict(), stance_id2label={0: "a", 1: "b", 2: "c"},
            sentiment_id2label={0: "neg", 1: "pos"}, distill_weight=1.0, distill_temperature=1.0, distill_heads=heads,
        )).eval()
        return model(ids, mask, stance_labels=labels, sentiment_labels=labels, stance_teacher=stance_teacher,
                     sentiment_teacher=sentiment_teacher, teacher_mask=torch.tensor([1, 1])).loss.item()

    confident, opposite = torch.tensor([[0.99, 0.01]] * 2), torch.tensor([[0.01, 0.99]] * 2)
    assert loss(["stance", "sentiment"], confident) != pytest.approx(loss(["stance", "sentiment"], opposite))
    assert loss(["stance"], confident) == pytest.approx(loss(["stance"], opposite))
    assert loss(["stance"], confident) < loss(["stance", "sentiment"], confident)


def test_distill_heads_must_name_the_heads(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    teacher = write_jsonl(tmp_path / "teacher.jsonl", [])
    with pytest.raises(NewsStanceError, match="distill.heads must name one or both of stance, sentiment"):
        tiny_config(tmp_path, tiny_encoder_dir, f"distill.teacher={teacher}", "distill.heads=[stanse]")
    config = tiny_config(tmp_path, tiny_encoder_dir, f"distill.teacher={teacher}", "distill.heads=[stance]")
    assert config.distill.heads == ["stance"]


def test_a_missing_ensemble_member_is_named_before_any_scoring(tmp_path: Path, tiny_model_dir: Path, capsys, monkeypatch) -> None:
    data = write_jsonl(tmp_path / "train.jsonl", [{"text": "Rebels shelled the port.", "stance": "other", "sentiment": "neutral"}])
    monkeypatch.setattr(StanceClassifier, "predict_proba", lambda *args, **kwargs: pytest.fail("scored before checking"))
    missing = tmp_path / "no-such-run"
    assert main(["teach", "--model", str(tiny_model_dir), str(missing), "--data", str(data), "--output", str(tmp_path / "t.jsonl")]) != 0
    assert f"{missing}: no such model directory" in capsys.readouterr().err


def test_blank_unlabelled_texts_are_named(tmp_path: Path, tiny_model_dir: Path, capsys) -> None:
    extra = write_jsonl(tmp_path / "extra.jsonl", [{"text": "Fine."}, {"text": "   "}])
    data = write_jsonl(tmp_path / "train.jsonl", [{"text": "The army said it held the town.", "stance": "official_assertion"}])
    assert main(["teach", "--model", str(tiny_model_dir), "--data", str(data), "--unlabelled", str(extra),
                 "--output", str(tmp_path / "t.jsonl")]) == 2
    assert capsys.readouterr().err.strip().endswith('extra.jsonl:2: "text" is blank')
    assert not (tmp_path / "t.jsonl").exists()
