"""The one owner of what newsstance writes: model-directory file names, atomic writes, and output guards.

Model directories appear whole or not at all, a damaged one is refused by name, and a directory that is
not a newsstance model is never replaced without `--overwrite`. Output files are written beside their
target and renamed into place at the end, so a failed run leaves the previous file whole; an output that
is also an input (or another output) is refused before anything is read.
"""

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import yaml

from model.errors import NewsStanceError

CONFIG_FILE = "config.json"
TOKENIZER_FILES = ("tokenizer_config.json",)
ONNX_FILE = "model.onnx"
WEIGHT_FILES = ("model.safetensors", ONNX_FILE)
CARD_FILE = "README.md"
TRAIN_CONFIG_FILE = "train_config.yaml"
DEV_METRICS_FILE = "dev_metrics.json"
EVALUATIONS_FILE = "evaluations.json"
CALIBRATION_FILE = "calibration.json"
CARRIED_FILES = (TRAIN_CONFIG_FILE, DEV_METRICS_FILE, EVALUATIONS_FILE, CALIBRATION_FILE)  # kept by export


def write_atomically(target: Path, write: Callable[[Path], None], keep_modes: bool = False) -> None:
    """Build the directory beside `target`, then swap it in with renames, so a crash leaves no half model.

    A new model's files get the umask's mode; with `keep_modes` (an update built from hard links to the
    live model's files) every file keeps the mode its owner gave it.
    """
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
        if not keep_modes:
            _make_readable(staging)
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


def _make_readable(directory: Path) -> None:
    """safetensors writes its file private (0600); a model is shared, so every file gets the umask's mode."""
    mode = _new_file_mode()
    for path in directory.rglob("*"):
        if path.is_file() and not path.is_symlink():
            path.chmod(mode)


def check_model_output(
    target: Path,
    overwrite: bool = False,
    inputs: Sequence[tuple[str, str | Path | None]] = (),
    own_entries: frozenset[str] = frozenset(),
) -> None:
    """Refuse, before any work, a model-directory target that would destroy something.

    The target is replaced as a whole, so it may neither be nor hold one of the run's `inputs`
    ((what, path) pairs: "the source model", "data.train"), `--overwrite` or not. A previous
    newsstance model directory is replaced; any other existing, non-empty directory (the user's own
    files) needs `overwrite`. `own_entries` are names the command itself left there (training
    checkpoints), which do not make the directory the user's.
    """
    target = Path(target)
    _check_parent_is_directory("--output", target)
    if Path.cwd().resolve().is_relative_to(target.resolve()):  # found only at the final rename, hours later
        raise NewsStanceError(
            f"--output {target} holds the current directory, and a model directory is replaced whole; "
            "choose a new folder for the model"
        )
    for what, path in inputs:
        if path is None:
            continue
        if same_path(target, Path(path)):
            raise NewsStanceError(f"--output {target} is {what} itself; write the model to another directory")
        if target.is_dir() and Path(path).resolve().is_relative_to(target.resolve()):
            raise NewsStanceError(
                f"--output {target} holds {what} {path}; replacing the directory would delete it, "
                "so write the model to another directory"
            )
    if target.exists() and not target.is_dir():
        raise NewsStanceError(f"--output {target} is a file, not a directory; choose a directory for the model")
    if overwrite or not target.is_dir() or is_model_dir(target):
        return
    if {entry.name for entry in target.iterdir()} - own_entries:
        raise NewsStanceError(
            f"--output {target} is a non-empty directory that is not a newsstance model; "
            "choose another directory, or pass --overwrite to replace everything in it"
        )


def update_model_dir(directory: Path, files: dict[str, str]) -> None:
    """Replace several files of a finished model directory as one change: all of them land, or none.

    The new directory is built from hard links to the unchanged files (cheap: nothing is copied where
    the file system links) and swapped in with `write_atomically`.
    """
    directory = Path(directory)

    def write(staging: Path) -> None:
        for entry in directory.iterdir():
            if entry.name in files:
                continue
            if entry.is_dir():
                shutil.copytree(entry, staging / entry.name, copy_function=_link_or_copy)
            else:
                _link_or_copy(entry, staging / entry.name)
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")

    write_atomically(directory, write, keep_modes=True)  # chmod on a hard link would change the live file too


