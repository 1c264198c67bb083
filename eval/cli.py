"""Command-line verbs that judge a model: `evaluate` and `calibrate`."""

import argparse
from pathlib import Path

from eval.bootstrap import DEFAULT_RESAMPLES
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
        description="Temperature scaling: fits T per head to minimise NLL on --data and writes "
        "stance_temperature and sentiment_temperature into MODEL/config.json.",
    )
    calibrate_parser.add_argument(
        "--model", required=True, type=Path, help="trained model directory (changed in place)"
    )
    calibrate_parser.add_argument(
        "--data", required=True, type=Path, help="labelled dev file, never the test file"
    )
    calibrate_parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    calibrate_parser.set_defaults(run=run_calibrate)


def run_evaluate(args: argparse.Namespace) -> int:
    from eval.evaluate import evaluate, headline
    from eval.report import summary_table, write_report
    from model.model_card import record_evaluation

    if args.baselines != (args.train is not None):
        raise NewsStanceError("--baselines and --train FILE go together: the baselines are trained on FILE")
    if args.bootstrap < 0:
        raise NewsStanceError(f"--bootstrap {args.bootstrap}: give a number of resamples, or 0 for none")
    output = args.output or args.model / f"eval-{args.data.stem}"
    evaluation = evaluate(args.model, args.data, args.train, args.bootstrap, device=args.device)
    write_report(evaluation, output)
    record_evaluation(args.model, str(args.data), headline(evaluation.metrics))
    print(summary_table(evaluation.metrics))
    print(f"report: {output / 'report.md'}")
    return 0


def run_calibrate(args: argparse.Namespace) -> int:
    from eval.calibrate import calibrate

    result = calibrate(args.model, args.data, device=args.device)
    for head in ("stance", "sentiment"):
        fitted = result[head]
        if fitted is None:
            print(f"{head}: no labelled rows in {args.data}; temperature left as it was")
            continue
        print(
            f"{head}: T = {fitted['temperature']:.3f}  ECE {fitted['ece_before']:.3f} -> {fitted['ece_after']:.3f}  "
            f"NLL {fitted['nll_before']:.3f} -> {fitted['nll_after']:.3f}  ({fitted['rows']} sentences)"
        )
    print(f"saved temperatures in {args.model / 'config.json'}")
    return 0
