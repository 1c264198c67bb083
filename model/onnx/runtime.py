"""Run an exported graph with onnxruntime: the runner `StanceClassifier` holds for an ONNX model directory."""

import shutil
from pathlib import Path

import numpy as np
import torch

from model.device import check_device_name
from model.errors import NewsStanceError
from model.storage import ONNX_FILE

OUTPUT_NAMES = ["stance_logits", "sentiment_logits"]  # the exported graph's outputs: export names them, run reads them


class OnnxRunner:
    """Loaded by `StanceClassifier.from_pretrained` when the directory holds `model.onnx`."""

    def __init__(self, session: "onnxruntime.InferenceSession", path: Path) -> None:  # noqa: F821 - optional dependency
        self.session = session
        self.path = path
        on_gpu = session.get_providers()[0] == "CUDAExecutionProvider"
        self.device = torch.device("cuda" if on_gpu else "cpu")
        self.input_names = [graph_input.name for graph_input in session.get_inputs()]

    @classmethod
    def from_directory(cls, path: Path, device: str = "auto") -> "OnnxRunner":
        """CUDA when asked for (or `auto` and the CUDA provider is there), else the CPU."""
        try:
            import onnxruntime
        except ImportError:
            raise NewsStanceError(
                f"{path} is an ONNX model; install onnxruntime to load it: pip install -e '.[onnx]'"
            ) from None
        check_device_name(device)
        has_cuda = "CUDAExecutionProvider" in onnxruntime.get_available_providers()
        providers: list = ["CPUExecutionProvider"]
        if device.startswith("cuda"):
            if not has_cuda:
                raise NewsStanceError(
                    f"device {device!r}: this onnxruntime has no CUDA provider; use device cpu "
                    "or load the PyTorch model directory on the GPU"
                )
            providers.insert(0, ("CUDAExecutionProvider", {"device_id": int(device.partition(":")[2] or 0)}))
        elif device == "auto" and has_cuda:
            providers.insert(0, "CUDAExecutionProvider")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        return cls(onnxruntime.InferenceSession(str(path / ONNX_FILE), options, providers=providers), path)

    def run(self, batch: dict[str, torch.Tensor]) -> tuple[np.ndarray, np.ndarray]:
        feeds = {name: batch[name].numpy().astype(np.int64) for name in self.input_names}
        stance, sentiment = self.session.run(OUTPUT_NAMES, feeds)
        return stance, sentiment

    def save(self, directory: Path) -> None:
        """The graph and the files carried beside it; the classifier writes config and tokenizer after."""
        shutil.copytree(self.path, directory, dirs_exist_ok=True)
