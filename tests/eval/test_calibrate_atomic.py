"""Calibration rewrites a finished model directory; an interrupted rewrite must leave it as it was."""

import hashlib
import shutil
from pathlib import Path

import pytest

import model.storage
from eval.calibrate import calibrate
from tests.conftest import write_jsonl

DEV = [
    {"text": "A spokesman denied the report.", "stance": "denial", "sentiment": "neutral"},
    {"text": "Shelling hit the port overnight.", "stance": "battlefield_report", "sentiment": "negative"},
    {"text": "The strike may have killed dozens.", "stance": "hedge", "sentiment": "negative"},
    {"text": "The bridge was built in 1962.", "stance": "other", "sentiment": "neutral"},
]


def tree_digest(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def test_an_interrupted_calibration_leaves_the_model_directory_unchanged(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    data = write_jsonl(tmp_path / "dev.jsonl", DEV)
    before = tree_digest(model_dir)
    real_link = model.storage._link_or_copy
    calls = []

    def killed_midway(source, destination):  # noqa: ANN001
        calls.append(source)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as if the process were stopped while the new directory is built
        real_link(source, destination)

    monkeypatch.setattr(model.storage, "_link_or_copy", killed_midway)
    with pytest.raises(KeyboardInterrupt):
        calibrate(model_dir, data, device="cpu", word_dropout=(0.0,))
    assert tree_digest(model_dir) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".model")] == []  # no staging left behind

    monkeypatch.setattr(model.storage, "_link_or_copy", real_link)
    result = calibrate(model_dir, data, device="cpu", word_dropout=(0.0,))
    after = tree_digest(model_dir)
    assert {"calibration.json", "README.md"} <= set(after) - set(before)
    assert after["config.json"] != before["config.json"] and "temperature" in (model_dir / "README.md").read_text()
    assert after["model.safetensors"] == before["model.safetensors"]
    assert result.stance.temperature > 0
