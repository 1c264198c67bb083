"""`newsstance teach`: a teacher model's calibrated probabilities for every training sentence (distillation)."""

import argparse
from pathlib import Path

from newsstance.arguments import add_batch_size, add_device


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "teach",
        help="write a teacher model's (or an ensemble's) probabilities for training files, for distill.teacher in a config",
        description=(
            "Score every sentence of the labelled --data files with a trained (usually larger) model and "
            "write its calibrated stance and sentiment probabilities as JSONL, one row per distinct "
            "sentence. A student config points distill.teacher at the file. These are a model's "
            "probabilities, not labels: they live in their own file."
        ),
    )
    parser.add_argument(
        "--model",
        required=True,
        nargs="+",
        type=Path,
        metavar="DIR",
        help="the teacher: a trained model directory, or several (e.g. one config over seeds) whose probabilities "
        "are averaged",
    )
    parser.add_argument("--data", required=True, nargs="+", type=Path, metavar="FILE", help="labelled training files")
    parser.add_argument(
        "--unlabelled",
        nargs="+",
        default=[],
        type=Path,
        metavar="FILE",
        help="JSONL files of further sentences ({\"text\": ...}) for distill.transfer: the student learns them "
        "from the teacher alone",
    )
    parser.add_argument("--output", required=True, type=Path, metavar="FILE", help="teacher probabilities (JSONL)")
    add_batch_size(parser)
    add_device(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from model.storage import check_outputs
    from training.distill import write_teacher_file

    inputs = [("--data", path) for path in args.data] + [("--unlabelled", path) for path in args.unlabelled]
    check_outputs(inputs, [("--output", args.output)])
    count = write_teacher_file(args.model, args.data, args.output, args.device, args.batch_size, args.unlabelled)
    print(f"wrote the teacher's probabilities for {count} sentences to {args.output}")
    return 0
