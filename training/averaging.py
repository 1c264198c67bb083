"""Checkpoint averaging: the final weights are the mean of the last few epoch checkpoints.

Averaging the weights the optimiser passed through late in training lands nearer the middle of a
flat region than any one of them, which often generalises better on noisy labels than picking the
epoch that happened to score best on a small dev file. On this project's corpus it did not (README,
"What moved the number"), so it is off by default.
"""

from pathlib import Path

import torch
from safetensors.torch import load_file
from transformers.trainer_utils import sort_checkpoints
from transformers.utils import SAFE_WEIGHTS_NAME

from model.errors import NewsStanceError


def last_checkpoints(checkpoint_dir: Path, count: int) -> list[Path]:
    """The `count` checkpoints with the highest step numbers, oldest first."""
    found = [Path(path) for path in sort_checkpoints(str(checkpoint_dir))]  # the Trainer's own order, by step
    if len(found) < count:
        raise NewsStanceError(
            f"training.average_last_epochs is {count} but {checkpoint_dir} holds {len(found)} epoch checkpoint(s)"
        )
    return found[-count:]


def average_weights(checkpoints: list[Path]) -> dict[str, torch.Tensor]:
    """The element-wise mean of the checkpoints' weights; integer buffers (position ids) are taken as they are."""
    states = [load_file(str(path / SAFE_WEIGHTS_NAME)) for path in checkpoints]
    mean = {}
    for name, first in states[0].items():
        if first.is_floating_point():
            mean[name] = (sum(state[name].double() for state in states) / len(states)).to(first.dtype)
        else:
            mean[name] = first
    return mean


def load_average(model: torch.nn.Module, checkpoint_dir: Path, count: int) -> None:
    """Put the mean of the last `count` checkpoints into `model`."""
    model.load_state_dict(average_weights(last_checkpoints(checkpoint_dir, count)))
