"""Docs generated from code: the CLI reference (docs/cli.md), the rubric tables (docs/evidence.md),
the extraction cue tables (docs/extract.md) and the report examples of docs/reports.md (a scorecard,
a Summary of Findings table and a diff, from the shipped catalog).

A development tool, not part of the package. Run `python tools/docs.py` after changing a command's
help, the rubric or the cues; tests fail while a committed file differs from a fresh render.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
GENERATE = "python tools/docs.py"
HELP_WIDTH = "100"
MARKERS = {"design-table": "design_table_markdown", "start-table": "start_table_markdown",
           "downgrade-table": "downgrade_table_markdown", "verdict-table": "verdict_table_markdown",
           "certainty-table": "certainty_table_markdown"}


def _command_paths() -> list[tuple[str, ...]]:
    import typer

    from kclaims.cli.app import app

    paths: list[tuple[str, ...]] = [()]

    def walk(group, prefix: tuple[str, ...]) -> None:
        for name in sorted(group.commands):
            command = group.commands[name]
            paths.append((*prefix, name))
            if hasattr(command, "commands"):
                walk(command, (*prefix, name))

    walk(typer.main.get_command(app), ())
    return paths


def _render_plain() -> str:
    from typer.testing import CliRunner

    from kclaims.cli.app import app

    parts = ["# Command-line reference\n",
             f"Generated from `--help` by `{GENERATE}`; do not edit by hand.\n"]
    for path in _command_paths():
        result = CliRunner().invoke(app, [*path, "--help"], prog_name="kclaims", terminal_width=int(HELP_WIDTH))
        title = " ".join(("kclaims", *path))
        parts.append(f"## {title}\n\n```text\n{result.stdout.rstrip()}\n```\n")
    return "\n".join(parts)


def cli_reference() -> str:
    """docs/cli.md as it should be: every command's plain-text --help, in a fresh interpreter
    (Typer decides between rich and plain help when it is imported)."""
    env = {**os.environ, "TYPER_USE_RICH": "0", "COLUMNS": HELP_WIDTH, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, __file__, "--print-cli"], capture_output=True, text=True,
                          env=env, check=True)
    return done.stdout


def evidence_doc(current: str) -> str:
    """docs/evidence.md with the tables between its markers rendered afresh from grade.py."""
    from kclaims import grade

    for marker, function in MARKERS.items():
        table = getattr(grade, function)()
        current = re.sub(rf"(<!-- {marker} -->\n).*?(<!-- /{marker} -->)", lambda m, t=table: m.group(1) + t + m.group(2),
                         current, flags=re.S)
    return current


def extract_doc(current: str) -> str:
    """docs/extract.md with the cue tables between its markers rendered afresh from the cue tables."""
    from kclaims.extract.cues import render_doc

    return render_doc(current)


REPORT_EXAMPLES = {"scorecard-example": "scorecard_example", "sof-example": "sof_example",
                   "diff-example": "diff_example"}
SOF_EXAMPLE_TOPIC = "glutamate"
DIFF_EXAMPLE_REVISION = "af295a7"  # the re-appraisal of every claim under rubric 2


def scorecard_example(root: Path) -> str:
    """The scorecard that opens `kclaims export --format md` of the catalog at `root`."""
    from kclaims.catalog.files import load_catalog
    from kclaims.catalog.query import select_claims
    from kclaims.export.markdown import scorecard_section
    from kclaims.export.view import Bibliography

    catalog = load_catalog(root)
    parts = scorecard_section(select_claims(catalog), Bibliography(catalog.sources.values()))
    return "\n\n".join(part.replace("## ", "### ", 1) if part.startswith("## ") else part for part in parts) + "\n"


def sof_example(root: Path) -> str:
    """`kclaims export --format sof --topic glutamate`, less its title and introduction."""
    from kclaims.catalog.files import load_catalog
    from kclaims.catalog.query import ClaimFilter, select_claims
    from kclaims.export.sof import sof_table_markdown, sof_tables

    catalog = load_catalog(root)
    tables = sof_tables(select_claims(catalog, ClaimFilter(topics=[SOF_EXAMPLE_TOPIC])), catalog.sources)
    table = next(t for t in tables if t.topic == SOF_EXAMPLE_TOPIC)
    return "\n\n".join(sof_table_markdown(table, level=3)) + "\n"


def diff_example(root: Path) -> str:
    """`kclaims diff af295a7` on the catalog at `root`, as a text block."""
    from kclaims.catalog.changes import diff_at
    from kclaims.export.changes import changes_lines

    return "```text\n" + "\n".join(changes_lines(diff_at(root, DIFF_EXAMPLE_REVISION))) + "\n```\n"


def reports_doc(current: str, root: Path = DOCS.parent) -> str:
    """docs/reports.md with its examples (scorecard, Summary of Findings, diff) rendered afresh from the
    catalog this repository ships."""
    for marker, function in REPORT_EXAMPLES.items():
        block = globals()[function](root)
        current = re.sub(rf"(<!-- {marker} -->\n).*?(<!-- /{marker} -->)", lambda m, t=block: m.group(1) + t + m.group(2),
                         current, flags=re.S)
    return current


def main() -> None:
    if sys.argv[1:] == ["--print-cli"]:
        sys.stdout.write(_render_plain())
        return
    (DOCS / "cli.md").write_text(cli_reference(), encoding="utf-8")
    evidence = DOCS / "evidence.md"
    evidence.write_text(evidence_doc(evidence.read_text(encoding="utf-8")), encoding="utf-8")
    extract = DOCS / "extract.md"
    extract.write_text(extract_doc(extract.read_text(encoding="utf-8")), encoding="utf-8")
    reports = DOCS / "reports.md"
    reports.write_text(reports_doc(reports.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {DOCS / 'cli.md'}, {evidence}, {extract} and {reports}")


if __name__ == "__main__":
    main()
