"""The shape of the code: the core never imports the CLI, heavy libraries stay where they belong,
and generated docs are current."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO

CORE_MODULES = ["kclaims.model", "kclaims.grade", "kclaims.catalog.files", "kclaims.catalog.cache", "kclaims.catalog.query",
                "kclaims.catalog.check", "kclaims.catalog.edit", "kclaims.literature.ids", "kclaims.export", "kclaims.export.json",
                "kclaims.literature.add", "kclaims.literature.bibtex", "kclaims.export.view", "kclaims.export.evidence_map", "kclaims.extract.extraction",
                "kclaims.literature.webpage", "kclaims.literature.web", "kclaims.export.markdown", "kclaims.export.html",
                "kclaims.export.csv", "kclaims.export.csl", "kclaims.export.bibtex"]


def _modules_after_import(module: str) -> set[str]:
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return set(json.loads(done.stdout))


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_cli_and_no_network(module: str):
    loaded = _modules_after_import(module)
    assert not {"typer", "rich", "kclaims.cli", "kclaims.cli.render"} & loaded
    assert "requests" not in loaded


def test_version_imports_nothing_heavy():
    code = ("import sys, json\nfrom kclaims.cli import app as cli\nprint(json.dumps(sorted(sys.modules)))")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                           check=True, cwd=REPO).stdout))
    assert not {"rich", "requests", "yaml", "ruamel", "bibtexparser", "kclaims.export.json"} & loaded


def test_evidence_doc_tables_are_current():
    from docs import evidence_doc

    current = (REPO / "docs" / "evidence.md").read_text(encoding="utf-8")
    assert evidence_doc(current) == current, "docs/evidence.md is stale: run `python tools/docs.py`"
    assert "| 2 | randomized controlled trial | Randomized Controlled Trial |" in current