def read_train_config(directory: str | Path) -> dict[str, Any]:
    """The config a model directory was trained with, as a mapping; {} where it has none (an export)."""
    path = Path(directory) / TRAIN_CONFIG_FILE
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    return loaded if isinstance(loaded, dict) else {}


def is_model_dir(path: Path) -> bool:
    """A directory whose config.json says it is a newsstance model (finished or damaged)."""
    config = Path(path) / CONFIG_FILE
    try:
        return json.loads(config.read_text(encoding="utf-8")).get("model_type") == "newsstance"
    except (OSError, ValueError, AttributeError):
        return False


def check_model_dir(path: Path) -> None:
    """Name what is missing before transformers fails on it with a traceback."""
    path = Path(path)
    if not path.is_dir():
        raise NewsStanceError(f"{path}: no such model directory")
    missing = [name for name in (CONFIG_FILE, *TOKENIZER_FILES) if not (path / name).is_file()]
    if not any((path / name).is_file() for name in WEIGHT_FILES):
        missing.append(" or ".join(WEIGHT_FILES))
    if missing:
        raise NewsStanceError(
            f"{path}: not a complete newsstance model directory (missing {', '.join(missing)}); "
            "train one with `newsstance train` or point --model at a finished run"
        )


def check_outputs(inputs: Sequence[tuple[str, str | Path]], outputs: Sequence[tuple[str, str | Path | None]]) -> None:
    """Refuse, before anything is read, an output that is an input or another output.

    Each entry is (option, path). Paths are compared resolved and by inode, so links and `./`
    spellings of the same file count; `-` (standard input) is never a file.
    """
    named_outputs = [(option, Path(path)) for option, path in outputs if path is not None and str(path) != "-"]
    for option, output in named_outputs:
        _check_parent_is_directory(option, output)
    for option, output in named_outputs:
        for input_option, path in inputs:
            if str(path) != "-" and same_path(output, Path(path)):
                raise NewsStanceError(
                    f"{option} {output} is also the input {input_option} {path}; writing it would destroy the input"
                )
    for i, (option, output) in enumerate(named_outputs):
        for other_option, other in named_outputs[i + 1 :]:
            if same_path(output, other):
                raise NewsStanceError(f"{option} and {other_option} are the same file ({output}); give each its own")


@contextmanager
def _staged_file(path: Path, option: str) -> Iterator[Path]:
    """A temporary file beside `path` that replaces it when the block ends without an error (keeping its mode)."""
    try:  # ends in ".partial", never in an input suffix: `score` may be reading .txt files from that directory
        handle, staging = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
        os.close(handle)
    except OSError as error:
        raise NewsStanceError(f"{option} {path}: cannot write ({error.strerror})") from None
    try:
        yield Path(staging)
        os.chmod(staging, path.stat().st_mode & 0o777 if path.exists() else _new_file_mode())
        os.replace(staging, path)
    except OSError as error:
        Path(staging).unlink(missing_ok=True)
        raise NewsStanceError(f"{option} {path}: cannot write ({error.strerror or error})") from None
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


@contextmanager
def output_file(path: str | Path, option: str, newline: str | None = "") -> Iterator[TextIO]:
    """A text stream to `path` that replaces the file only when the block ends without an error."""
    with _staged_file(Path(path), option) as staging, staging.open("w", encoding="utf-8", newline=newline) as stream:
        yield stream


def replace_file_atomically(path: Path, write: Callable[[Path], None], option: str = "--output") -> None:
    """`write` fills a temporary file beside `path` (any format: images too), which then replaces it."""
    with _staged_file(Path(path), option) as staging:
        write(staging)


def write_file_atomically(path: Path, text: str, option: str = "output") -> None:
    """A whole text file at once: the old contents or the new, never half."""
    with output_file(path, option, newline=None) as stream:
        stream.write(text)


def _check_parent_is_directory(option: str, output: Path) -> None:
    """The nearest existing parent of an output must be a directory, or nothing can be created there."""
    blocker = next((parent for parent in output.parents if parent.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise NewsStanceError(f"{option} {output}: {blocker} is a file, not a directory")


def same_path(a: Path, b: Path) -> bool:
    """One file or directory under two spellings (relative, `..`, a symlink or a hard link)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _link_or_copy(source: str | Path, destination: str | Path) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _new_file_mode() -> int:
    """The mode `open()` gives a new file under the current umask."""
    return 0o666 & ~_umask()
