"""Training end to end: a tiny random encoder for the mechanics, the real encoder for learning."""

import json
import os
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import torch
from transformers import TrainerCallback

from model import StanceClassifier
from newsstance.cli import main
from tests.conftest import REPO, write_jsonl
from training.config import load_config
from training.train import METRIC_NAMES, train

SENTENCES = [
    ("The defence ministry said the strike destroyed three tanks near the river.", "battlefield_report", "negative"),
    ("Artillery pounded the eastern suburbs for a third straight night.", "battlefield_report", "negative"),
    ("A spokesman denied that any civilians had been hit.", "denial", None),
    ("The army rejected the report as fabricated.", "denial", "negative"),
    ("Officials said the convoy may have been carrying fuel.", "hedge", "neutral"),
    ("It was not possible to verify the claims independently.", "hedge", "neutral"),
    ("The foreign ministry said talks would resume on Monday.", "official_assertion", "neutral"),
    ("The government announced a new aid package for displaced families.", "official_assertion", "positive"),
    ("The bridge was built in 1962 and carries most of the region's freight.", "other", "neutral"),
    ("Residents described long queues for bread and fuel.", "other", "negative"),
]


def tiny_config(tmp_path: Path, encoder: Path, *overrides: str):
    tmp_path.mkdir(exist_ok=True)
    rows = [{"text": f"{text} ({i})", "stance": stance, "sentiment": sentiment}
            for i in range(4) for text, stance, sentiment in SENTENCES]
    write_jsonl(tmp_path / "train.jsonl", rows)
    write_jsonl(tmp_path / "dev.jsonl", [{"text": t, "stance": s, "sentiment": m} for t, s, m in SENTENCES])
    config_path = tmp_path / "config.yaml"
    config_path.write_text(
        f"model:\n  base_model: {encoder}\n  max_length: 32\n"
        f"data:\n  train: {tmp_path}/train.jsonl\n  dev: {tmp_path}/dev.jsonl\n"
        f"training:\n  output_dir: {tmp_path}/run\n  epochs: 2\n  batch_size: 8\n  device: cpu\n"
    )
    return load_config(config_path, list(overrides))


