"""`kclaims check`: one `path:line: message` per problem, exit 1 when any, 0 when clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import invoke
from kclaims.catalog.check import check_catalog, normalise_quote_text, statement_signature


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_clean_catalog_exits_0(small_catalog: Path):
    result = invoke(["check"], catalog=small_catalog)
    assert result.stdout == ""
    assert "clean" in result.stderr


def test_quote_drift_is_reported_with_line(small_catalog: Path):
    (small_catalog / "sources" / "blog.txt").write_text("The article was edited.\n", encoding="utf-8")
    result = invoke(["check"], code=1, catalog=small_catalog)
    lines = result.stdout.strip().splitlines()
    assert lines[0] == (f"{small_catalog / 'claims.yaml'}:9: quote of claim 'nmda-antagonism' is not verbatim in "
                        "sources/blog.txt: 'By blocking this receptor, ketamine can reduce pain transmission'")
    assert len(lines) == 2


def test_quote_check_forgives_only_whitespace_and_typography(small_catalog: Path):
    (small_catalog / "sources" / "blog.txt").write_text(
        "By  blocking this\nreceptor, ketamine can reduce pain transmission.\n"
        "Some say ketamine may ease the symptoms of PTSD.\n", encoding="utf-8")
    assert check_catalog(small_catalog) == []
    (small_catalog / "sources" / "blog.txt").write_text(
        "By blocking this receptor, Ketamine can reduce pain transmission.\n"
        "Some say ketamine may ease the symptoms of PTSD.\n", encoding="utf-8")
    assert len(check_catalog(small_catalog)) == 1  # case is not forgiven


def test_typographic_normalisation():
    assert normalise_quote_text("Ketamine\u2019s \u201crapid\u201d effect \u2013 in  hours") == \
        "Ketamine's \"rapid\" effect - in hours"


def test_dangling_ids_and_unmade_claims_and_duplicates(small_catalog: Path):
    _append(small_catalog / "claims.yaml", """\
  - id: ptsd-relief
    statement: Ketamine lowers PTSD symptom scores in veterans.
    kind: efficacy
  - id: ghost-link
    statement: Ketamine reduces the symptoms of PTSD.
    kind: efficacy
    made_in:
      - source: nowhere
        quote: "x"
    evidence:
      - source: zarate2006
        stance: supports
""")
    result = invoke(["check"], code=1, catalog=small_catalog)
    claims = small_catalog / "claims.yaml"
    out = result.stdout
    assert f"{claims}:26: duplicate claim id 'ptsd-relief'" in out
    assert f"{claims}:26: claim 'ptsd-relief' is made by no article" in out
    assert f"{claims}:33: claim 'ghost-link' quotes unknown source 'nowhere'" in out
    assert f"{claims}:36: claim 'ghost-link' links unknown source 'zarate2006'" in out
    assert f"{claims}:30: claim 'ghost-link' says the same as 'ptsd-relief'" in out
    assert "1 problem" not in result.stderr and "problem(s) found" in result.stderr


def test_retracted_support_is_flagged(small_catalog: Path):
    _replace(small_catalog / "sources" / "feder2014.yaml", "retracted: false", "retracted: true")
    result = invoke(["check"], code=1, catalog=small_catalog)
    assert f"{small_catalog / 'claims.yaml'}:23: claim 'ptsd-relief' is supported by retracted source 'feder2014'" \
        in result.stdout


def test_wrong_types_are_problems_for_check_with_their_lines(small_catalog: Path):
    _replace(small_catalog / "claims.yaml", "    kind: efficacy", "    kind: efficacious")
    _replace(small_catalog / "sources" / "anis1983.yaml", "year: 1983", "year: 19x3")
    result = invoke(["check"], code=1, catalog=small_catalog)
    assert f"{small_catalog / 'claims.yaml'}:17: 'kind' is 'efficacious'" in result.stdout
    assert f"{small_catalog / 'sources' / 'anis1983.yaml'}:5: 'year' must be a year" in result.stdout
    # the claim that cites the broken source now dangles, and check says so too
    assert "links unknown source 'anis1983'" in result.stdout


def test_dangling_reference_in_article_list(small_catalog: Path):
    _replace(small_catalog / "sources" / "blog.yaml", "references: {}", "references:\n  '1': anis1983\n  '2': lost2020")
    result = invoke(["check"], code=1, catalog=small_catalog)
    assert result.stdout.strip() == \
        f"{small_catalog / 'sources' / 'blog.yaml'}:13: reference [2] points at unknown source 'lost2020'"


def test_check_json(small_catalog: Path):
    import json

    (small_catalog / "sources" / "blog.txt").write_text("nothing\n", encoding="utf-8")
    result = invoke(["check", "--json"], code=1, catalog=small_catalog)
    problems = json.loads(result.stdout)["problems"]
    assert {p["line"] for p in problems} == {9, 21}


def test_statement_signature_ignores_order_case_plural_and_small_words():
    assert statement_signature("Ketamine reduces PTSD symptoms.") == \
        statement_signature("ketamine reduces the symptom of PTSD")
    assert statement_signature("Ketamine reduces PTSD symptoms.") != statement_signature("Ketamine causes PTSD.")


def test_two_source_files_for_one_study_are_reported(small_catalog: Path):
    twin = (small_catalog / "sources" / "feder2014.yaml").read_text(encoding="utf-8").replace("id: feder2014", "id: feder2014b")
    twin = twin.replace("10.1001/jamapsychiatry.2014.62", "10.1001/JAMAPSYCHIATRY.2014.62")
    (small_catalog / "sources" / "feder2014b.yaml").write_text(twin, encoding="utf-8")
    result = invoke(["check"], code=1, catalog=small_catalog)
    assert result.stdout.strip() == (f"{small_catalog / 'sources' / 'feder2014b.yaml'}:8: same study as 'feder2014' "
                                     "(doi:10.1001/jamapsychiatry.2014.62): merge the two sources")


def test_quotes_without_a_snapshot_are_reported_as_uncheckable(small_catalog: Path):
    (small_catalog / "sources" / "blog.txt").unlink()
    result = invoke(["check"], code=1, catalog=small_catalog)
    assert result.stdout.strip() == (f"{small_catalog / 'sources' / 'blog.yaml'}: no text snapshot (sources/blog.txt): "
                                     "2 quote(s) from it cannot be checked; save the article's text there")


# --- unreadable files: each is reported, and the check goes on --------------------------------


def _check_in_a_subprocess(root: Path, seconds: float = 30) -> subprocess.CompletedProcess:
    """`kclaims check` in its own process, so a hang fails the test instead of stalling the suite."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.run([sys.executable, "-m", "kclaims", "check", "--catalog", str(root)], capture_output=True,
                          text=True, timeout=seconds, env=env)


