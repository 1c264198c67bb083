"""Turn the user's `device` setting into a torch device, refusing CUDA where there is none."""

import torch

from model.defaults import DEVICE_CHOICES
from model.errors import NewsStanceError


def resolve_device(name: str) -> torch.device:
    """`auto` picks CUDA when present; asking for CUDA on a machine without it is a user error."""
    if name not in DEVICE_CHOICES and not name.startswith("cuda:"):
        raise NewsStanceError(f"device {name!r} is not one of {', '.join(DEVICE_CHOICES)}")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise NewsStanceError(
            f"device {name!r} was asked for but PyTorch sees no CUDA GPU here; use device: cpu or auto"
        )
    return torch.device(name)
