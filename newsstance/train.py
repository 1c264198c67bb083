"""`newsstance train`: fine-tune a model from a YAML config."""

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from model.labels import HEADS
from newsstance.arguments import add_overwrite

if TYPE_CHECKING:
    from training.config import TrainConfig


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "train",
        help="fine-tune a model from a YAML config",
        description="Fine-tune a stance + sentiment model. Overrides take the form section.key=value.",
    )
    parser.add_argument("--config", required=True, help="YAML config, e.g. configs/default.yaml")
    parser.add_argument("--output", help="model directory (overrides training.output_dir)")
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint in the output directory")
    parser.add_argument("--init-from", metavar="DIR", help="start from a trained newsstance model (overrides model.init_from)")
    add_overwrite(parser)
    parser.add_argument("overrides", nargs="*", metavar="KEY=VALUE", help="e.g. training.epochs=1")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eval.calibration import calibration_warning
    from training.config import load_config
    from training.train import train, with_start_models_encoder

    overrides = list(args.overrides)
    if args.output:  # quoted: a path is a string, never YAML ("runs/exp #2" is not "runs/exp", 2024-06-01 no date)
        overrides.append(f"training.output_dir={json.dumps(args.output)}")
    if args.init_from:
        overrides.append(f"model.init_from={json.dumps(args.init_from)}")
    config, note = with_start_models_encoder(load_config(args.config, overrides))
    if note:
        print(f"newsstance: note: {note}", file=sys.stderr)
    metrics = train(config, resume=args.resume, overwrite=args.overwrite, keep=_kept(args.config, config))
    if int(os.environ.get("RANK", "0")) == 0:  # one report, not one per process under torchrun/accelerate
        print(f"saved model to {config.training.output_dir}")
        problems = {head: metrics.pop(f"{head}_calibration_problem", None) for head in HEADS}
        for key, value in metrics.items():
            print(f"  {key}: {value:.4f}" if isinstance(value, float) else f"  {key}: {value}")
        for head, problem in problems.items():
            if problem:  # a warning on stderr, not a metric line
                print(f"newsstance: warning: {calibration_warning(head, config.data.dev, str(problem))}", file=sys.stderr)
    return 0


def _kept(config_file: str, config: "TrainConfig") -> list[tuple[str, str]]:
    """The config file is the user's to keep, unless it is the output model's own record (retraining in place)."""
    from model.storage import TRAIN_CONFIG_FILE, same_path

    own_record = same_path(Path(config.training.output_dir, TRAIN_CONFIG_FILE), Path(config_file))
    return [] if own_record else [("the config file", config_file)]
