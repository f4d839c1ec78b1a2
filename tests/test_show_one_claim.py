"""`show` reads only the claim it shows and the sources that claim names, from the cache; whatever
the cache cannot vouch for sends it to the full load, so what it shows is always the catalog's."""

import json
import os
import time
from pathlib import Path

import pytest

import kclaims.catalog.files as files_module
from conftest import invoke
from kclaims.catalog.one_claim import load_claim


def _age(root: Path, seconds: float = 10) -> None:
    past = time.time() - seconds
    for path in root.rglob("*"):
        os.utime(path, (past, past))


def _no_full_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the whole sources folder was listed")

    monkeypatch.setattr(files_module, "source_file_names", refuse)


def test_show_from_the_cache_reads_one_claim_and_shows_what_the_full_load_shows(
        shipped_catalog: Path, monkeypatch: pytest.MonkeyPatch):
    _age(shipped_catalog)
    full = invoke(["show", "rapid-antidepressant", "--json"], catalog=shipped_catalog).stdout
    text = invoke(["show", "rapid-antidepressant"], catalog=shipped_catalog).stdout
    _no_full_load(monkeypatch)
    loaded = load_claim(shipped_catalog, "rapid-antidepressant")
    assert [claim.id for claim in loaded.claims] == ["rapid-antidepressant"]
    assert set(loaded.sources) == loaded.claims[0].source_ids() & set(loaded.sources) != set()
    assert invoke(["show", "rapid-antidepressant", "--json"], catalog=shipped_catalog).stdout == full
    assert invoke(["show", "rapid-antidepressant"], catalog=shipped_catalog).stdout == text
    assert json.loads(full)["claims"][0]["strength"]["verdict"]


def test_an_edited_linked_source_is_read_again(shipped_catalog: Path):
    _age(shipped_catalog)
    claim = json.loads(invoke(["show", "rapid-antidepressant", "--json"], catalog=shipped_catalog).stdout)
    supporting = next(e["source"] for e in claim["claims"][0]["evidence"] if e["stance"] == "supports")
    path = shipped_catalog / "sources" / f"{supporting}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("retracted: false", "retracted: true"), encoding="utf-8")
    shown = json.loads(invoke(["show", "rapid-antidepressant", "--json"], catalog=shipped_catalog).stdout)
    assert next(s for s in shown["sources"] if s["id"] == supporting)["retracted"] is True


def test_an_unknown_claim_still_gets_the_full_loads_suggestions(shipped_catalog: Path):
    _age(shipped_catalog)
    invoke(["list"], catalog=shipped_catalog)
    result = invoke(["show", "rapid-antidepresant"], code=2, catalog=shipped_catalog)
    assert "did you mean: rapid-antidepressant" in result.stderr
