"""`newsstance suggest`: pick the unlabelled sentences worth labelling first."""

import argparse
import json
import sys

from model.suggest import MEASURES
from newsstance.arguments import add_batch_size, add_device, add_model, add_output_file, positive_int


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "suggest",
        help="pick the unlabelled sentences the model is least sure about, to label first",
        description=(
            "Rank a pool of unlabelled sentences (.jsonl with a 'text' field, or plain text with one "
            "sentence per line) by the model's stance uncertainty and write the top N in the training "
            "JSONL format, labels left null, most uncertain first."
        ),
    )
    add_model(parser)
    parser.add_argument("--pool", required=True, metavar="FILE")
    parser.add_argument("-n", type=positive_int, required=True, metavar="N", help="how many to suggest")
    parser.add_argument("--by", choices=MEASURES, default=MEASURES[0])
    add_output_file(parser)
    add_batch_size(parser)
    add_device(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from model.classifier import StanceClassifier
    from model.storage import check_outputs, output_file
    from model.suggest import read_pool, suggest

    check_outputs([("--pool", args.pool), ("--model", args.model)], [("--output", args.output)])
    classifier = StanceClassifier.from_pretrained(args.model, device=args.device)
    picked = suggest(classifier, read_pool(args.pool), args.n, args.by, args.batch_size)
    lines = "".join(json.dumps(s.as_training_row(), ensure_ascii=False) + "\n" for s in picked)
    if args.output:
        with output_file(args.output, "--output") as stream:
            stream.write(lines)
    else:
        sys.stdout.write(lines)
    return 0
