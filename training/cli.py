"""The `newsstance` command: parse arguments, call one function, turn user errors into one line."""

import argparse
import os
import sys
from collections.abc import Sequence

import transformers

from model.errors import NewsStanceError
from training.config import load_config


def main(argv: Sequence[str] | None = None) -> int:
    transformers.utils.logging.disable_progress_bar()  # "Loading weights" bars on every load are noise here
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except NewsStanceError as error:
        print(f"newsstance: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("newsstance: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    import eval.cli
    import model.cli

    parser = argparse.ArgumentParser(
        prog="newsstance", description="Label what each sentence of a news article does."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_train_command(commands)
    model.cli.add_commands(commands)
    eval.cli.add_commands(commands)
    return parser


def add_train_command(commands: argparse._SubParsersAction) -> None:
    train_parser = commands.add_parser(
        "train",
        help="fine-tune a model from a YAML config",
        description="Fine-tune a stance + sentiment model. Overrides take the form section.key=value.",
    )
    train_parser.add_argument("--config", required=True, help="YAML config, e.g. configs/default.yaml")
    train_parser.add_argument("--output", help="model directory (overrides training.output_dir)")
    train_parser.add_argument(
        "--resume", action="store_true", help="continue from the last checkpoint in the output directory"
    )
    train_parser.add_argument("overrides", nargs="*", metavar="KEY=VALUE", help="e.g. training.epochs=1")
    train_parser.set_defaults(run=run_train)


def run_train(args: argparse.Namespace) -> int:
    from training.train import train

    overrides = list(args.overrides)
    if args.output:
        overrides.append(f"training.output_dir={args.output}")
    config = load_config(args.config, overrides)
    metrics = train(config, resume=args.resume)
    if int(os.environ.get("RANK", "0")) == 0:  # one report, not one per process under torchrun/accelerate
        print(f"saved model to {config.training.output_dir}")
        for key, value in metrics.items():
            print(f"  {key}: {value:.4f}" if isinstance(value, float) else f"  {key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
