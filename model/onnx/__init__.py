"""ONNX: export a trained model to a graph (`export`) and run one behind `StanceClassifier` (`runtime`).

Neither module imports the classifier: the exporter is handed the network and tokenizer, and the
runtime is a runner the classifier holds.
"""

FORMAT_CHOICES = ("onnx",)
QUANTIZE_CHOICES = ("int8",)
