"""Command-line verbs that only need a trained model: scoring articles."""

import argparse


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Scoring arrives with the `score` command."""
