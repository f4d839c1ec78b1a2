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
    expected = (f"{small_catalog / 'claims.yaml'}:18: invalid YAML: duplicate key 'kind': "
                "the first one would be silently lost")
    for args in (["list"], ["claim", "grade", "ptsd-relief", "supported", "--certainty", "low", "--because", "x"]):
        result = invoke(args, code=2, catalog=small_catalog)
        assert result.stderr.strip() == expected
    assert expected in invoke(["check"], code=1, catalog=small_catalog).stdout.splitlines()  # a problem among others
    assert snapshot_files(small_catalog) == before


def test_misspelt_top_level_key_is_not_an_empty_catalog(small_catalog: Path):
    _break(small_catalog, "claims.yaml", "claims:\n", "claim:\n")
    result = invoke(["check"], code=1, catalog=small_catalog)
    assert "claims.yaml:1: must be a mapping with a 'claims:' list" in result.stdout
    _break(small_catalog, "claims.yaml", "claim:\n", "claims:\n")
    (small_catalog / "claims.yaml").write_text((small_catalog / "claims.yaml").read_text() + "sources: []\n")
    result = invoke(["list"], code=2, catalog=small_catalog)
    assert "claims.yaml:26: unknown top-level key 'sources'" in result.stderr


# --- hostile files: YAML the safe loader accepts but the model cannot take --------------------

HOSTILE_VALUES = [
    ("year: 1983", "year: 2020-13-45", 5, "'2020-13-45' is not a valid !!timestamp"),
    ("year: 1983", "year: 2020-02-30", 5, "'2020-02-30' is not a valid !!timestamp"),
    ("retracted: false", "retracted: !!bool maybe", 13, "'maybe' is not a valid !!bool"),
    ("year: 1983", "year: !!int abc", 5, "'abc' is not a valid !!int"),
    ("year: 1983", "year: !!float abc", 5, "'abc' is not a valid !!float"),
    ("year: 1983", 'year: "²⁰²⁰"', 5, "'year' must be a year like 2016"),  # passes str.isdigit()
    ("year: 1983", 'year: "٢٠٢٠"', 5, "'year' must be a year like 2016"),  # Arabic-Indic digits: int() takes them
    ("year: 1983", "year: " + "9" * 5000, 5, "a number longer than 1000 characters"),
    ("year: 1983", "year: 0x" + "f" * 5000, 5, "a number longer than 1000 characters"),
    ('pmid: "6317114"', 'pmid: "٦٣١٧١١٤"', 7, "'pmid' must be digits"),
    ("year: 1983", "year: 1983\n? [a, b]\n: c", 6, "a key must be a plain value, not a list or mapping"),
    ("year: 1983", "year: 1983\n? {a: 1}\n: c", 6, "a key must be a plain value, not a list or mapping"),
    ("year: 1983", "retrieved: 2020-01-01 10:00:00 +99:00", 5, "is not a valid !!timestamp"),
]


@pytest.mark.parametrize(("old", "new", "line", "message"), HOSTILE_VALUES)
def test_values_the_loader_takes_but_the_model_cannot_are_bad_input_with_their_line(
        small_catalog: Path, old: str, new: str, line: int, message: str):
    _break(small_catalog, "sources/anis1983.yaml", old, new)
    path = small_catalog / "sources" / "anis1983.yaml"
    before = snapshot_files(small_catalog)
    error = invoke(["list"], code=2, catalog=small_catalog).stderr.strip()
    assert error.startswith(f"{path}:{line}: ") and message in error, error
    assert "\n" not in error and "internal error" not in error
    problems = invoke(["check"], code=1, catalog=small_catalog).stdout.splitlines()  # one problem among the others
    assert any(p.startswith(f"{path}:{line}: ") and message in p for p in problems), problems
    assert snapshot_files(small_catalog) == before


@pytest.mark.parametrize(("old", "new", "line", "message"), HOSTILE_VALUES[:4] + HOSTILE_VALUES[7:8])
def test_hostile_values_in_claims_yaml_are_bad_input_and_one_problem_in_check(
        small_catalog: Path, old: str, new: str, line: int, message: str):
    key, value = new.split(": ", 1)
    _break(small_catalog, "claims.yaml", "    curator_extra: an unknown key a person added",
           f"    curator_extra: {value}")
    error = invoke(["list"], code=2, catalog=small_catalog).stderr.strip()
    assert error.startswith(f"{small_catalog / 'claims.yaml'}:14: ") and message in error, error
    problems = invoke(["check"], code=1, catalog=small_catalog).stdout.splitlines()
    assert problems == [error]  # the sources are still checked: they are clean


def test_yaml_key_on_still_means_on_in_searched_entries(small_catalog: Path):
    _break(small_catalog, "claims.yaml", "    curator_extra: an unknown key a person added",
           "    searched:\n      - on: 2026-01-05\n        database: PubMed\n        query: ketamine nmda\n"
           "        screened: 12\n        relevant: 1")
    search = load_catalog(small_catalog).claim("nmda-antagonism").searched[0]
    assert (search.on, search.database, search.screened) == ("2026-01-05", "PubMed", 12)


