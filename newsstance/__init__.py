"""The `newsstance` command line: argument parsing only.

Each subcommand module adds its parser and a `run(args)` that calls one plain library function and
prints; the libraries (`model`, `eval`, `training`) never import this package.
"""
