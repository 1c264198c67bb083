"""The `newsstance` command: parse arguments, call one function, turn user errors into one line."""

import argparse
import sys
from collections.abc import Sequence

from model.errors import NewsStanceError
from newsstance import agree, calibrate, evaluate, export, score, serve, suggest, teach, train

COMMANDS = (train, score, suggest, export, evaluate, calibrate, agree, serve, teach)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    import transformers

    transformers.utils.logging.disable_progress_bar()  # "Loading weights" bars on every load are noise here
    try:
        return int(args.run(args) or 0)
    except NewsStanceError as error:
        print(f"newsstance: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("newsstance: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsstance", description="Label what each sentence of a news article does.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


if __name__ == "__main__":
    sys.exit(main())
