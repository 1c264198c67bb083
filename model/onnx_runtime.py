"""Run an exported model with onnxruntime behind the same `predict` API as the PyTorch one."""

import shutil
from pathlib import Path

import numpy as np
import torch
from transformers import PreTrainedTokenizerBase

from model.classifier import StanceClassifier
from model.configuration import NewsStanceConfig
from model.errors import NewsStanceError
from model.storage import ONNX_FILE, write_atomically

OUTPUT_NAMES = ["stance_logits", "sentiment_logits"]  # the exported graph's outputs: onnx_export names them, _run reads them


class OnnxClassifier(StanceClassifier):
    """Loaded by `StanceClassifier.from_pretrained` when the directory holds `model.onnx`."""

    def __init__(
        self,
        session: "onnxruntime.InferenceSession",  # noqa: F821 - optional dependency
        tokenizer: PreTrainedTokenizerBase,
        config: NewsStanceConfig,
        path: Path,
    ) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.config = config
        self.path = path
        self.device = torch.device("cpu")
        self.input_names = [graph_input.name for graph_input in session.get_inputs()]

    @classmethod
    def from_directory(
        cls, path: Path, tokenizer: PreTrainedTokenizerBase, device: str = "auto"
    ) -> "OnnxClassifier":
        try:
            import onnxruntime
        except ImportError:
            raise NewsStanceError(
                f"{path} is an ONNX model; install onnxruntime to load it: pip install -e '.[onnx]'"
            ) from None
        providers = ["CPUExecutionProvider"]
        if device.startswith("cuda"):
            if "CUDAExecutionProvider" not in onnxruntime.get_available_providers():
                raise NewsStanceError(
                    f"device {device!r}: this onnxruntime has no CUDA provider; use device cpu "
                    "or load the PyTorch model directory on the GPU"
                )
            providers.insert(0, "CUDAExecutionProvider")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = onnxruntime.InferenceSession(str(path / ONNX_FILE), options, providers=providers)
        return cls(session, tokenizer, NewsStanceConfig.from_pretrained(path), path)

    def save_pretrained(self, path: str | Path) -> None:
        def write(directory: Path) -> None:
            shutil.copytree(self.path, directory, dirs_exist_ok=True)
            self.config.save_pretrained(directory)

        write_atomically(Path(path), write)

    def _run(self, batch: dict[str, torch.Tensor]) -> tuple[np.ndarray, np.ndarray]:
        feeds = {name: batch[name].numpy().astype(np.int64) for name in self.input_names}
        stance, sentiment = self.session.run(OUTPUT_NAMES, feeds)
        return stance, sentiment
