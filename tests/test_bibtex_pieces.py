"""A large .bib file is read in pieces by worker processes: what comes out (records, their order,
lines, warnings) is what reading it whole gives, with keys repeated across pieces, blocks that run
across a cut, and real-world files."""

from __future__ import annotations

import pytest

import kclaims.workers as workers_module
from conftest import DATA
from kclaims.literature import bibtex
from kclaims.literature.library import decode

BIB_FILES = sorted(p.name for p in (DATA / "bibtex").glob("*.bib"))


@pytest.fixture(autouse=True)
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers from two entries on (the command starts them from a few thousand)."""
    monkeypatch.setattr(workers_module, "worker_count", lambda items, worth_it_from=0: 2 if items >= 2 else 1)


def _text(name: str) -> str:
    return decode((DATA / "bibtex" / name).read_bytes()).text.lstrip("\ufeff")


def _entry(key: str, title: str = "A title") -> str:
    return f"@article{{{key},\n  title = {{{title}}},\n  author = {{Doe, Jane}},\n  year = {{2020}}\n}}\n\n"


@pytest.mark.parametrize("name", BIB_FILES)
def test_every_real_file_reads_in_pieces_as_it_reads_whole(name: str) -> None:
    text = _text(name)
    assert bibtex.read_bibtex(text) == bibtex._read_whole(text)


@pytest.mark.parametrize("name", ["zbb_issue97_jabref_911_entries_unicode.bib", "zbb_issue1436_506_entries_month_macros.bib",
                                  "typst_biblatex_gral_rep_key_duplicate.bib", "jabref_jabref-authors.bib"])
def test_large_real_files_are_read_in_pieces_not_whole(name: str) -> None:
    text = _text(name)
    starts = bibtex._piece_starts(text)
    assert len(starts) == 4  # two pieces for each of the two workers
    assert bibtex._read_in_pieces(text, starts) == bibtex._read_whole(text)


def test_a_key_repeated_in_a_later_piece_is_a_repeat_there_as_in_the_whole_file() -> None:
    text = (_entry("smith2020") + _entry("jones2021") + "% a comment between entries\n"
            + _entry("Smith2020", "Same key, other case") + _entry("smith2020", "Same key again")
            + _entry("lee2022") + _entry("smith2020", "And once more"))
    cut = text.index("@article{Smith2020")
    later = text.index("@article{lee2022")
    pieces = bibtex._read_in_pieces(text, [0, cut, later])
    whole = bibtex._read_whole(text)
    assert pieces == whole
    assert [entry.key for entry in whole.entries] == ["smith2020", "jones2021", "Smith2020", "smith2020", "lee2022",
                                                       "smith2020"]
    repeated = [line for line, message in whole.warnings if "'smith2020' was used before" in message]
    assert repeated == [entry.line for entry in whole.entries if entry.key == "smith2020"][1:]


def test_a_block_running_across_a_cut_sends_the_file_back_to_be_read_whole() -> None:
    text = (_entry("first") + "@article{open,\n  title = {Never closed,\n  year = {2020},\n\n"
            + _entry("after") + _entry("last"))
    cut = text.index("@article{after")
    assert bibtex._read_in_pieces(text, [0, cut]) is None  # the first piece ends in a block cut short
    whole = bibtex._read_whole(text)
    assert bibtex.read_bibtex(text) == whole
    assert [entry.key for entry in whole.entries] == ["first", "after", "last"]
    assert any("could not read this entry" in message for _, message in whole.warnings)


@pytest.mark.parametrize(("reaching", "crossref_field"), [('@string{jn = "Journal of Tests"}\n\n', ""),
                                                         ('@STRING{jn = "Journal of Tests"}\n\n', ""),
                                                         ("", "crossref"), ("", "CrossRef")])
def test_macros_and_crossrefs_keep_the_file_in_one_piece(reaching: str, crossref_field: str) -> None:
    crossref = f"@inproceedings{{part,\n  title = {{A part}},\n  {crossref_field} = {{whole}}\n}}\n\n" if not reaching else ""
    text = reaching + "".join(_entry(f"key{n}") for n in range(20)) + crossref + \
        "@proceedings{whole,\n  title = {The proceedings},\n  year = {2019},\n  journal = jn\n}\n"
    assert bibtex._piece_starts(text) == [0]
    entries = {entry.key: entry.record for entry in bibtex.read_bibtex(text).entries}
    if reaching:
        assert entries["whole"].journal == "Journal of Tests"
    else:
        assert entries["part"].year == 2019  # lent by its crossref parent, later in the file


def test_an_entry_without_a_key_lends_nothing_to_entries_without_a_crossref() -> None:
    text = "@proceedings{,\n  year = {1999},\n  publisher = {Lender}\n}\n\n" + _entry("plain")
    records = {entry.key: entry.record for entry in bibtex.read_bibtex(text).entries}
    assert records["plain"].publisher is None and records["plain"].year == 2020


def test_lines_after_a_line_ending_in_a_backslash_are_numbered_as_bibtexparser_numbers_them() -> None:
    """bibtexparser does not count a line break right after a backslash (a LaTeX `\\\\` ending a
    line of an abstract): the pieces' lines follow it, so they match the whole file's."""
    text = ("@article{first,\n  abstract = {One line\\\\\nand the next\\\\\nand more},\n  year = {2020}\n}\n\n"
            + "".join(_entry(f"key{n}") for n in range(6)) + "@article{broken,\n  title = {Never closed,\n\n"
            + "".join(_entry(f"later{n}") for n in range(6)))
    cut = text.index("@article{key3")
    pieces, whole = bibtex._read_in_pieces(text, [0, cut]), bibtex._read_whole(text)
    assert pieces == whole
    assert [entry.line for entry in whole.entries][4] == text[:cut].count("\n") - 1  # two breaks not counted
    assert whole.warnings and pieces is not None and pieces.warnings == whole.warnings
