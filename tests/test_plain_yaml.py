"""The fast writer of new source files gives exactly ruamel's round-trip text, or steps aside."""

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kclaims.catalog import plain_yaml
from kclaims.catalog.files import load_catalog, parse_source
from kclaims.catalog.writing import _is_flow_list, _reads_back_as_string, checked_new_source, round_trip_text
from kclaims.catalog.writing import flow_list
from kclaims.catalog.source_file import is_empty, plain_data, source_yaml
from kclaims.literature.bibtex import read_bibtex
from kclaims.literature.library import decode
from kclaims.model import Invalid, source_from_dict

ROOT = Path(__file__).resolve().parent.parent
BIB_FILES = sorted((ROOT / "tests" / "data" / "bibtex").glob("*.bib"))


def fast(data: dict) -> str | None:
    return plain_yaml.dump(data, _is_flow_list, _reads_back_as_string)


def _texts(value) -> list[str]:
    if isinstance(value, dict):
        return [t for key, item in value.items() for t in [key, *_texts(item)]]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    return [value] if isinstance(value, str) else []


def ruamel_is_the_reference(data: dict) -> bool:
    """ruamel's text is what the fast writer must give, except where it writes a text bare that PyYAML
    reads as another type (`yes`): there the fast writer quotes it, deliberately."""
    return all(_reads_back_as_string(text) is not None for text in _texts(data))


def shipped_sources() -> list:
    return [load_catalog(ROOT).sources[source_id] for source_id in sorted(load_catalog(ROOT).sources)]


def test_every_shipped_source_is_written_as_ruamel_writes_it():
    sources = shipped_sources()
    written = 0
    for source in sources:
        data = source_yaml(source)
        text = fast(data)
        if text is not None and ruamel_is_the_reference(data):
            assert text == round_trip_text(data), source.id
            written += 1
    assert written >= len(sources) * 0.9  # the fast path is the common one, not the exception


@pytest.mark.parametrize("path", BIB_FILES, ids=lambda p: p.name)
def test_every_record_of_real_bibtex_files_is_written_as_ruamel_writes_it(path):
    records = [entry.record for entry in read_bibtex(decode(path.read_bytes()).text).entries]
    for number, record in enumerate(records):
        data = source_yaml(dataclasses.replace(record, id=f"s{number}"))
        text = fast(data)
        if text is not None and ruamel_is_the_reference(data):
            assert text == round_trip_text(data), (path.name, number)


def test_the_fast_path_covers_nearly_all_real_records():
    records = [entry.record for path in BIB_FILES
               for entry in read_bibtex(decode(path.read_bytes()).text).entries]
    covered = sum(fast(source_yaml(dataclasses.replace(r, id="s1"))) is not None for r in records)
    assert covered >= 0.9 * len(records) > 1000


# Strings built from the characters that change ruamel's choice of style
TRICKY = st.text(alphabet=list("aZ09 :#-?,[]{}&*!|>'\"%@`.~\\/=+é\u00a0\t\n\u2028\U0001F600"), max_size=12)
WORDS = st.sampled_from(["yes", "no", "on", "off", "null", "Null", "~", "true", "False", "1", "0x1F", "1e3",
                         "1.5", ".inf", "-.nan", "2020-01-01", "2020-01-01 10:00", "12:30", "0o17", "=", "<<",
                         "---", "...", "- a", "? b", ": c", "1_000", "+1", "-2", "0b11", ""])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(TRICKY, WORDS), min_size=1, max_size=4), st.one_of(TRICKY, WORDS))
def test_generated_strings_are_written_as_ruamel_writes_them(items, value):
    data = {"id": "s1", "title": value, "authors": flow_list(items), "mesh": items,
            "references": {value or "k": "s2"}, "extra": {"note": value},
            "author_parts": [{"family": value, "given": items[0]}]}
    text = fast(data)
    if text is not None and ruamel_is_the_reference(data):
        assert text == round_trip_text(data)


