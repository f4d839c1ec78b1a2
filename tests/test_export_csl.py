"""CSL-JSON: valid against the official CSL-JSON schema, and read by a real client (Pandoc's citeproc),
which must render every source with no warning. The BibTeX export gets the same Pandoc check."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from conftest import DATA, invoke
from report_fixtures import HOSTILE, REPORT_SOURCES, write_hostile_catalog, write_report_catalog

from kclaims.export.csl import csl_issued, csl_name
from kclaims.model import Source

SCHEMA = json.loads((DATA / "csl" / "csl-data.json").read_text(encoding="utf-8"))
PANDOC_FORMATS = {"csl-json": "json", "bibtex": "bibtex"}  # export format -> the extension Pandoc reads it by


def _csl(root: Path, *filters: str) -> list[dict]:
    return json.loads(invoke(["export", "--format", "csl-json", *filters], catalog=root).stdout)


def test_csl_json_is_valid_against_the_schema(tmp_path):
    items = _csl(write_report_catalog(tmp_path / "c"))
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    jsonschema.Draft7Validator(SCHEMA).validate(items)
    assert {item["id"] for item in items} == {s["id"] for s in REPORT_SOURCES}


def test_csl_json_items_carry_the_bibliographic_fields(tmp_path):
    items = {item["id"]: item for item in _csl(write_report_catalog(tmp_path / "c"))}
    assert items["meta2020"] == {
        "id": "meta2020", "type": "article-journal", "title": "Ketamine for depression: a meta-analysis",
        "container-title": "Journal of Affective Disorders", "volume": "270", "issue": "1", "page": "1-10",
        "DOI": "10.1000/meta.2020", "PMID": "22222222",
        "author": [{"family": "Smith", "given": "J."}, {"family": "Jones", "given": "A. B."}],
        "issued": {"date-parts": [[2020]]},
    }
    assert items["anis1983"]["PMCID"] == "PMC2044888"
    news = items["news"]
    assert news["type"] == "webpage" and news["URL"] == "https://news.example.com/k?id=1&x=2"
    assert news["author"] == [{"literal": "Jane Doe"}]
    assert news["issued"] == {"date-parts": [[2023, 5, 4]]}
    assert news["accessed"] == {"date-parts": [[2026, 11, 20]]}
    assert items["retracted2015"]["note"] == "Retracted publication."


def test_csl_json_follows_the_filters(tmp_path):
    items = _csl(write_report_catalog(tmp_path / "c"), "--topic", "ptsd")
    assert sorted(item["id"] for item in items) == ["news", "null2021", "rct2019"]


def test_hostile_csl_json_is_still_valid(tmp_path):
    items = _csl(write_hostile_catalog(tmp_path / "c"))
    jsonschema.Draft7Validator(SCHEMA).validate(items)
    assert {item["title"] for item in items} == {HOSTILE}


@pytest.mark.parametrize("author, name", [
    ("Anis NA", {"family": "Anis", "given": "N. A."}),
    ("van der Berg JH", {"family": "van der Berg", "given": "J. H."}),
    ("Doe, Jane", {"family": "Doe", "given": "Jane"}),
    ("World Health Organization", {"literal": "World Health Organization"}),
    ("Jane Doe", {"literal": "Jane Doe"}),
])
def test_csl_names(author, name):
    assert csl_name(author) == name


def test_csl_issued_prefers_a_full_date_that_agrees_with_the_year():
    assert csl_issued(Source("a", year=2020, date="2020-09")) == {"date-parts": [[2020, 9]]}
    assert csl_issued(Source("a", year=2021, date="2020-09-01")) == {"date-parts": [[2021]]}
    assert csl_issued(Source("a")) is None


# --- a real client: Pandoc's citeproc -------------------------------------------------------------


def _pandoc() -> str:
    found = shutil.which("pandoc")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("pandoc is not installed: CI must `apt-get install -y pandoc`")
    pytest.skip("pandoc is not installed (apt-get install pandoc); CI runs this test")


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def _render_with_pandoc(bibliography: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_pandoc(), "--citeproc", "--bibliography", str(bibliography), "--from", "markdown", "--to", "plain",
         "--wrap", "none"],
        input="---\nnocite: '@*'\n---\n", capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("export_format", list(PANDOC_FORMATS))
@pytest.mark.parametrize("which", ["report", "shipped"])
def test_pandoc_citeproc_renders_every_source_without_warning(export_format, which, tmp_path, request):
    root = write_report_catalog(tmp_path / "c") if which == "report" else request.getfixturevalue("shipped_catalog")
    bibliography = tmp_path / f"sources.{PANDOC_FORMATS[export_format]}"
    invoke(["export", "--format", export_format, "--output", str(bibliography)], catalog=root)
    sources = json.loads(invoke(["export", "--format", "json"], catalog=root).stdout)["sources"]
    done = _render_with_pandoc(bibliography)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", f"pandoc warned:\n{done.stderr}"
    entries = [block for block in done.stdout.strip().split("\n\n") if block.strip()]
    assert len(entries) == len(sources), done.stdout
    rendered = _letters(done.stdout)
    missing = [s["id"] for s in sources if s["title"] and _letters(s["title"]) not in rendered]
    assert not missing, f"titles not rendered: {missing}\n{done.stdout}"
