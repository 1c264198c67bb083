"""Model directories appear whole or not at all, and a damaged one is refused by name."""

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from model.errors import NewsStanceError

TOKENIZER_FILES = ("tokenizer_config.json",)
ONNX_FILE = "model.onnx"
WEIGHT_FILES = ("model.safetensors", ONNX_FILE)


def write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Build the directory beside `target`, then swap it in with renames, so a crash leaves no half model."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    except OSError as error:
        raise NewsStanceError(f"{target}: cannot write the model directory ({error.strerror})") from None
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a model directory is not
    retired = None
    try:
        write(staging)
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, retired / target.name)
        os.replace(staging, target)
    except BaseException as error:
        if retired is not None and not target.exists():
            os.replace(retired / target.name, target)  # put the previous model back
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError):
            raise NewsStanceError(f"{target}: writing the model directory failed ({error.strerror or error})") from None
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def check_model_dir(path: Path) -> None:
    """Name what is missing before transformers fails on it with a traceback."""
    path = Path(path)
    if not path.is_dir():
        raise NewsStanceError(f"{path}: no such model directory")
    missing = [name for name in ("config.json", *TOKENIZER_FILES) if not (path / name).is_file()]
    if not any((path / name).is_file() for name in WEIGHT_FILES):
        missing.append(" or ".join(WEIGHT_FILES))
    if missing:
        raise NewsStanceError(
            f"{path}: not a complete newsstance model directory (missing {', '.join(missing)}); "
            "train one with `newsstance train` or point --model at a finished run"
        )


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
