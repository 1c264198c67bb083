"""`newsstance suggest`: pick the unlabelled sentences worth labelling first."""

import argparse
import json
import sys

from model.suggest import MEASURES
from newsstance.arguments import add_batch_size, add_device, add_model, add_output_file, positive_int

FORMATS = ("jsonl", "label-studio")


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "suggest",
        help="pick the unlabelled sentences the model is least sure about, to label first",
        description=(
            "Rank a pool of unlabelled sentences (.jsonl with a 'text' field, a Label Studio .json "
            "export, a .csv with a 'text' column, or plain text with one sentence per line) by the "
            "model's stance uncertainty (--by entropy or margin) or by "
            "uncertainty spread over the encoder's embedding space (--by diverse), and write the top N: "
            "in the training JSONL format with labels left null, or as Label Studio import tasks with the "
            "model's labels as pre-annotations (--format label-studio)."
        ),
    )
    add_model(parser)
    parser.add_argument("--pool", required=True, metavar="FILE")
    parser.add_argument("-n", type=positive_int, required=True, metavar="N", help="how many to suggest")
    parser.add_argument("--by", choices=MEASURES, default=MEASURES[0],
                        help="entropy or margin: the most uncertain first; diverse: uncertain and spread out")
    parser.add_argument("--labelled", metavar="FILE",
                        help="sentences already labelled (same formats as --pool): never suggested, and with "
                        "--by diverse their near-duplicates are skipped too")
    parser.add_argument("--format", choices=FORMATS, default=FORMATS[0],
                        help="jsonl: training rows with null labels; label-studio: a JSON list of import tasks")
    add_output_file(parser)
    add_batch_size(parser)
    add_device(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from model.classifier import StanceClassifier
    from model.label_studio import task
    from model.storage import check_outputs, output_file
    from model.suggest import read_pool, suggest

    inputs = [("--pool", args.pool), ("--model", args.model)] + ([("--labelled", args.labelled)] if args.labelled else [])
    check_outputs(inputs, [("--output", args.output)])
    labelled = [sentence.text for sentence in read_pool(args.labelled, "--labelled")] if args.labelled else []
    classifier = StanceClassifier.from_pretrained(args.model, device=args.device)
    picked = suggest(classifier, read_pool(args.pool), args.n, args.by, args.batch_size, labelled)
    if len(picked) < args.n:  # an empty or already-labelled pool is worth a word, not a silent []
        skipped = "repeats and labelled sentences" + (" and near-copies of either" if args.by == "diverse" else "")
        print(f"newsstance: note: {len(picked)} of the {args.n} asked for: the pool holds no more once {skipped} "
              "are left out", file=sys.stderr)
    if args.format == "label-studio":
        version = f"newsstance {args.model}"
        tasks = [task(s.text, s.source, s.model_stance, s.model_sentiment, s.model_stance_prob, version) for s in picked]
        text = json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"
    else:
        text = "".join(json.dumps(s.as_training_row(), ensure_ascii=False) + "\n" for s in picked)
    if args.output:
        with output_file(args.output, "--output") as stream:
            stream.write(text)
    else:
        sys.stdout.write(text)
    return 0
