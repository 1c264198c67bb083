"""Command-line verbs that judge a model: `evaluate` and `calibrate`."""

import argparse
import sys
from pathlib import Path

from eval.bootstrap import DEFAULT_RESAMPLES
from eval.word_dropout import DEFAULT_RATES
from model.errors import NewsStanceError


def add_commands(commands: argparse._SubParsersAction) -> None:
    evaluate_parser = commands.add_parser(
        "evaluate",
        help="score a model on a labelled file and write a report",
        description="Metrics with bootstrap CIs, confusion matrices, calibration and the most confident "
        "mistakes, written to --output (default: MODEL/eval-<data file stem>).",
    )
    evaluate_parser.add_argument("--model", required=True, type=Path, help="trained model directory")
    evaluate_parser.add_argument("--data", required=True, type=Path, help="labelled JSONL or CSV file")
    evaluate_parser.add_argument(
        "--output", type=Path, help="report directory (default: MODEL/eval-<data stem>)"
    )
    evaluate_parser.add_argument(
        "--baselines",
        action="store_true",
        help="also train and score majority, TF-IDF + LR and cue-word baselines",
    )
    evaluate_parser.add_argument("--train", type=Path, help="training file for --baselines")
    evaluate_parser.add_argument(
        "--compare",
        type=Path,
        nargs="+",
        default=[],
        metavar="MODEL",
        help="other model directories to score on the same data, with a paired bootstrap of the difference",
    )
    evaluate_parser.add_argument(
        "--bootstrap",
        type=int,
        default=DEFAULT_RESAMPLES,
        metavar="N",
        help=f"bootstrap resamples for confidence intervals; 0 turns them off (default {DEFAULT_RESAMPLES})",
    )
    evaluate_parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    evaluate_parser.set_defaults(run=run_evaluate)

    calibrate_parser = commands.add_parser(
        "calibrate",
        help="fit per-head temperatures on labelled dev data and save them in the model",
        description="Temperature scaling: fits T per head to minimise NLL on --data, pooled with copies "
        "of it with words deleted (--word-dropout), and writes stance_temperature and "
        "sentiment_temperature into MODEL/config.json.",
    )
    calibrate_parser.add_argument(
        "--model", required=True, type=Path, help="trained model directory (changed in place)"
    )
    calibrate_parser.add_argument(
        "--data", required=True, type=Path, help="labelled dev file, never the test file"
    )
    calibrate_parser.add_argument(
        "--word-dropout",
        default=",".join(f"{rate:g}" for rate in DEFAULT_RATES),
        metavar="RATES",
        help="comma-separated shares of words to delete from copies of --data before fitting, so the "
        "temperature also holds on text unlike the training corpus; 0 alone is plain temperature "
        "scaling (default: %(default)s)",
    )
    calibrate_parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    calibrate_parser.set_defaults(run=run_calibrate)


def _rates(text: str) -> tuple[float, ...]:
    """'0,0.1,0.2' -> (0.0, 0.1, 0.2); range checks happen in calibrate()."""
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise NewsStanceError(f"--word-dropout {text!r}: give comma-separated numbers, e.g. 0,0.1,0.2,0.3") from None


def run_evaluate(args: argparse.Namespace) -> int:
    from eval.evaluate import evaluate, headline
    from eval.report import summary_table, training_overlap_warnings, write_report
    from model.model_card import record_evaluation

    if args.baselines != (args.train is not None):
        raise NewsStanceError("--baselines and --train FILE go together: the baselines are trained on FILE")
    if args.bootstrap < 0:
        raise NewsStanceError(f"--bootstrap {args.bootstrap}: give a number of resamples, or 0 for none")
    output = args.output or args.model / f"eval-{args.data.stem}"
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


def run_calibrate(args: argparse.Namespace) -> int:
    from eval.calibrate import calibrate

    result = calibrate(args.model, args.data, device=args.device, word_dropout=_rates(args.word_dropout))
    for head in ("stance", "sentiment"):
        fitted = result[head]
        if fitted is None:
            print(f"{head}: no labelled rows in {args.data}; temperature left as it was")
            continue
        accuracies = ", ".join(f"{rate}: {accuracy:.2f}" for rate, accuracy in fitted["accuracy_at_word_dropout"].items())
        print(
            f"{head}: accuracy by word-dropout rate {accuracies}; "
            f"T = {fitted['temperature']:.3f}  ECE {fitted['ece_before']:.3f} -> {fitted['ece_after']:.3f}  "
            f"NLL {fitted['nll_before']:.3f} -> {fitted['nll_after']:.3f}  ({fitted['rows']} sentences)"
        )
    print(f"saved temperatures in {args.model / 'config.json'}")
    return 0