def test_values_it_does_not_mirror_go_to_ruamel(tmp_path):
    assert fast({"title": "two\nlines"}) is None
    assert fast({"title": "x" * 5000}) is None
    assert fast({"ratio": 1.5}) is None
    source = dataclasses.replace(shipped_sources()[0], id="s1", note="two\nlines")
    data = source_yaml(source)
    assert fast(data) is None
    assert checked_new_source(tmp_path / "s1.yaml", data) == round_trip_text(data).encode("utf-8")


@pytest.mark.parametrize("path", BIB_FILES, ids=lambda p: p.name)
def test_files_the_fast_writer_makes_load_back_as_the_records_they_hold(path, tmp_path):
    """New files from the fast writer are not parsed back as they are written (ruamel's are):
    here every real record shows that they load as the source they came from."""
    for number, entry in enumerate(read_bibtex(decode(path.read_bytes()).text).entries):
        source = dataclasses.replace(entry.record, id=f"s{number}")
        try:
            source_from_dict(plain_data(source))
        except Invalid:
            continue  # the import refuses it before anything is written ("cannot be stored")
        text = fast(source_yaml(source))
        if text is not None:
            loaded = plain_data(parse_source(text, tmp_path / f"s{number}.yaml"))
            expected = plain_data(source)
            assert {k: v for k, v in loaded.items() if not is_empty(v)} == \
                   {k: v for k, v in expected.items() if not is_empty(v)}, (path.name, number)


def test_a_text_the_two_yaml_libraries_read_differently_is_quoted_so_the_file_loads(tmp_path):
    assert _reads_back_as_string("yes") is None  # a string to ruamel (YAML 1.2), true to PyYAML (1.1)
    assert fast({"id": "s1", "title": "yes", "authors": flow_list(["On", "Smith J"])}) == \
        "id: s1\ntitle: 'yes'\nauthors: ['On', Smith J]\n"
    assert round_trip_text({"title": "yes"}) == "title: yes\n"  # ruamel's own would read back as true
    assert _reads_back_as_string("Ketamine") is True and _reads_back_as_string("2020") is False


def test_a_bib_entry_titled_yes_is_imported_not_the_whole_import_refused(tmp_path):
    from conftest import invoke

    from kclaims.catalog.files import init_catalog, load_catalog

    catalog = init_catalog(tmp_path / "catalog")
    bib = tmp_path / "yes.bib"
    bib.write_text("@article{a1, author = {Smith, John}, title = {Yes}, year = {2020}}\n"
                   "@article{a2, author = {On, Jane}, title = {Fine}, year = {2021}}\n", encoding="utf-8")
    invoke(["source", "import", str(bib)], catalog=catalog)
    loaded = load_catalog(catalog)
    assert sorted((s.title, s.authors[0]) for s in loaded.sources.values()) == [("Fine", "On J"), ("Yes", "Smith J")]


@settings(max_examples=300, deadline=None)
@given(st.one_of(WORDS, TRICKY, st.from_regex(r"[-+.0-9:eExXoObB_]{1,10}", fullmatch=True)))
def test_the_quick_resolver_check_agrees_with_both_yaml_libraries(text):
    import yaml
    from ruamel.yaml.nodes import ScalarNode

    from kclaims.catalog.writing import _round_trip

    string = "tag:yaml.org,2002:str"
    in_ruamel = _round_trip().resolver.resolve(ScalarNode, text, (True, False)) == string
    in_pyyaml = yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False)) == string
    assert _reads_back_as_string(text) == (in_ruamel if in_ruamel == in_pyyaml else None)


def test_a_line_as_long_as_the_limit_is_written_and_a_longer_one_is_left_to_ruamel():
    at_limit = "a" * (plain_yaml.MAX_LINE - len("title: "))
    assert fast({"title": at_limit}) == f"title: {at_limit}\n" == round_trip_text({"title": at_limit})
    assert fast({"title": at_limit + "a"}) is None
    nested = at_limit[:-1]  # "  note: " is one longer than "title: "
    assert fast({"extra": {"note": nested}}) == f"extra:\n  note: {nested}\n" == round_trip_text({"extra": {"note": nested}})
    assert fast({"extra": {"note": nested + "a"}}) is None
