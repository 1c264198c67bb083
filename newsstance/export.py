"""`newsstance export`: an ONNX copy of a trained model for fast CPU scoring."""

import argparse

from model.onnx import FORMAT_CHOICES, QUANTIZE_CHOICES
from newsstance.arguments import add_model, add_overwrite


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "export",
        help="export a trained model to ONNX (optionally int8) for fast CPU scoring",
        description=(
            "Write an ONNX copy of a trained model (dynamic batch and sequence axes) that "
            "StanceClassifier.from_pretrained and `newsstance score` load with onnxruntime."
        ),
    )
    add_model(parser, help="trained PyTorch model directory")
    parser.add_argument("--format", choices=FORMAT_CHOICES, default=FORMAT_CHOICES[0])
    parser.add_argument("--quantize", choices=QUANTIZE_CHOICES, help="dynamic int8 quantization of the weights")
    parser.add_argument("--output", required=True, metavar="DIR", help="directory to write")
    add_overwrite(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from model.onnx.export import export_onnx

    written = export_onnx(args.model, args.output, args.quantize, args.overwrite)
    print(f"wrote {args.format}{' ' + args.quantize if args.quantize else ''} model to {written}")
    return 0
