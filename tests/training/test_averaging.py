"""Checkpoint averaging: the saved model holds the element-wise mean of the last N epoch checkpoints."""

import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from transformers import TrainerCallback

from model import NewsStanceError
from tests.training.test_train import tiny_config
from training.averaging import average_weights, last_checkpoints
from training.config import ConfigError
from training.train import train


class KeepCheckpoints(TrainerCallback):
    """Copies each epoch checkpoint aside, since training deletes them once the model is written."""

    def __init__(self, into: Path) -> None:
        self.into = into

    def on_save(self, args, state, control, **kwargs):  # noqa: ANN001, ANN003
        name = f"checkpoint-{state.global_step}"
        shutil.copytree(Path(args.output_dir) / name, self.into / name)


def test_the_saved_model_is_the_mean_of_the_last_epochs(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    config = tiny_config(tmp_path, tiny_encoder_dir, "training.epochs=3", "training.average_last_epochs=2",
                         "calibration.enabled=false")
    kept = tmp_path / "kept"
    train(config, callbacks=[KeepCheckpoints(kept)])
    epochs = last_checkpoints(kept, 3)
    saved = load_file(str(Path(config.training.output_dir) / "model.safetensors"))
    second, third = (load_file(str(path / "model.safetensors")) for path in epochs[1:])
    name = "stance_head.weight"
    assert torch.allclose(saved[name], (second[name] + third[name]) / 2, atol=1e-6)
    assert not torch.allclose(saved[name], third[name])  # not simply the last (or best) epoch
    for key in saved:
        assert torch.allclose(saved[key].float(), (second[key].float() + third[key].float()) / 2, atol=1e-6), key


def test_average_weights_is_the_elementwise_mean(tmp_path: Path) -> None:
    from safetensors.torch import save_file

    for step, value in ((5, 1.0), (10, 2.0), (15, 6.0)):
        (tmp_path / f"checkpoint-{step}").mkdir()
        save_file({"w": torch.full((2, 2), value), "ids": torch.arange(3)}, str(tmp_path / f"checkpoint-{step}" / "model.safetensors"))
    (tmp_path / "checkpoint-extra").mkdir()  # not an epoch checkpoint: ignored
    newest = last_checkpoints(tmp_path, 2)
    assert [path.name for path in newest] == ["checkpoint-10", "checkpoint-15"]
    mean = average_weights(newest)
    assert torch.equal(mean["w"], torch.full((2, 2), 4.0)) and torch.equal(mean["ids"], torch.arange(3))
    with pytest.raises(NewsStanceError, match="average_last_epochs is 4 but .* holds 3 epoch checkpoint"):
        last_checkpoints(tmp_path, 4)


def test_averaging_more_epochs_than_are_trained_is_refused(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    with pytest.raises(ConfigError, match=r"training.average_last_epochs is 3; it must be from 1 to training.epochs \(2\)"):
        tiny_config(tmp_path, tiny_encoder_dir, "training.average_last_epochs=3")
