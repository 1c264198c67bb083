"""Argument definitions shared by several subcommands, so each option is spelled and checked one way."""

import argparse

from model.defaults import DEFAULT_BATCH_SIZE
from model.device import DEVICE_CHOICES, check_device_name
from model.errors import NewsStanceError


def whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None


def positive_int(value: str) -> int:
    number = whole_number(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive whole number")
    return number


def device(value: str) -> str:
    try:
        return check_device_name(value)
    except NewsStanceError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_model(parser: argparse.ArgumentParser, help: str = "trained model directory") -> None:
    parser.add_argument("--model", required=True, metavar="DIR", help=help)


def add_device(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device", type=device, default="auto", metavar="DEVICE", help=f"{', '.join(DEVICE_CHOICES)} (default: auto)"
    )


def add_batch_size(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--batch-size", type=positive_int, default=DEFAULT_BATCH_SIZE, metavar="N", help="sentences per forward pass"
    )


def add_output_file(parser: argparse.ArgumentParser, help: str = "write here instead of standard output") -> None:
    parser.add_argument("--output", metavar="FILE", help=help)


def add_overwrite(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing directory that is not a newsstance model (its files are lost)",
    )
