"""`python -m kclaims` runs the command line."""

from kclaims.cli.app import run

run()