def test_each_unreadable_file_is_reported_and_the_check_goes_on(small_catalog: Path):
    sources = small_catalog / "sources"
    (sources / "latin1.yaml").write_bytes(b"id: latin1\ntitle: caf\xe9\n")
    (sources / "folder.yaml").mkdir()
    (sources / "dangling.yaml").symlink_to(sources / "nowhere.yaml")
    (sources / "blog.txt").write_bytes(b"By blocking this receptor, caf\xe9")
    unreadable = sources / "secret.yaml"
    unreadable.write_text("id: secret\n", encoding="utf-8")
    unreadable.chmod(0)
    _replace(small_catalog / "sources" / "feder2014.yaml", "retracted: false", "retracted: true")
    try:
        result = invoke(["check"], code=1, catalog=small_catalog)
    finally:
        unreadable.chmod(0o644)
    out = result.stdout
    assert f"{sources / 'latin1.yaml'}: not UTF-8 text" in out
    assert f"{sources / 'folder.yaml'}: cannot read: a folder, not a regular file" in out
    assert f"{sources / 'dangling.yaml'}: cannot read: a symbolic link to a missing file" in out
    assert f"{sources / 'blog.txt'}: not UTF-8 text" in out
    if os.geteuid() != 0:  # root reads any file
        assert f"{sources / 'secret.yaml'}: cannot read: Permission denied" in out
    assert "supported by retracted source 'feder2014'" in out  # the rest of the catalog was still checked
    assert len(out.splitlines()) == int(result.stderr.split()[0])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_and_devices_under_sources_never_hang_or_fill_memory(small_catalog: Path):
    sources = small_catalog / "sources"
    os.mkfifo(sources / "pipe.yaml")
    (sources / "zero.yaml").symlink_to("/dev/zero")
    (sources / "blog.txt").unlink()
    (sources / "blog.txt").symlink_to("/dev/zero")
    result = _check_in_a_subprocess(small_catalog)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert f"{sources / 'pipe.yaml'}: cannot read: a named pipe, not a regular file" in out
    assert f"{sources / 'zero.yaml'}: cannot read: a device, not a regular file" in out
    assert f"{sources / 'blog.txt'}: cannot read: a device, not a regular file" in out
    list_result = invoke(["list"], code=2, catalog=small_catalog)  # strict commands stop at the first, at once
    assert "not a regular file" in list_result.stderr


def test_a_file_over_the_size_limit_is_refused_unread(small_catalog: Path, monkeypatch: pytest.MonkeyPatch):
    import kclaims.catalog.files as catalog_module

    monkeypatch.setattr(catalog_module, "MAX_FILE_BYTES", 1000)
    (small_catalog / "sources" / "blog.txt").write_text("x" * 1001, encoding="utf-8")
    problems = [str(p) for p in check_catalog(small_catalog)]
    assert any(p.startswith(f"{small_catalog / 'sources' / 'blog.txt'}: larger than 1000 bytes") for p in problems), \
        problems