def test_training_writes_a_complete_loadable_model_directory(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    config = tiny_config(tmp_path, tiny_encoder_dir)
    metrics = train(config)
    run = Path(config.training.output_dir)
    names = {p.name for p in run.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer_config.json", "train_config.yaml",
            "dev_metrics.json", "README.md"} <= names
    assert "checkpoints" not in names  # intermediate checkpoints are dropped once the model is whole
    assert json.loads((run / "dev_metrics.json").read_text())["stance_macro_f1"] == metrics["stance_macro_f1"]
    assert "base_model:" in (run / "README.md").read_text()
    predictions = StanceClassifier.from_pretrained(run).predict(["Shelling resumed at dawn."])
    assert predictions[0].stance in config.labels.stance
    # calibrated on the dev file as part of training: the temperatures predict() uses are the fitted ones
    calibration = json.loads((run / "calibration.json").read_text())
    assert calibration["data"] == str(Path(config.data.dev).resolve())
    assert calibration["word_dropout"] == [0.0, 0.1, 0.2, 0.3]
    saved = json.loads((run / "config.json").read_text())
    assert saved["stance_temperature"] == calibration["stance"]["temperature"] == metrics["stance_temperature"]
    assert saved["stance_temperature"] != 1.0


def test_calibration_can_be_switched_off(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    config = tiny_config(tmp_path, tiny_encoder_dir, "calibration.enabled=false")
    metrics = train(config)
    run = Path(config.training.output_dir)
    assert not (run / "calibration.json").exists() and "stance_temperature" not in metrics
    assert json.loads((run / "config.json").read_text()).get("stance_temperature", 1.0) == 1.0


def test_same_seed_gives_the_same_model(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    first = train(tiny_config(tmp_path / "a", tiny_encoder_dir))
    second = train(tiny_config(tmp_path / "b", tiny_encoder_dir))
    assert {k: first[k] for k in METRIC_NAMES} == {k: second[k] for k in METRIC_NAMES}
    probe = ["Troops withdrew from the town."]
    a = StanceClassifier.from_pretrained(tmp_path / "a" / "run").predict_proba(probe)["stance"]
    b = StanceClassifier.from_pretrained(tmp_path / "b" / "run").predict_proba(probe)["stance"]
    assert (a == b).all()


class InterruptAt(TrainerCallback):
    """Stands in for Ctrl-C or a killed job partway through an epoch."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_step_end(self, args, state, control, **kwargs):  # noqa: ANN001, ANN003
        if state.global_step == self.step:
            raise KeyboardInterrupt


def test_interrupted_training_resumes_to_the_same_result(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    uninterrupted = train(tiny_config(tmp_path / "straight", tiny_encoder_dir, "training.epochs=3"))

    config = tiny_config(tmp_path / "resumed", tiny_encoder_dir, "training.epochs=3")
    with pytest.raises(KeyboardInterrupt):
        train(config, callbacks=[InterruptAt(step=8)])  # 5 steps an epoch: killed mid-way through epoch 2
    run = Path(config.training.output_dir)
    assert not (run / "config.json").exists()  # no half-written model that would load
    with pytest.raises(Exception, match="not a complete newsstance model directory"):
        StanceClassifier.from_pretrained(run)
    resumed = train(config, resume=True)
    for key in METRIC_NAMES:
        assert resumed[key] == pytest.approx(uninterrupted[key], abs=1e-6)


def test_two_process_training_writes_one_calibrated_model(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    """torchrun with two CPU processes (gloo): both train, one writes the directory and calibrates."""
    config = tiny_config(tmp_path, tiny_encoder_dir)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    launched = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(port),
         "-m", "newsstance", "train", "--config", str(tmp_path / "config.yaml")],
        capture_output=True, text=True, timeout=300, cwd=REPO,
        env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert launched.returncode == 0, launched.stderr[-3000:]
    assert launched.stdout.count("saved model to") == 1
    run = Path(config.training.output_dir)
    assert json.loads((run / "calibration.json").read_text())["stance"]["temperature"] > 0
    assert StanceClassifier.from_pretrained(run).predict(["Shelling resumed at dawn."])[0].stance in config.labels.stance
    assert not [p.name for p in run.parent.iterdir() if p.name.startswith(".run.")]  # no staging left behind


def test_resume_without_checkpoint_is_a_clear_error(tmp_path: Path, tiny_encoder_dir: Path, capsys) -> None:
    config = tiny_config(tmp_path, tiny_encoder_dir)
    config_path = tmp_path / "config.yaml"
    assert main(["train", "--config", str(config_path), "--resume"]) == 2
    assert f"no checkpoint in {config.training.output_dir}/checkpoints" in capsys.readouterr().err


def test_cuda_device_without_gpu_fails_before_loading(tmp_path: Path, tiny_encoder_dir: Path, capsys) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU; the error path needs one without")
    tiny_config(tmp_path, tiny_encoder_dir)
    assert main(["train", "--config", str(tmp_path / "config.yaml"), "training.device=cuda"]) == 2
    assert "sees no CUDA GPU" in capsys.readouterr().err


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_gpu_training_uses_bf16_and_scores_on_cuda(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    config = tiny_config(tmp_path, tiny_encoder_dir, "training.device=cuda")
    metrics = train(config)
    assert 0.0 <= metrics["stance_macro_f1"] <= 1.0
    classifier = StanceClassifier.from_pretrained(config.training.output_dir, device="cuda")
    assert classifier.device.type == "cuda" and classifier.runner.use_bf16 == torch.cuda.is_bf16_supported()
    assert len(classifier.predict(["Shelling resumed at dawn."] * 5)) == 5


@pytest.mark.slow
def test_tiny_config_learns_real_news_better_than_the_majority_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """configs/tiny.yaml: the real encoder on 400 corpus sentences, scored on the corpus dev split."""
    monkeypatch.chdir(REPO)
    config = load_config(REPO / "configs" / "tiny.yaml", [f"training.output_dir={tmp_path}/tiny"])
    metrics = train(config)
    dev_stances = [json.loads(line)["stance"] for line in (REPO / config.data.dev).read_text().splitlines()]
    majority = Counter(dev_stances).most_common(1)[0][1] / len(dev_stances)
    assert metrics["stance_accuracy"] > majority + 0.1


@pytest.mark.parametrize("inside", ["data", "config"])
def test_overwrite_never_replaces_a_folder_holding_the_runs_own_inputs(
    tmp_path: Path, tiny_encoder_dir: Path, capsys, inside: str
) -> None:
    tiny_config(tmp_path / "project", tiny_encoder_dir)
    project = tmp_path / "project"
    if inside == "config":  # the data lives elsewhere; only the config file is in the output folder
        (tmp_path / "data").mkdir()
        for name in ("train.jsonl", "dev.jsonl"):
            (project / name).rename(tmp_path / "data" / name)
    overrides = [] if inside == "data" else [f"data.train={tmp_path}/data/train.jsonl", f"data.dev={tmp_path}/data/dev.jsonl"]
    before = sorted(p.name for p in project.iterdir())
    code = main(["train", "--config", str(project / "config.yaml"), "--output", str(project), "--overwrite", *overrides])
    err = capsys.readouterr().err
    expected = "data.train" if inside == "data" else "the config file"
    assert code == 2 and f"--output {project} holds {expected}" in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in project.iterdir()) == before  # nothing deleted
    assert not (project / "config.json").exists()


def test_retraining_in_place_from_a_models_own_config_is_allowed(tmp_path: Path, tiny_encoder_dir: Path, capsys) -> None:
    """The recorded train_config.yaml names its own folder as the output; it is read before it is replaced."""
    tiny_config(tmp_path, tiny_encoder_dir, "training.epochs=1", "calibration.enabled=false")
    run = tmp_path / "exp #2"  # a path is a path, not YAML: "#" would start a comment
    base = ["train", "--config", str(tmp_path / "config.yaml"), "training.epochs=1", "calibration.enabled=false"]
    assert main([*base, "--output", str(run)]) == 0
    assert main(["train", "--config", str(run / "train_config.yaml"), "training.seed=3"]) == 0
    assert "seed: 3" in (run / "train_config.yaml").read_text()
    capsys.readouterr()


def test_an_output_below_a_file_is_refused_before_loading(tmp_path: Path, tiny_encoder_dir: Path, capsys) -> None:
    tiny_config(tmp_path, tiny_encoder_dir)
    blocked = tmp_path / "train.jsonl" / "run"
    assert main(["train", "--config", str(tmp_path / "config.yaml"), "--output", str(blocked)]) == 2
    assert f"--output {blocked}: {tmp_path / 'train.jsonl'} is a file, not a directory" in capsys.readouterr().err


def test_max_length_past_the_encoders_positions_is_refused(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    config = tiny_config(tmp_path, tiny_encoder_dir, "model.max_length=100000")
    with pytest.raises(Exception, match=r"model.max_length is 100000, but the encoder .* reads at most \d+ tokens"):
        train(config)
    assert not (tmp_path / "run").exists()


def test_resume_with_a_changed_config_is_refused(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    config = tiny_config(tmp_path, tiny_encoder_dir, "training.epochs=3")
    with pytest.raises(KeyboardInterrupt):
        train(config, callbacks=[InterruptAt(step=8)])
    changed = tiny_config(tmp_path, tiny_encoder_dir, "training.epochs=3", "training.seed=7")
    with pytest.raises(Exception, match=r"--resume: the config differs from the interrupted run's in training.seed \(7, was 42\)"):
        train(changed, resume=True)
    # a fresh run of the changed config, killed before its first checkpoint, leaves the first run's last one
    with pytest.raises(KeyboardInterrupt):
        train(changed, callbacks=[InterruptAt(step=2)])
    with pytest.raises(Exception, match=r"training.seed \(7, was 42\)"):
        train(changed, resume=True)
    checkpoints = sorted((tmp_path / "run" / "checkpoints").glob("checkpoint-*"))
    (checkpoints[-1] / "model.safetensors").unlink()  # a checkpoint cut short while it was written
    with pytest.raises(Exception, match=rf"the last checkpoint {checkpoints[-1]} is incomplete \(no model.safetensors\)"):
        train(config, resume=True)


def test_resume_allows_what_does_not_shape_the_weights(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    config = tiny_config(tmp_path, tiny_encoder_dir, "training.epochs=3")
    with pytest.raises(KeyboardInterrupt):
        train(config, callbacks=[InterruptAt(step=8)])
    same_run = tiny_config(
        tmp_path, tiny_encoder_dir, "training.epochs=3", "training.logging_steps=3", "training.eval_batch_size=4",
        f"data.train={tmp_path}/./train.jsonl", f"training.output_dir={tmp_path}/./run/", "calibration.enabled=false",
    )
    assert train(same_run, resume=True)["train_rows"] == 40
