"""`newsstance serve`: the model as an HTTP service (placeholder until the server lands)."""

import argparse


def add_parser(commands: argparse._SubParsersAction) -> None:
    pass
