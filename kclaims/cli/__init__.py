"""The command line: the Typer app, one module per command group, rich rendering, the review.

Importing this package registers every command on `app`, in the order `kclaims --help` lists them;
`run` is the console-script entry point.
"""
# isort: skip_file

from kclaims.cli.app import app, run
from kclaims.cli import claims  # noqa: F401 - init, list, show, claim ...
from kclaims.cli import reports  # noqa: F401 - check, export, map
from kclaims.cli import sources  # noqa: F401 - source ...
from kclaims.cli import search  # noqa: F401 - search, claim find
from kclaims.cli import changes  # noqa: F401 - claim edit, rm, unlink, unquote, merge; open
from kclaims.cli import extract  # noqa: F401 - extract
from kclaims.cli import diff  # noqa: F401 - diff

__all__ = ["app", "run"]
