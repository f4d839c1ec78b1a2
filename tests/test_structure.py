"""The shape of the code: the core never imports the CLI, heavy libraries stay where they belong,
and generated docs are current."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO

CORE_MODULES = ["kclaims.model", "kclaims.grade", "kclaims.catalog", "kclaims.cache", "kclaims.query",
                "kclaims.check", "kclaims.edit", "kclaims.ids", "kclaims.export", "kclaims.export.json",
                "kclaims.sources", "kclaims.bibtex", "kclaims.report", "kclaims.evidence_map", "kclaims.extract",
                "kclaims.webpage", "kclaims.web_sources", "kclaims.export.markdown", "kclaims.export.html",
                "kclaims.export.csv", "kclaims.export.csl", "kclaims.export.bibtex"]


def _modules_after_import(module: str) -> set[str]:
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return set(json.loads(done.stdout))


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_cli_and_no_network(module: str):
    loaded = _modules_after_import(module)
    assert not {"typer", "rich", "kclaims.cli", "kclaims.render"} & loaded
    assert "requests" not in loaded


def test_version_imports_nothing_heavy():
    code = ("import sys, json\nfrom kclaims import cli\nprint(json.dumps(sorted(sys.modules)))")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                           check=True, cwd=REPO).stdout))
    assert not {"rich", "requests", "yaml", "ruamel", "bibtexparser", "kclaims.export.json"} & loaded


def test_evidence_doc_tables_are_current():
    from kclaims.docs import evidence_doc

    current = (REPO / "docs" / "evidence.md").read_text(encoding="utf-8")
    assert evidence_doc(current) == current, "docs/evidence.md is stale: run `python -m kclaims.docs`"
    assert "| 2 | randomized controlled trial | Randomized Controlled Trial |" in current
