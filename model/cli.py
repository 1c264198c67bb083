"""Command-line verbs that only need a trained model: `score` articles and `suggest` sentences to label."""

import argparse
import json
import sys
from pathlib import Path

from model.defaults import DEFAULT_BATCH_SIZE, DEVICE_CHOICES
from model.errors import NewsStanceError


def add_commands(commands: argparse._SubParsersAction) -> None:
    add_score_command(commands)
    add_suggest_command(commands)
    add_export_command(commands)


def add_score_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "score",
        help="label every sentence of news articles with stance and sentiment",
        description=(
            "Label every sentence of news articles. PATH is a text file (one article), a directory "
            "(every .txt under it, sorted), a .jsonl file of {\"id\": ..., \"text\": ...} articles, "
            "or - for standard input. Inputs that cannot be read are named on stderr, the rest are "
            "scored, and the exit code is 1."
        ),
    )
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--model", required=True, metavar="DIR", help="trained model directory")
    parser.add_argument("--format", choices=("jsonl", "csv", "table", "html"), default="jsonl")
    parser.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    parser.add_argument("--summary", metavar="FILE", help="also write per-article label counts as JSON")
    parser.add_argument("--batch-size", type=_positive_int, default=DEFAULT_BATCH_SIZE, metavar="N")
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    parser.add_argument(
        "--min-confidence",
        type=float,
        default=0.0,
        metavar="P",
        help="report the stance as 'uncertain' below this probability (the guess stays in stance_guess)",
    )
    parser.add_argument(
        "--wrapped",
        action="store_true",
        help="the text is hard-wrapped (wire feeds, e-mail, PDF text): a single line break is a space "
        "and only a blank line ends a paragraph; by default every line break ends a sentence",
    )
    parser.set_defaults(run=run_score)


def add_suggest_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "suggest",
        help="pick the unlabelled sentences the model is least sure about, to label first",
        description=(
            "Rank a pool of unlabelled sentences (.jsonl with a 'text' field, or plain text with one "
            "sentence per line) by the model's stance uncertainty and write the top N in the training "
            "JSONL format, labels left null, most uncertain first."
        ),
    )
    parser.add_argument("--model", required=True, metavar="DIR", help="trained model directory")
    parser.add_argument("--pool", required=True, metavar="FILE")
    parser.add_argument("-n", type=_positive_int, required=True, metavar="N", help="how many to suggest")
    parser.add_argument("--by", choices=("entropy", "margin"), default="entropy")
    parser.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    parser.add_argument("--batch-size", type=_positive_int, default=DEFAULT_BATCH_SIZE, metavar="N")
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    parser.set_defaults(run=run_suggest)


def add_export_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "export",
        help="export a trained model to ONNX (optionally int8) for fast CPU scoring",
        description=(
            "Write an ONNX copy of a trained model (dynamic batch and sequence axes) that "
            "StanceClassifier.from_pretrained and `newsstance score` load with onnxruntime."
        ),
    )
    parser.add_argument("--model", required=True, metavar="DIR", help="trained PyTorch model directory")
    parser.add_argument("--format", choices=("onnx",), default="onnx")
    parser.add_argument("--quantize", choices=("int8",), help="dynamic int8 quantization of the weights")
    parser.add_argument("--output", required=True, metavar="DIR", help="directory to write")
    parser.set_defaults(run=run_export)


def run_export(args: argparse.Namespace) -> int:
    from model.onnx_export import export_onnx

    written = export_onnx(Path(args.model), Path(args.output), args.quantize)
    print(f"wrote {args.format}{' ' + args.quantize if args.quantize else ''} model to {written}")
    return 0


def run_score(args: argparse.Namespace) -> int:
    from model.score_run import ScoreOptions, score_paths

    options = ScoreOptions(
        paths=args.paths,
        model=args.model,
        format=args.format,
        output=args.output,
        summary=args.summary,
        batch_size=args.batch_size,
        device=args.device,
        min_confidence=args.min_confidence,
        wrapped=args.wrapped,
    )
    return 1 if score_paths(options, sys.stdout, sys.stderr) else 0


def run_suggest(args: argparse.Namespace) -> int:
    from model.classifier import StanceClassifier
    from model.suggest import read_pool, suggest

    classifier = StanceClassifier.from_pretrained(args.model, device=args.device)
    picked = suggest(classifier, read_pool(args.pool), args.n, args.by, args.batch_size)
    lines = "".join(json.dumps(s.as_training_row(), ensure_ascii=False) + "\n" for s in picked)
    if args.output:
        try:
            Path(args.output).write_text(lines, encoding="utf-8")
        except OSError as error:
            raise NewsStanceError(f"--output {args.output}: cannot write ({error.strerror})") from None
    else:
        sys.stdout.write(lines)
    return 0


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive whole number")
    return number
