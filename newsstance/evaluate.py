"""`newsstance evaluate`: score a model on a labelled file and write a report."""

import argparse
import sys
from pathlib import Path

from eval.bootstrap import DEFAULT_RESAMPLES
from model.errors import NewsStanceError
from newsstance.arguments import add_device


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "evaluate",
        help="score a model on a labelled file and write a report",
        description="Metrics with bootstrap CIs, confusion matrices, calibration and the most confident "
        "mistakes, written to --output (default: MODEL/eval-<data file stem>).",
    )
    parser.add_argument("--model", required=True, type=Path, help="trained model directory")
    parser.add_argument("--data", required=True, type=Path, help="labelled JSONL or CSV file")
    parser.add_argument(
        "--output", type=Path, help="report directory (default: MODEL/eval-<data stem>)"
    )
    parser.add_argument(
        "--baselines",
        action="store_true",
        help="also train and score majority, TF-IDF + LR and cue-word baselines",
    )
    parser.add_argument("--train", type=Path, help="training file for --baselines")
    parser.add_argument(
        "--compare",
        type=Path,
        nargs="+",
        default=[],
        metavar="MODEL",
        help="other model directories to score on the same data, with a paired bootstrap of the difference",
    )
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=DEFAULT_RESAMPLES,
        metavar="N",
        help=f"bootstrap resamples for confidence intervals; 0 turns them off (default {DEFAULT_RESAMPLES})",
    )
    add_device(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eval.evaluate import evaluate, headline
    from eval.report import REPORT_FILES, summary_table, training_overlap_warnings, write_report
    from model.model_card import record_evaluation
    from model.storage import check_outputs

    if args.baselines != (args.train is not None):
        raise NewsStanceError("--baselines and --train FILE go together: the baselines are trained on FILE")
    if args.bootstrap < 0:
        raise NewsStanceError(f"--bootstrap {args.bootstrap}: give a number of resamples, or 0 for none")
    output = args.output or args.model / f"eval-{args.data.stem}"
    inputs = [("--data", args.data)] + ([("--train", args.train)] if args.train else [])
    check_outputs(inputs, [("--output", output / name) for name in REPORT_FILES])
    evaluation = evaluate(
        args.model, args.data, args.train, args.bootstrap, device=args.device, compare=args.compare
    )
    write_report(evaluation, output)
    record_evaluation(args.model, str(args.data), headline(evaluation.metrics))
    for warning in training_overlap_warnings(evaluation.metrics):
        print(f"newsstance: warning: {warning}", file=sys.stderr)
    print(summary_table(evaluation.metrics))
    print(f"report: {output / 'report.md'}")
    return 0
