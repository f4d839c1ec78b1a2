"""The shortcuts that make a 10,000-entry import fast give what the full parsers give, on every
name and page range of the real .bib files the tests hold."""

from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares.names import split_multiple_persons_names

from kclaims.literature import bibtex, names
from kclaims.literature.library import decode

BIB_FILES = sorted((Path(__file__).parent / "data" / "bibtex").glob("*.bib"))


def _fields(name: str) -> list[tuple[str, str]]:
    library = bibtexparser.parse_string(decode(name.read_bytes()).text)
    return [(field.key.lower(), field.value) for entry in library.entries for field in entry.fields
            if isinstance(field.value, str)]


@pytest.fixture(scope="module")
def all_fields() -> list[tuple[str, str]]:
    return [item for path in BIB_FILES for item in _fields(path)]


def test_plain_names_take_the_short_path_and_get_the_parsers_parts(all_fields, monkeypatch):
    plain = [name.strip() for key, value in all_fields if key in ("author", "editor")
             for name in split_multiple_persons_names(value) if names._simple_name(name.strip()) is not None]
    assert len(plain) > 5000
    short = [names._one_name(name) for name in plain]
    monkeypatch.setattr(names, "_simple_name", lambda name: None)
    assert [names._one_name(name) for name in plain] == short


def test_simple_page_ranges_take_the_short_path_and_get_the_decoders_range(all_fields, monkeypatch):
    pages = [value for key, value in all_fields if key == "pages"]
    assert sum(bool(bibtex._SIMPLE_PAGES.fullmatch(value)) for value in pages) > 500
    short = [bibtex._pages(value) for value in pages]
    monkeypatch.setattr(bibtex, "_SIMPLE_PAGES", __import__("re").compile(r"(?!)"))  # never matches
    assert [bibtex._pages(value) for value in pages] == short


def test_names_the_short_path_leaves_to_the_parser():
    for name in ("van der Maaten, Laurens", "Zarate, Jr, Carlos A.", "{Barnes and Noble}", "Fang, Tzu--Ning",
                 "Brise{\\~n}o-Garc{\\'\\i}a, A.", "family=Maaten, given=L."):
        assert names._simple_name(name) is None
    assert names._simple_name("Johansson, Håkan") is None  # not ASCII: the parser (and NFC) decide
    assert names._simple_name("Carlos A. Zarate") == {"family": "Zarate", "given": "Carlos A."}
