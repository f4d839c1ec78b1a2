"""Hostile data on the way out: terminal controls never reach the screen, one huge cell cannot
inflate a listing, citation keys never become Windows device names, and `--output` never replaces
a symlink, a FIFO or a device."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from conftest import invoke, snapshot_files
from kclaims.cli.render import PLAIN_COLUMN_CAP, plain_table
from kclaims.literature.source_ids import new_source_id
from kclaims.model import is_windows_device, windows_safe
from kclaims.literature.clean import printable_record
from kclaims.model import Source
from kclaims.text import printable

# What a hostile file or service sends: an OSC retitling the window and planting a link, a CSI
# clearing the screen, an 8-bit CSI, a right-to-left override, an isolate, a carriage return.
HOSTILE = "Safe\x1b]0;pwned\x07 title\x1b[2J\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ \x9b31m\u202eevil\u2066x\u2069\rend"
DANGEROUS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_printable_takes_out_escape_sequences_controls_and_bidi():
    assert printable(HOSTILE) == "Safe titlelink 31mevilx end"
    assert printable("line one\nline\ttwo\r\n") == "line one line two "
    assert printable("line one\nline\ttwo\r\nthree\x1b[1m", multiline=True) == "line one\nline\ttwo\nthree"
    assert printable("Müller — “quoted” 日本語 עברית") == "Müller — “quoted” 日本語 עברית"


def _hostile_catalog(root: Path) -> Path:
    escaped = HOSTILE.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    (root / "sources" / "evil.yaml").write_text(
        f'id: evil\nkind: journal-article\ntitle: "{escaped}"\nauthors: ["{escaped}"]\nyear: 2020\n'
        f'journal: "{escaped}"\nurl: "https://example.org/{escaped}"\nnote: "{escaped}"\npopulation: human\n',
        encoding="utf-8")
    claims = yaml.safe_load((root / "claims.yaml").read_text(encoding="utf-8"))
    claims["claims"].append({"id": "evil-claim", "statement": HOSTILE, "kind": "background", "topics": ["x"],
                             "made_in": [{"source": "evil", "quote": HOSTILE}],
                             "evidence": [{"source": "evil", "stance": "mentions", "note": HOSTILE}]})
    (root / "claims.yaml").write_text(yaml.safe_dump(claims, allow_unicode=False), encoding="utf-8")
    return root


@pytest.mark.parametrize("args", [["list"], ["show", "evil-claim"], ["source", "list"], ["source", "show", "evil"],
                                  ["check"]])
def test_no_displayed_field_carries_terminal_controls(small_catalog: Path, args: list[str]):
    root = _hostile_catalog(small_catalog)
    result = invoke(args, catalog=root, code=1 if args == ["check"] else 0)
    shown = result.stdout + result.stderr
    assert "Safe" in shown or args == ["check"]
    assert not DANGEROUS.search(shown), repr(DANGEROUS.search(shown))


def test_a_terminal_shows_the_rich_tables_without_controls(small_catalog: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture):
    from kclaims.catalog.files import load_catalog
    from kclaims.catalog.query import ClaimFilter, select_claims
    from kclaims.cli import render

    loaded = load_catalog(_hostile_catalog(small_catalog))
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    render.claims_table(select_claims(loaded, ClaimFilter(), "catalog"))
    render.sources_table(list(loaded.sources.values()))
    out = capsys.readouterr().out
    assert "Safe" in out
    assert not re.search(r"\x1b\](?!8;)|\x1b\[2J|[\x9b\u202e\u2066\u2069\r\x07]", out)


def test_extract_output_and_import_reports_carry_no_controls(small_catalog: Path, tmp_path: Path):
    article = tmp_path / "article.txt"
    article.write_text(f"Ketamine blocks NMDA receptors in patients with depression {HOSTILE} [1].\n\n"
                       f"References\n1. {HOSTILE} doi:10.1000/evil.1\n", encoding="utf-8")
    result = invoke(["extract", str(article), "--source", "blog", "--apply", "--threshold", "99"], catalog=small_catalog)
    assert not DANGEROUS.search(result.stdout + result.stderr)
    bib = tmp_path / "evil.bib"
    bib.write_text(f"@misc{{key\x1b[2Jx,\n  title = {{{HOSTILE}}},\n  year = {{2020}}\n}}\n", encoding="utf-8")
    result = invoke(["source", "import", str(bib)], catalog=small_catalog)
    assert not DANGEROUS.search(result.stdout + result.stderr)


def test_import_strips_controls_from_the_stored_metadata(small_catalog: Path, tmp_path: Path):
    bib = tmp_path / "evil.bib"
    bib.write_text(f"@article{{evil2020,\n  author = {{Evil\u202e, Eve}},\n  title = {{{HOSTILE}}},\n"
                   f"  journal = {{J\x1b[31m}},\n  year = {{2020}},\n  doi = {{10.1000/x\x1b[0m1}}\n}}\n", encoding="utf-8")
    invoke(["source", "import", str(bib)], catalog=small_catalog)
    stored = (small_catalog / "sources" / "evil2020.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(stored)
    assert data["title"] == "Safe titlelink 31mevilx end"
    assert data["authors"] == ["Evil E"] and data["journal"] == "J" and data["doi"] == "10.1000/x1"
    assert not DANGEROUS.search(stored.replace("\n", ""))


def test_the_shared_writer_strips_every_text_field():
    record = Source(id="", title=HOSTILE, authors=[HOSTILE, "\x1b[0m"], journal="\u202e", note="a\nb\x1b[1m",
                    references={"1": HOSTILE})
    clean = printable_record(record)
    assert clean.title == "Safe titlelink 31mevilx end" and clean.authors == [clean.title]
    assert clean.journal is None and clean.note == "a\nb" and clean.references == {"1": clean.title}
    assert printable_record(Source(id="", title="plain")) == Source(id="", title="plain")


def test_one_huge_statement_does_not_pad_every_row(small_catalog: Path):
    claims = yaml.safe_load((small_catalog / "claims.yaml").read_text(encoding="utf-8"))
    base = dict(claims["claims"][1])
    claims["claims"] += [{**base, "id": f"claim-{n}", "statement": f"Short statement {n}."} for n in range(200)]
    claims["claims"][0]["statement"] = "Ketamine " + "very " * 200_000 + "long."  # 1 MB
    (small_catalog / "claims.yaml").write_text(yaml.safe_dump(claims), encoding="utf-8")
    out = invoke(["list"], catalog=small_catalog).stdout
    catalog_size = (small_catalog / "claims.yaml").stat().st_size
    assert len(out.encode()) < catalog_size + 202 * 400, len(out)
    lines = out.splitlines()
    assert any(len(line) > 1_000_000 for line in lines)  # the long statement is printed whole
    assert max(len(line) for line in lines if "Short statement" in line) < PLAIN_COLUMN_CAP + 200


def test_plain_table_caps_every_column():
    table = plain_table(("a", "b"), [("x" * 5000, "y"), ("z", "w" * 5000), ("1", "2")])
    assert table.splitlines()[-1] == "1" + " " * (PLAIN_COLUMN_CAP + 1) + "2"


@pytest.mark.parametrize("key", ["CON", "con", "aux", "Aux.2019", "NUL", "nul.txt", "COM1", "com9", "LPT1", "lpt9.bib",
                                 "PRN", "COM¹"])
def test_a_windows_device_name_never_becomes_a_source_id(key: str):
    source_id = new_source_id(Source(id=""), set(), key)
    assert not is_windows_device(source_id) and source_id.split(".")[0].endswith("-src")


def test_ordinary_keys_are_kept():
    assert [new_source_id(Source(id=""), set(), k) for k in ("console", "com10", "auxin", "nuls2020")] == \
        ["console", "com10", "auxin", "nuls2020"]
    assert windows_safe("con") == "con-src" and windows_safe("aux.2019") == "aux-src.2019"
    assert new_source_id(Source(id=""), {"con-src"}, "CON") == "con-src-2"


def test_importing_device_keys_writes_safe_files_and_keeps_the_key_in_the_report(small_catalog: Path, tmp_path: Path):
    bib = tmp_path / "devices.bib"
    keys = ["CON", "aux", "NUL", "COM1", "lpt3.x"]
    bib.write_text("".join(f"@misc{{{k},\n  title = {{Title {k}}},\n  year = {{2001}}\n}}\n" for k in keys),
                   encoding="utf-8")
    result = invoke(["source", "import", str(bib)], catalog=small_catalog)
    names = os.listdir(small_catalog / "sources")
    assert not [n for n in names if is_windows_device(n)]
    for key in keys:
        assert f" {key}\n" in result.stderr or result.stderr.rstrip().endswith(f" {key}")
    assert {"con-src.yaml", "aux-src.yaml", "nul-src.yaml", "com1-src.yaml", "lpt3-src.x.yaml"} <= set(names)


def test_source_new_refuses_a_device_name(small_catalog: Path):
    result = invoke(["source", "new", "nul", "--title", "T"], code=2, catalog=small_catalog)
    assert "nul-src" in result.stderr and not (small_catalog / "sources" / "nul.yaml").exists()


@pytest.mark.parametrize("command", [["export"], ["export", "--format", "md"], ["map"]])
def test_output_onto_a_symlink_writes_through_to_its_target(small_catalog: Path, tmp_path: Path, command: list[str]):
    target = tmp_path / "reports" / "real.out"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.svg"
    link.symlink_to(target)
    invoke([*command, "--output", str(link)], catalog=small_catalog)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8") not in ("", "old")
    assert not [n for n in os.listdir(target.parent) if n.endswith(".tmp")]


def test_output_onto_a_dangling_symlink_creates_its_target(small_catalog: Path, tmp_path: Path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "new.json")
    invoke(["export", "--output", str(link)], catalog=small_catalog)
    assert link.is_symlink() and (tmp_path / "new.json").read_text(encoding="utf-8").startswith("{")


def test_output_onto_a_symlink_loop_is_refused(small_catalog: Path, tmp_path: Path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    result = invoke(["export", "--output", str(tmp_path / "a")], code=2, catalog=small_catalog)
    assert len(result.stderr.strip().splitlines()) == 1 and (tmp_path / "a").is_symlink()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
@pytest.mark.parametrize("command", [["export"], ["map"]])
def test_output_onto_a_fifo_is_refused_and_the_fifo_stays(small_catalog: Path, tmp_path: Path, command: list[str]):
    import stat

    fifo = tmp_path / "pipe.svg"
    os.mkfifo(fifo)
    link = tmp_path / "to-pipe.svg"
    link.symlink_to(fifo)
    before = snapshot_files(small_catalog)
    for path in (fifo, link):
        result = invoke([*command, "--output", str(path)], code=2, catalog=small_catalog)
        assert len(result.stderr.strip().splitlines()) == 1 and "not a regular file" in result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode) and link.is_symlink()
    assert sorted(os.listdir(tmp_path)) == sorted(["pipe.svg", "to-pipe.svg", small_catalog.name])
    assert snapshot_files(small_catalog) == before


def test_output_onto_a_device_is_refused(small_catalog: Path):
    if not Path("/dev/null").exists():
        pytest.skip("no /dev/null")
    result = invoke(["export", "--output", "/dev/null"], code=2, catalog=small_catalog)
    assert "not a regular file" in result.stderr and Path("/dev/null").is_char_device()
