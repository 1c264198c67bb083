"""The one definition of a `device` setting (CLI flags and config alike) and its torch device.

torch is imported only when a device is resolved, so argument parsing stays instant.
"""

import re
from typing import TYPE_CHECKING

from model.errors import NewsStanceError

if TYPE_CHECKING:
    import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda", "cuda:N")
_DEVICE_PATTERN = re.compile(r"auto|cpu|cuda(:\d+)?")


def check_device_name(name: str) -> str:
    """`auto`, `cpu`, `cuda` or `cuda:N`; anything else names the choices."""
    if not isinstance(name, str) or not _DEVICE_PATTERN.fullmatch(name):
        raise NewsStanceError(f"device {name!r} is not one of {', '.join(DEVICE_CHOICES)}")
    return name


def resolve_device(name: str) -> "torch.device":
    """`auto` picks CUDA when present; asking for CUDA on a machine without it is a user error."""
    import torch

    check_device_name(name)
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise NewsStanceError(
                f"device {name!r} was asked for but PyTorch sees no CUDA GPU here; use device cpu or auto"
            )
        index = int(name.partition(":")[2] or 0)
        if index >= torch.cuda.device_count():
            raise NewsStanceError(f"device {name!r}: this machine has {torch.cuda.device_count()} CUDA GPU(s)")
    return torch.device(name)
