"""Defaults shared by the CLI and the code it runs; kept free of heavy imports so `--help` is instant."""

DEFAULT_BATCH_SIZE = 64
