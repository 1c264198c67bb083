"""ONNX export: the same API and the same answers as PyTorch, fp32 exactly, int8 closely."""

from pathlib import Path

import numpy as np
import pytest

from model import NewsStanceError, StanceClassifier
from model.onnx.runtime import OnnxRunner

pytest.importorskip("onnxruntime", reason="ONNX tests need the [onnx] extra")
from model.onnx.export import export_onnx  # noqa: E402

TEXTS = [
    "Shelling resumed at dawn.",
    "The ministry denied that any aircraft had been lost, calling the claim enemy propaganda.",
    "It could not be independently verified whether the convoy carried weapons or food, and "
    "officials on both sides declined to comment on reports of a second strike near the border.",
]


@pytest.fixture(scope="module")
def exported(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("onnx")
    return {
        "fp32": export_onnx(tiny_model_dir, root / "fp32"),
        "int8": export_onnx(tiny_model_dir, root / "int8", quantize="int8"),
    }


def test_fp32_export_matches_pytorch_for_any_batch_and_length(tiny_model_dir: Path, exported) -> None:
    torch_model = StanceClassifier.from_pretrained(tiny_model_dir, device="cpu")
    onnx_model = StanceClassifier.from_pretrained(exported["fp32"])
    assert isinstance(onnx_model.runner, OnnxRunner)
    for batch_size in (1, 2, 3):
        expected = torch_model.predict_proba(TEXTS, batch_size=batch_size)
        got = onnx_model.predict_proba(TEXTS, batch_size=batch_size)
        np.testing.assert_allclose(got["stance"], expected["stance"], atol=1e-5)
        np.testing.assert_allclose(got["sentiment"], expected["sentiment"], atol=1e-5)
    assert onnx_model.predict(TEXTS)[0].stance == torch_model.predict(TEXTS)[0].stance


def test_int8_export_is_smaller_and_close(tiny_model_dir: Path, exported) -> None:
    assert (exported["int8"] / "model.onnx").stat().st_size < (exported["fp32"] / "model.onnx").stat().st_size / 2
    expected = StanceClassifier.from_pretrained(tiny_model_dir, device="cpu").predict_proba(TEXTS)["stance"]
    got = StanceClassifier.from_pretrained(exported["int8"]).predict_proba(TEXTS)["stance"]
    np.testing.assert_allclose(got, expected, atol=0.05)
    assert np.allclose(got.sum(axis=1), 1.0, atol=1e-5)


def test_exported_directory_keeps_labels_and_card(exported) -> None:
    classifier = StanceClassifier.from_pretrained(exported["int8"])
    assert classifier.stance_labels == ["official_assertion", "denial", "hedge", "battlefield_report", "other"]
    assert (exported["int8"] / "README.md").is_file()


def test_exporting_an_onnx_directory_or_bad_quantization_is_refused(tiny_model_dir: Path, exported, tmp_path: Path) -> None:
    with pytest.raises(NewsStanceError, match="already an ONNX model"):
        export_onnx(exported["fp32"], tmp_path / "again")
    with pytest.raises(NewsStanceError, match="--quantize 'int4'"):
        export_onnx(tiny_model_dir, tmp_path / "x", quantize="int4")


def test_export_command_writes_a_loadable_int8_model(tiny_model_dir: Path, tmp_path: Path, capsys) -> None:
    from newsstance.cli import main

    assert main(["export", "--model", str(tiny_model_dir), "--format", "onnx", "--quantize", "int8",
                 "--output", str(tmp_path / "int8")]) == 0
    assert "wrote onnx int8 model to" in capsys.readouterr().out
    assert isinstance(StanceClassifier.from_pretrained(tmp_path / "int8").runner, OnnxRunner)
    assert main(["export", "--model", str(tmp_path / "missing"), "--output", str(tmp_path / "x")]) == 2
    assert "no such model directory" in capsys.readouterr().err


def test_int8_keeps_the_feed_forward_down_projections_in_fp32(exported) -> None:
    import onnx

    from model.onnx.export import _outlier_prone_nodes

    kept = _outlier_prone_nodes(exported["fp32"] / "model.onnx")
    assert len(kept) == 9  # all 8 MatMuls of layer 0 (projections and attention products) + layer 1 FFN out
    quantized_ops = {node.name: node.op_type for node in onnx.load(str(exported["int8"] / "model.onnx")).graph.node}
    assert all(quantized_ops.get(name) == "MatMul" for name in kept)
    assert "MatMulInteger" in quantized_ops.values() or "DynamicQuantizeMatMul" in quantized_ops.values()


def test_export_keeps_the_temperatures_and_where_they_came_from(tiny_model_dir: Path, tmp_path: Path) -> None:
    import shutil

    from eval.calibrate import calibrate
    from tests.conftest import write_jsonl

    model_dir = Path(shutil.copytree(tiny_model_dir, tmp_path / "calibrated"))
    rows = [{"text": text, "stance": stance} for text, stance in zip(TEXTS, ["battlefield_report", "denial", "hedge"])]
    calibrate(model_dir, write_jsonl(tmp_path / "dev.jsonl", rows), device="cpu", word_dropout=(0.0,))
    exported = export_onnx(model_dir, tmp_path / "onnx")
    torch_model = StanceClassifier.from_pretrained(model_dir, device="cpu")
    onnx_model = StanceClassifier.from_pretrained(exported)
    assert onnx_model.config.stance_temperature == torch_model.config.stance_temperature != 1.0
    np.testing.assert_allclose(onnx_model.predict_proba(TEXTS)["stance"], torch_model.predict_proba(TEXTS)["stance"], atol=1e-5)
    assert "fitted on" in (exported / "README.md").read_text()
