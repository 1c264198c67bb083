"""`newsstance score`: label every sentence of news articles."""

import argparse
import sys

from model.articles.options import FORMATS, ScoreOptions
from newsstance.arguments import add_batch_size, add_device, add_model, add_output_file


def add_parser(commands: argparse._SubParsersAction) -> None:
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
    add_model(parser)
    parser.add_argument("--format", choices=FORMATS, default=ScoreOptions.format)
    add_output_file(parser)
    parser.add_argument("--summary", metavar="FILE", help="also write per-article label counts as JSON")
    add_batch_size(parser)
    add_device(parser)
    parser.add_argument(
        "--min-confidence",
        type=float,
        default=ScoreOptions.min_confidence,
        metavar="P",
        help="report the stance as 'uncertain' below this probability (the guess stays in stance_guess)",
    )
    parser.add_argument(
        "--wrapped",
        action="store_true",
        help="the text is hard-wrapped (wire feeds, e-mail, PDF text): a single line break is a space "
        "and only a blank line ends a paragraph; by default every line break ends a sentence",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from model.articles.run import score_paths

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
