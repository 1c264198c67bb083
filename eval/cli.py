"""Command-line verbs that judge a model."""

import argparse


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Evaluation arrives with the `evaluate` command."""
