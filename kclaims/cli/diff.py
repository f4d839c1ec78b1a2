"""`kclaims diff`: what changed in the catalog since a git revision."""

from typing import Annotated

import typer

from kclaims.cli.app import app
from kclaims.cli.options import CatalogOption, JsonOption, catalog_root, print_plain
from kclaims.text import printable


@app.command("diff")
def diff(
    revision: Annotated[str, typer.Argument(
        metavar="[REV]", help="A git revision: a commit id, branch, tag, HEAD~3. Default: the last commit.")] = "HEAD",
    catalog: CatalogOption = None, json: JsonOption = False,
) -> None:
    """Compare the catalog at a git revision with the working tree: per claim, the verdict and certainty
    before and after and why; claims and sources added or removed.

    Reads the revision through git (nothing is checked out or written). Exit code 0 whether or not
    anything changed; 2 when the folder is not in a git repository or the revision does not exist.
    """
    from kclaims.catalog.changes import diff_at
    from kclaims.export.changes import changes_lines

    changes = diff_at(catalog_root(catalog), revision)
    if json:
        from kclaims.export.json import envelope

        print_plain(envelope(**changes.as_dict()))
        return
    for line in changes_lines(changes):
        typer.echo(printable(line))
