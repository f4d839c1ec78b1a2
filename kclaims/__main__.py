"""`python -m kclaims` runs the command line."""

from kclaims.cli import run

run()
