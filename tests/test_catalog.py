"""Finding and loading a catalog: strict errors with file and line, safe YAML, the derived cache."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import invoke, snapshot_files, write_small_catalog
from kclaims.catalog.files import find_catalog, init_catalog, load_catalog
from kclaims.errors import BadInput, CatalogNotFound


def test_load_small_catalog(small_catalog: Path):
    catalog = load_catalog(small_catalog)
    assert [c.id for c in catalog.claims] == ["nmda-antagonism", "ptsd-relief"]
    assert sorted(catalog.sources) == ["anis1983", "blog", "feder2014"]
    assert catalog.sources["anis1983"].pmid == "6317114"
    assert catalog.claims[0].made_in[0].source == "blog"


def test_find_catalog_walks_up_from_a_subfolder(small_catalog: Path):
    deep = small_catalog / "sources" / "nested"
    deep.mkdir()
    assert find_catalog(start=deep) == small_catalog.resolve()


def test_find_catalog_explains_how_to_get_one(tmp_path: Path):
    with pytest.raises(CatalogNotFound, match="kclaims init"):
        find_catalog(start=tmp_path)
    with pytest.raises(CatalogNotFound, match="not a kclaims catalog"):
        find_catalog(explicit=tmp_path)


def test_catalog_found_from_environment_variable(small_catalog: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("KCLAIMS_CATALOG", str(small_catalog))
    monkeypatch.chdir(tmp_path)
    result = invoke(["list", "--json"])
    assert '"nmda-antagonism"' in result.stdout


def test_init_makes_an_empty_catalog_and_refuses_twice(tmp_path: Path):
    root = init_catalog(tmp_path / "new")
    assert load_catalog(root).claims == []
    with pytest.raises(BadInput, match="already"):
        init_catalog(root)


def _break(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "old", "new", "line", "message"),
    [
        ("claims.yaml", "    kind: efficacy", "    kind: efficacious", 17, "'kind' is 'efficacious'; expected one of"),
        ("claims.yaml", "        stance: supports\n        note: Reduced", "        stance: maybe\n        note: Reduced",
         24, "'stance' is 'maybe'"),
        ("claims.yaml", "    topics: [ptsd]", "    topics: ptsd", 18, "'topics' must be a list"),
        ("claims.yaml", "  - id: ptsd-relief", "  - id: PTSD Relief", 15, "not a valid id"),
        ("claims.yaml", "    statement: Ketamine reduces PTSD symptoms.\n", "", 15, "'statement' is required"),
        ("claims.yaml", "    kind: efficacy\n", "    kind: efficacy\n  bad: [unclosed\n", 18, "invalid YAML"),
        ("sources/anis1983.yaml", "year: 1983", "year: nineteen", 5, "'year' must be a year"),
        ("sources/anis1983.yaml", "population: animal", "population: mice", 11, "'population' is 'mice'"),
        ("sources/anis1983.yaml", "id: anis1983", "id: anis1984", 1, "does not match the file name"),
        ("sources/anis1983.yaml", "design: null", "design: 7", 12, "'design' must be an evidence level"),
        ("sources/feder2014.yaml", 'pmid: "24740528"', "pmid: [1]", 7, "'pmid' must be digits"),
    ],
)
def test_bad_input_names_file_and_line_and_exits_2(small_catalog, name, old, new, line, message):
    _break(small_catalog, name, old, new)
    before = snapshot_files(small_catalog)
    result = invoke(["list"], code=2, catalog=small_catalog)
    error = result.stderr.strip()
    assert error.startswith(f"{small_catalog / name}:{line}: "), error
    assert message in error
    assert "\n" not in error and "Traceback" not in error
    assert snapshot_files(small_catalog) == before


def test_yaml_tags_that_construct_objects_are_refused(small_catalog: Path):
    _break(small_catalog, "claims.yaml", "    statement: Ketamine reduces PTSD symptoms.",
           "    statement: !!python/object/apply:os.system ['echo pwned']")
    result = invoke(["show", "ptsd-relief"], code=2, catalog=small_catalog)
    assert "tags that construct objects are not allowed" in result.stderr
    assert "claims.yaml:16:" in result.stderr


def test_missing_claims_file_is_bad_input(tmp_path: Path):
    result = invoke(["list"], code=2, catalog=tmp_path)
    assert "not a kclaims catalog" in result.stderr


def test_non_utf8_file_is_bad_input(small_catalog: Path):
    (small_catalog / "sources" / "blog.yaml").write_bytes(b"id: blog\ntitle: caf\xe9\n")
    result = invoke(["list"], code=2, catalog=small_catalog)
    assert "blog.yaml: not UTF-8" in result.stderr


def _age(root: Path, seconds: float = 10) -> None:
    """Make every file look older, so the cache (which skips just-written files) will keep them."""
    past = time.time() - seconds
    for path in root.rglob("*"):
        os.utime(path, (past, past))


def test_cache_serves_unchanged_files_and_notices_edits(small_catalog: Path, monkeypatch: pytest.MonkeyPatch):
    _age(small_catalog)
    load_catalog(small_catalog)

    import kclaims.catalog.files as catalog_module

    def no_parsing(*args, **kwargs):
        raise AssertionError("an unchanged file was parsed again")

    monkeypatch.setattr(catalog_module, "_parse_yaml", no_parsing)
    assert len(load_catalog(small_catalog).claims) == 2
    monkeypatch.undo()

    _break(small_catalog, "sources/feder2014.yaml", "year: 2014", "year: 2015")
    assert load_catalog(small_catalog).sources["feder2014"].year == 2015


def test_cache_is_disposable(small_catalog: Path, clean_environment: Path):
    _age(small_catalog)
    load_catalog(small_catalog)
    cached = list(clean_environment.glob("catalog-*.marshal"))
    assert cached
    cached[0].write_bytes(b"garbage")
    assert len(load_catalog(small_catalog).claims) == 2


def test_deleted_source_file_disappears_from_cached_catalog(small_catalog: Path):
    _age(small_catalog)
    load_catalog(small_catalog)
    (small_catalog / "sources" / "anis1983.yaml").unlink()
    assert "anis1983" not in load_catalog(small_catalog).sources


def test_lenient_load_collects_problems_and_keeps_good_entries(tmp_path: Path):
    root = write_small_catalog(tmp_path / "c")
    _break(root, "claims.yaml", "    kind: efficacy", "    kind: nonsense")
    catalog = load_catalog(root, strict=False)
    assert [c.id for c in catalog.claims] == ["nmda-antagonism"]
    assert len(catalog.problems) == 1 and catalog.problems[0].line == 17


def test_cached_verdicts_follow_an_edited_source(small_catalog: Path):
    from kclaims.catalog.query import select_claims

    def keys() -> list[str]:
        return [r.strength.key for r in select_claims(load_catalog(small_catalog))]

    _age(small_catalog, 20)
    assert keys() == keys() == ["supported-low", "supported-high"]
    _break(small_catalog, "sources/feder2014.yaml", "retracted: false", "retracted: false\nn: 41")
    _age(small_catalog, 15)  # an appraisal key added: imprecision now downgrades
    assert keys() == ["supported-low", "supported-moderate"]
    _break(small_catalog, "sources/feder2014.yaml", "retracted: false", "retracted: true")
    _age(small_catalog, 10)  # an edit made a while ago: only the stamps tell the cache it changed
    rows = select_claims(load_catalog(small_catalog))
    assert [r.strength.key for r in rows] == ["supported-low", "not-assessed"]
    assert rows[1].strength.retracted == ["feder2014"]


def test_plain_table_lines_up_and_cuts_statements_to_width(small_catalog: Path):
    from kclaims.catalog.query import select_claims
    from kclaims.cli.render import plain_claims_table

    rows = select_claims(load_catalog(small_catalog))
    wide = plain_claims_table(rows).splitlines()
    assert wide[0].split() == ["id", "statement", "kind", "topics", "verdict", "certainty", "articles", "papers"]
    assert wide[1].startswith("nmda-antagonism  Ketamine blocks NMDA glutamate receptors.")
    assert wide[1].index("supported") == wide[2].index("supported") == wide[0].index("verdict")
    assert wide[1].index("low") > wide[0].index("certainty")
    narrow = plain_claims_table(rows, width=100).splitlines()
    assert all(len(line) <= 100 for line in narrow)
    assert narrow[0].split() == ["id", "statement", "kind", "verdict", "certainty", "articles", "papers"]  # topics hidden
    assert "…" in narrow[1]
    coloured = plain_claims_table(rows, colour=True)
    assert "\x1b[32msupported\x1b[0m" in coloured


def test_cache_is_shared_between_relative_and_absolute_catalog_paths(small_catalog: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    _age(small_catalog)
    monkeypatch.chdir(small_catalog.parent)
    load_catalog(Path(small_catalog.name))

    import kclaims.catalog.files as catalog_module

    def no_parsing(*args, **kwargs):
        raise AssertionError("an unchanged file was parsed again")

    monkeypatch.setattr(catalog_module, "_parse_yaml", no_parsing)
    assert len(load_catalog(small_catalog.resolve()).sources) == 3


def test_duplicate_keys_are_refused_with_their_line(small_catalog: Path):
    _break(small_catalog, "claims.yaml", "    kind: efficacy\n", "    kind: efficacy\n    kind: mechanism\n")
    before = snapshot_files(small_catalog)
    for args in (["list"], ["check"], ["claim", "grade", "ptsd-relief", "supported", "--certainty", "low", "--because", "x"]):
        result = invoke(args, code=2, catalog=small_catalog)
        assert result.stderr.strip() == (f"{small_catalog / 'claims.yaml'}:18: invalid YAML: duplicate key 'kind': "
                                         "the first one would be silently lost")
    assert snapshot_files(small_catalog) == before


def test_misspelt_top_level_key_is_not_an_empty_catalog(small_catalog: Path):
    _break(small_catalog, "claims.yaml", "claims:\n", "claim:\n")
    result = invoke(["check"], code=2, catalog=small_catalog)
    assert "must be a mapping with a 'claims:' list" in result.stderr
    _break(small_catalog, "claims.yaml", "claim:\n", "claims:\n")
    (small_catalog / "claims.yaml").write_text((small_catalog / "claims.yaml").read_text() + "sources: []\n")
    result = invoke(["list"], code=2, catalog=small_catalog)
    assert "claims.yaml:26: unknown top-level key 'sources'" in result.stderr
