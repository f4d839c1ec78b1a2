"""The command line: the Typer app, one module per command group, rich rendering, the review."""

from kclaims.cli.app import app, run

__all__ = ["app", "run"]
