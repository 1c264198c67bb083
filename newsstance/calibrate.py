"""`newsstance calibrate`: fit per-head temperatures on labelled dev data."""

import argparse
import sys
from pathlib import Path

from eval.word_dropout import DEFAULT_RATES
from model.errors import NewsStanceError
from model.labels import HEADS
from newsstance.arguments import add_device


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "calibrate",
        help="fit per-head temperatures on labelled dev data and save them in the model",
        description="Temperature scaling: fits T per head to minimise NLL on --data, pooled with copies "
        "of it with words deleted (--word-dropout), and writes stance_temperature and "
        "sentiment_temperature into MODEL/config.json.",
    )
    parser.add_argument(
        "--model", required=True, type=Path, help="trained model directory (changed in place)"
    )
    parser.add_argument(
        "--data", required=True, type=Path, help="labelled dev file, never the test file"
    )
    parser.add_argument(
        "--word-dropout",
        default=",".join(f"{rate:g}" for rate in DEFAULT_RATES),
        metavar="RATES",
        help="comma-separated shares of words to delete from copies of --data before fitting, so the "
        "temperature also holds on text unlike the training corpus; 0 alone is plain temperature "
        "scaling (default: %(default)s)",
    )
    add_device(parser)
    parser.set_defaults(run=run)


def _rates(text: str) -> tuple[float, ...]:
    """'0,0.1,0.2' -> (0.0, 0.1, 0.2); range checks happen in calibrate()."""
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise NewsStanceError(f"--word-dropout {text!r}: give comma-separated numbers, e.g. 0,0.1,0.2,0.3") from None


def run(args: argparse.Namespace) -> int:
    from eval.calibrate import calibrate
    from eval.calibration import calibration_warning

    result = calibrate(args.model, args.data, device=args.device, word_dropout=_rates(args.word_dropout))
    for head in HEADS:
        fitted = getattr(result, head)
        if fitted is None:
            print(f"{head}: no labelled rows in {args.data}; temperature left as it was")
            continue
        if fitted.problem:
            print(f"newsstance: warning: {calibration_warning(head, args.data, fitted.problem)}", file=sys.stderr)
        accuracies = ", ".join(f"{rate}: {accuracy:.2f}" for rate, accuracy in fitted.accuracy_at_word_dropout.items())
        print(
            f"{head}: accuracy by word-dropout rate {accuracies}; "
            f"T = {fitted.temperature:.3f}  ECE {fitted.ece_before:.3f} -> {fitted.ece_after:.3f}  "
            f"NLL {fitted.nll_before:.3f} -> {fitted.nll_after:.3f}  ({fitted.rows} sentences)"
        )
    print(f"saved temperatures in {args.model / 'config.json'}")
    return 0