def test_a_utf8_byte_order_mark_is_read_as_utf8(small_catalog: Path):
    for name in ("claims.yaml", "sources/blog.yaml", "sources/blog.txt"):
        path = small_catalog / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(load_catalog(small_catalog).claims) == 2
    invoke(["check"], catalog=small_catalog)
    invoke(["claim", "link", "ptsd-relief", "anis1983", "--stance", "mentions"], catalog=small_catalog)
    assert (small_catalog / "claims.yaml").read_bytes().startswith(b"\xef\xbb\xbf# Hand-written")  # kept as found
    assert len(load_catalog(small_catalog).claim("ptsd-relief").evidence) == 2


# --- the row cache: stamped before reading, and checked by a checksum -------------------------


def test_a_file_replaced_while_parsed_by_a_copy_keeping_its_mtime_is_not_cached_stale(
        small_catalog: Path, monkeypatch: pytest.MonkeyPatch):
    import kclaims.catalog.files as catalog_module

    _age(small_catalog)
    path = small_catalog / "sources" / "feder2014.yaml"
    real_parse = catalog_module.parse_source

    def parse_while_rsync_replaces_it(text: str, where: Path):
        if where.name == "feder2014.yaml" and "year: 2014" in text:  # rsync -a: a new file, same size and mtime
            status = path.stat()
            copy = path.with_name(".feder2014.yaml.rsync")
            copy.write_text(text.replace("year: 2014", "year: 2015"), encoding="utf-8")
            os.utime(copy, ns=(status.st_atime_ns, status.st_mtime_ns))
            os.replace(copy, path)
        return real_parse(text, where)

    monkeypatch.setattr(catalog_module, "parse_source", parse_while_rsync_replaces_it)
    assert load_catalog(small_catalog).sources["feder2014"].year == 2014  # what was read when it was read
    monkeypatch.setattr(catalog_module, "parse_source", real_parse)  # not undo(): that would drop the cache folder
    assert load_catalog(small_catalog).sources["feder2014"].year == 2015


def _cache_file(cache: Path) -> Path:
    """The shard of the cache that holds the rows of claims.yaml's first chunk."""
    [location] = [p for p in cache.glob("catalog-*-claims-*.marshal") if b"ketamine can reduce pain" in p.read_bytes()]
    return location


def test_a_byte_flipped_cache_is_rebuilt_never_believed(small_catalog: Path, clean_environment: Path):
    _age(small_catalog)
    invoke(["show", "nmda-antagonism", "--json"], catalog=small_catalog)
    location = _cache_file(clean_environment)
    data = location.read_bytes()
    assert data.count(b"ketamine can reduce pain") == 1
    location.write_bytes(data.replace(b"ketamine can reduce pain", b"ketamine can cure pain"))
    shown = invoke(["show", "nmda-antagonism", "--json"], catalog=small_catalog).stdout
    assert "ketamine can reduce pain" in shown and "cure" not in shown
    assert b"ketamine can reduce pain" in location.read_bytes()  # rebuilt


@pytest.mark.parametrize("damage", ["truncate", "flip-last-byte", "flip-first-byte"])
def test_a_damaged_cache_is_rebuilt(small_catalog: Path, clean_environment: Path, damage: str):
    _age(small_catalog)
    expected = invoke(["list", "--json"], catalog=small_catalog).stdout
    invoke(["list", "--json"], catalog=small_catalog)  # the second run writes the verdicts too
    for location in clean_environment.glob("catalog-*.marshal"):
        data = bytearray(location.read_bytes())
        if damage == "truncate":
            data = data[: len(data) // 2]
        else:
            data[-1 if damage == "flip-last-byte" else 0] ^= 0x01
        location.write_bytes(bytes(data))
    assert invoke(["list", "--json"], catalog=small_catalog).stdout == expected
    assert invoke(["list", "--json"], catalog=small_catalog).stdout == expected


@pytest.mark.parametrize("text, message", [
    ("a: 1\na: 2\n", "x.yaml:2: invalid YAML: duplicate key 'a'"),
    ("true: 1\nTrue: 2\n", "x.yaml:1: invalid YAML: two keys that read as the same value"),
    ("? [a]\n: 1\n", "x.yaml:1: invalid YAML: a key must be a plain value"),
    ("year: 2020-13-45\n", "x.yaml:1: invalid YAML: '2020-13-45' is not a valid !!timestamp"),
])
def test_keys_that_would_lose_a_value_and_unreadable_values_are_refused_with_their_line(text: str, message: str):
    from kclaims.catalog.files import _parse_yaml

    with pytest.raises(BadInput) as raised:
        _parse_yaml(text, Path("x.yaml"))
    assert str(raised.value).startswith(message)
