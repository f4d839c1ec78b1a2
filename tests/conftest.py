"""Shared test fixtures: a clean environment, small real catalogs, and a CLI runner helper."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kclaims.cli.app import app

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))  # the docs generator is a development tool, not part of the package
DATA = Path(__file__).resolve().parent / "data"

ENVIRONMENT_TO_CLEAR = (
    "KCLAIMS_CATALOG", "KCLAIMS_CACHE_DIR", "KCLAIMS_TRACEBACK", "NCBI_API_KEY", "KCLAIMS_EMAIL",
    "KCLAIMS_EUTILS_URL", "KCLAIMS_IDCONV_URL", "KCLAIMS_EUROPEPMC_URL", "KCLAIMS_CROSSREF_URL",
    "XDG_CACHE_HOME", "NO_COLOR", "COLUMNS",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tests never see the user's catalog, cache or services; each gets its own cache folder."""
    for name in ENVIRONMENT_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("KCLAIMS_CACHE_DIR", str(cache))
    monkeypatch.setenv("COLUMNS", "200")
    return cache


SMALL_CLAIMS = """\
# Hand-written comment that must survive edits.
claims:
  - id: nmda-antagonism
    statement: Ketamine blocks NMDA glutamate receptors.
    kind: mechanism
    topics: [depression, chronic-pain]
    made_in:
      - source: blog
        quote: "By blocking this receptor, ketamine can reduce pain transmission"
    evidence:
      - source: anis1983
        stance: supports
        note: Ketamine selectively reduced NMDA-evoked excitation of spinal neurones.
    curator_extra: an unknown key a person added
  - id: ptsd-relief
    statement: Ketamine reduces PTSD symptoms.
    kind: efficacy
    topics: [ptsd]
    made_in:
      - source: blog
        quote: "ketamine may ease the symptoms of PTSD"
    evidence:
      - source: feder2014
        stance: supports
        note: Reduced PTSD symptom severity 24 hours after infusion versus midazolam.
"""

BLOG_SOURCE = """\
id: blog
kind: web-article
title: Ketamine for chronic pain
authors: []
year: 2021
site: Example Clinic
url: https://example.org/ketamine
population: unknown
retracted: false
retrieved: 2026-11-22
references: {}
"""

BLOG_TEXT = (
    "Ketamine works on the NMDA receptor. By blocking this receptor, ketamine can reduce pain transmission.\n"
    "Some say ketamine may ease the symptoms of PTSD.\n"
)

ANIS_SOURCE = """\
id: anis1983
kind: journal-article
title: The dissociative anaesthetics, ketamine and phencyclidine, selectively reduce excitation
authors: [Anis NA, Berry SC, Burton NR, Lodge D]
year: 1983
journal: British Journal of Pharmacology
pmid: "6317114"
pmcid: PMC2044888
doi: 10.1111/j.1476-5381.1983.tb11031.x
publication_types: [Journal Article]
population: animal
design: null
retracted: false
"""

FEDER_SOURCE = """\
id: feder2014
kind: journal-article
title: Efficacy of intravenous ketamine for treatment of chronic posttraumatic stress disorder
authors: [Feder A]
year: 2014
journal: JAMA Psychiatry
pmid: "24740528"
doi: 10.1001/jamapsychiatry.2014.62
publication_types: [Journal Article, Randomized Controlled Trial]
population: human
retracted: false
"""


def write_small_catalog(root: Path) -> Path:
    """A two-claim catalog with one web article (and its snapshot) and two papers."""
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "claims.yaml").write_text(SMALL_CLAIMS, encoding="utf-8")
    (root / "sources" / "blog.yaml").write_text(BLOG_SOURCE, encoding="utf-8")
    (root / "sources" / "blog.txt").write_text(BLOG_TEXT, encoding="utf-8")
    (root / "sources" / "anis1983.yaml").write_text(ANIS_SOURCE, encoding="utf-8")
    (root / "sources" / "feder2014.yaml").write_text(FEDER_SOURCE, encoding="utf-8")
    return root


@pytest.fixture
def small_catalog(tmp_path: Path) -> Path:
    return write_small_catalog(tmp_path / "catalog")


@pytest.fixture
def shipped_catalog(tmp_path: Path) -> Path:
    """A copy of the catalog this repository ships (claims.yaml and sources/)."""
    root = tmp_path / "shipped"
    root.mkdir()
    shutil.copy2(REPO / "claims.yaml", root / "claims.yaml")
    shutil.copytree(REPO / "sources", root / "sources")
    return root


def invoke(args: list[str], code: int = 0, catalog: Path | None = None, input: str | None = None):
    """Run the real `kclaims` command in-process; fail showing stderr when the exit code differs."""
    runner = CliRunner()
    full = list(args) + (["--catalog", str(catalog)] if catalog is not None else [])
    result = runner.invoke(app, full, input=input, catch_exceptions=False)
    assert result.exit_code == code, (
        f"kclaims {' '.join(full)} exited {result.exit_code}, expected {code}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    return result


def snapshot_files(root: Path) -> dict[str, bytes]:
    """Every catalog file under `root` with its bytes, to prove a command left them as they were.
    The empty lock file is left out: it only exists so processes can take turns."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".kclaims.lock"}
