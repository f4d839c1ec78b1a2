"""The whole-catalog Markdown report read a chunk of claims at a time (catalog/chunks.py,
export/streamed.py): exactly the in-memory report's text, from the real command too, whether the
cache is warm, cold or behind an edit; its spool files gone afterwards, even when stopped."""

import copy
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from conftest import invoke
from report_fixtures import REPORT_CLAIMS, REPORT_SOURCES, write_catalog

from kclaims.catalog import cache, source_pack
from kclaims.catalog import chunks as chunks_module
from kclaims.catalog.chunks import ClaimChunks
from kclaims.catalog.files import CLAIM_CHUNK, Catalog, load_catalog
from kclaims.catalog.query import ClaimFilter, select_claims, sources_for_export
from kclaims.export.markdown import export_markdown
from kclaims.export.streamed import markdown_from_chunks
from kclaims.export.view import ReportArranger
from kclaims.workers import worker_count


def open_chunks(root: Path) -> ClaimChunks | None:
    """The chunks as the command opens them: with the report's arrangement rules, for its sources' pack."""
    return chunks_module.open_chunks(root, ReportArranger())


def chunks_or_catalog(root: Path) -> ClaimChunks | Catalog:
    return chunks_module.chunks_or_catalog(root, ReportArranger())


COPIES = 420  # 6 claims each: 2,520 claims, three chunks of claim rows


def _age(root: Path, seconds: float = 10) -> None:
    past = time.time() - seconds
    for path in root.rglob("*"):
        os.utime(path, (past, past))


def _many_claims() -> list[dict]:
    """The report catalog's six claims (every verdict and certainty, a curator's grade, a retracted
    source, a claim without topic) again and again under new ids, some with a second topic. The
    contradicted one is made in an article, its copies contradicted alternately by a trial and by
    animal work: the article's scorecard lists contradicted claims of two certainties, in every chunk."""
    claims = []
    for copy_number in range(COPIES):
        for claim in REPORT_CLAIMS:
            made = copy.deepcopy(claim)
            made["id"] = f"{claim['id']}-{copy_number}"
            if copy_number % 7 == 0 and made.get("topics"):
                made["topics"] = [*made["topics"], f"extra-{copy_number % 3}"]
            if claim["id"] == "no-topic":
                made["made_in"] = [{"source": "news", "quote": "first made in 1962"}]
                if copy_number % 2:
                    made["evidence"] = [{"source": "anis1983", "stance": "contradicts"}]
            claims.append(made)
    return claims


@pytest.fixture
def large_catalog(tmp_path: Path) -> Path:
    root = write_catalog(tmp_path / "catalog", _many_claims(), REPORT_SOURCES)
    _age(root)
    return root


def _joined(pieces: Iterable[str | bytes]) -> str:
    """The report's text: its pieces are text, or UTF-8 bytes read back from the spool."""
    return b"".join(piece if isinstance(piece, bytes) else piece.encode("utf-8") for piece in pieces).decode("utf-8")


def _in_memory_report(root: Path) -> str:
    catalog = load_catalog(root)
    rows = select_claims(catalog, ClaimFilter())
    return export_markdown(rows, sources_for_export(catalog, rows, ClaimFilter()))


def test_the_chunked_report_is_the_in_memory_report(large_catalog: Path) -> None:
    expected = _in_memory_report(large_catalog)  # also fills the cache
    chunks = open_chunks(large_catalog)
    assert isinstance(chunks, ClaimChunks)
    assert len(chunks) == -(-len(REPORT_CLAIMS) * COPIES // CLAIM_CHUNK) == 3
    assert chunks.count == len(REPORT_CLAIMS) * COPIES
    if sys.platform.startswith("linux"):
        assert worker_count(len(chunks), 2) == min(4, len(os.sched_getaffinity(0)))
    text = _joined(markdown_from_chunks(chunks))
    assert text == expected
    assert "Also in this topic, shown under another" in text and "contradicted" in text
    contradicted = text.split("Contradicted claims, each with the strongest study against it:")[1].split("\n## ")[0]
    lines = [line for line in contradicted.splitlines() if line.startswith("  - [contradicted")]
    assert len(lines) == COPIES  # every copy's line, from all three chunks
    certainties = [line.split(":")[0] for line in lines]
    assert len(set(certainties)) == 2 and certainties == sorted(certainties, key=certainties.index)  # by rank
    assert lines.index(next(line for line in lines if "no-topic-1)" in line)) == COPIES // 2  # claims' order within a rank


def test_the_command_writes_the_same_report_from_a_cold_cache(large_catalog: Path, tmp_path: Path) -> None:
    expected = _in_memory_report(large_catalog)
    os.environ["KCLAIMS_CACHE_DIR"] = str(tmp_path / "another-cache")  # conftest restores it
    out = tmp_path / "report.md"
    result = invoke(["export", "--format", "md", "-o", str(out)], catalog=large_catalog)
    assert out.read_text(encoding="utf-8") == expected
    assert f"Wrote {len(REPORT_CLAIMS) * COPIES} claims" in result.stderr
    assert isinstance(open_chunks(large_catalog), ClaimChunks)  # the cold run cached what the chunks need


def test_printed_and_warm_reports_are_the_same(large_catalog: Path) -> None:
    expected = _in_memory_report(large_catalog)
    assert invoke(["export", "--format", "md"], catalog=large_catalog).stdout == expected


def test_a_filtered_report_still_loads_the_catalog_and_is_right(large_catalog: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks_module, "open_chunks", lambda *args: pytest.fail("a filtered report read chunks"))
    text = invoke(["export", "--format", "md", "--verdict", "contradicted"], catalog=large_catalog).stdout
    assert f"{COPIES} claims made in" in text


def test_an_edited_source_is_read_again_by_the_chunks_and_cached(large_catalog: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _in_memory_report(large_catalog)
    source = large_catalog / "sources" / "rct2018.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace('"title": "', '"title": "Renamed '), encoding="utf-8")
    past = time.time() - 5  # an edit a few seconds ago: older than the cache's racy guard
    os.utime(source, (past, past))
    monkeypatch.setattr(chunks_module, "load_catalog", lambda root: pytest.fail("one edited source loaded the catalog"))
    loaded = chunks_or_catalog(large_catalog)  # the edited file is parsed there, not the whole catalog loaded
    assert isinstance(loaded, ClaimChunks)
    store = cache.open_store(large_catalog)  # and cached as it is now: the next command need not parse it
    assert store.get(str(source), "sources/rct2018.yaml") is not None
    text = _joined(markdown_from_chunks(loaded))
    assert "Renamed " in text
    again, graded = open_chunks(large_catalog), {}  # the claims citing it were graded again, and kept
    assert isinstance(again, ClaimChunks)
    for number in range(len(again)):
        again.rows(number, graded)
    assert graded == {}
    monkeypatch.undo()
    assert text == _in_memory_report(large_catalog)


def test_a_new_source_file_is_in_the_chunked_report(large_catalog: Path) -> None:
    _in_memory_report(large_catalog)
    added = large_catalog / "sources" / "added2026.yaml"
    added.write_text('{"id": "added2026", "kind": "journal-article", "title": "A source added since", '
                     '"authors": ["Newcomer A"], "year": 2026}\n', encoding="utf-8")
    soon = time.time() + 30  # as just written, however slow the machine: too new for the cache to trust
    os.utime(added, (soon, soon))
    chunks = open_chunks(large_catalog)  # parsed, used, not kept
    assert isinstance(chunks, ClaimChunks) and chunks.sources_stamp is None
    assert cache.open_store(large_catalog).get(str(added), "sources/added2026.yaml") is None
    text = _joined(markdown_from_chunks(chunks))
    assert "A source added since" in text and text == _in_memory_report(large_catalog)


def test_an_edited_source_that_no_longer_loads_stops_the_report_with_its_line(large_catalog: Path,
                                                                              tmp_path: Path) -> None:
    _in_memory_report(large_catalog)
    source = large_catalog / "sources" / "rct2018.yaml"
    source.write_text(source.read_text(encoding="utf-8") + "year: [not, a, year]\n", encoding="utf-8")
    past = time.time() - 5
    os.utime(source, (past, past))
    assert open_chunks(large_catalog) is None  # the loaded catalog tells what is wrong, and where
    out = tmp_path / "report.md"
    result = invoke(["export", "--format", "md", "-o", str(out)], code=2, catalog=large_catalog)
    assert "rct2018.yaml" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_a_file_too_new_to_cache_gives_the_loaded_catalog(large_catalog: Path) -> None:
    _in_memory_report(large_catalog)
    claims = large_catalog / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("rapid relief", "quick relief"), encoding="utf-8")
    loaded = chunks_or_catalog(large_catalog)  # edited just now: not cached until it is a few seconds old
    assert isinstance(loaded, Catalog)
    text = invoke(["export", "--format", "md"], catalog=large_catalog).stdout
    assert text == _in_memory_report(large_catalog) and "quick relief" in text


def test_the_spool_files_are_removed_after_the_report_and_when_it_stops(large_catalog: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    spools = tmp_path / "spools"
    spools.mkdir()
    monkeypatch.setenv("TMPDIR", str(spools))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    _in_memory_report(large_catalog)
    pieces = markdown_from_chunks(open_chunks(large_catalog))
    next(pieces)
    assert any(spools.iterdir())  # the sections wait in spool files...
    pieces.close()  # ...and go when the report stops half-way (Ctrl-C, a full disk)
    assert not any(spools.iterdir())
    invoke(["export", "--format", "md", "-o", str(tmp_path / "r.md")], catalog=large_catalog)
    assert not any(spools.iterdir())


def test_a_full_temporary_folder_is_one_line_and_no_report(large_catalog: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from kclaims.export import streamed

    def full(name: str, pieces: list[bytes]) -> str:
        raise OSError(errno.ENOSPC, "No space left on device", name)

    _in_memory_report(large_catalog)
    monkeypatch.setattr(streamed, "_spooled", full)  # in the workers too: they are forked from here
    out = tmp_path / "report.md"
    result = invoke(["export", "--format", "md", "-o", str(out)], code=2, catalog=large_catalog)
    assert "No space left on device" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize("sources", [[], REPORT_SOURCES[:2]])
def test_a_catalog_without_claims_gives_the_same_report(tmp_path: Path, sources: list[dict]) -> None:
    root = write_catalog(tmp_path / "empty", [], sources)
    _age(root)
    expected = _in_memory_report(root)
    chunks = open_chunks(root)
    assert isinstance(chunks, ClaimChunks) and len(chunks) == 0
    assert _joined(markdown_from_chunks(chunks)) == expected
    assert "No claims match." in expected


def test_text_and_bytes_pieces_keep_their_order_in_batches_and_on_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from kclaims.cli.options import print_chunks
    from kclaims.export import batched

    pieces: list[str | bytes] = ["# Title", "\n\n", "⊕ é".encode(), b" and ", "text again", "🟢".encode()]
    expected = "# Title\n\n⊕ é and text again🟢"
    batches = list(batched(pieces, size=4))
    assert all(isinstance(batch, (str, bytes)) for batch in batches)
    assert _joined(batches) == expected
    for encoding in ("utf-8", "utf-16"):  # the byte stream is used only when it is UTF-8
        raw = io.BytesIO()
        stdout = io.TextIOWrapper(raw, encoding=encoding, newline="")
        monkeypatch.setattr("sys.stdout", stdout)
        print_chunks(pieces)
        stdout.flush()
        assert raw.getvalue().decode(encoding) == expected


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="Linux only: elsewhere no worker is forked, and the test finds the workers in /proc")
def test_sigterm_while_the_workers_make_sections_leaves_the_old_report_and_nothing_else(
        large_catalog: Path, tmp_path: Path) -> None:
    import signal
    import subprocess

    from conftest import REPO

    from kclaims.errors import ExitCode

    spools = tmp_path / "spools"
    spools.mkdir()
    out = tmp_path / "report.md"
    out.write_text("the old report\n", encoding="utf-8")
    _in_memory_report(large_catalog)  # a warm cache: the command reads chunks
    process = subprocess.Popen(
        [sys.executable, "-m", "kclaims", "export", "--format", "md", "-o", str(out), "--catalog", str(large_catalog)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(spools)})
    try:
        deadline = time.monotonic() + 120
        while not any(spools.glob("kclaims-report-*/claims-*.md")):  # a worker has made its first chunk
            assert process.poll() is None, "the export ended before it could be stopped"
            assert time.monotonic() < deadline, "no section was made within two minutes"
            time.sleep(0.002)
        workers = [int(pid) for pid in os.listdir("/proc") if pid.isdigit() and _parent_of(int(pid)) == process.pid]
        assert workers  # the sections are being made by worker processes
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)  # a stopped pool once waited here for ever
    finally:
        if process.poll() is None:
            process.kill()  # not left running when the test fails
            process.wait()
    assert process.returncode == ExitCode.TERMINATED, stderr.decode()[-2000:]
    assert out.read_text(encoding="utf-8") == "the old report\n"
    assert not any(spools.iterdir())  # the spool folder went with the command
    deadline = time.monotonic() + 10
    while any(_parent_of(pid) is not None for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_parent_of(pid) is None for pid in workers)  # and so did its workers


def _parent_of(pid: int) -> int | None:
    """The parent of a running process (None once it is gone or a zombie)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else int(fields[1])


def test_the_bibliography_order_is_kept_until_a_source_changes(large_catalog: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from kclaims.export.view import Bibliography

    expected = _in_memory_report(large_catalog)
    assert _joined(markdown_from_chunks(open_chunks(large_catalog))) == expected  # works the order out, keeps it
    arranging = Bibliography._arrange
    monkeypatch.setattr(Bibliography, "_arrange", lambda self, sources: pytest.fail("the kept order was not used"))
    assert _joined(markdown_from_chunks(open_chunks(large_catalog))) == expected
    source = large_catalog / "sources" / "rct2018.yaml"  # first author Lee: a new name moves it to the front
    assert '<a id="source-rct2018">' not in expected.split("## Bibliography")[1][:200]
    source.write_text(source.read_text(encoding="utf-8").replace('"Lee K"', '"Aardvark K"'), encoding="utf-8")
    past = time.time() - 5
    os.utime(source, (past, past))
    monkeypatch.setattr(Bibliography, "_arrange", arranging)
    loaded = chunks_or_catalog(large_catalog)
    assert isinstance(loaded, ClaimChunks)
    text = _joined(markdown_from_chunks(loaded))
    assert text == _in_memory_report(large_catalog)
    assert '<a id="source-rct2018"></a>**Aardvark 2018**' in text.split("## Bibliography")[1][:200]


def _claim_shards(root: Path) -> list[Path]:
    """The cache files holding claims.yaml's rows, a few chunks each (the workers read them)."""
    store = cache.open_store(root)
    return sorted(path for path in store.prefix.parent.glob(f"{store.prefix.name}-claims-*.marshal"))


def test_a_damaged_shard_of_claim_rows_sends_the_report_to_the_full_load(large_catalog: Path, tmp_path: Path) -> None:
    expected = _in_memory_report(large_catalog)
    shards = _claim_shards(large_catalog)
    assert len(shards) == 3  # a chunk each: consecutive chunks are kept apart
    shards[1].write_bytes(shards[1].read_bytes()[:-10])  # truncated: it reads as empty, never believed
    assert open_chunks(large_catalog) is None
    out = tmp_path / "report.md"
    invoke(["export", "--format", "md", "-o", str(out)], catalog=large_catalog)
    assert out.read_text(encoding="utf-8") == expected
    assert isinstance(open_chunks(large_catalog), ClaimChunks)  # the full load cached the rows again


def test_claims_cached_anew_while_the_report_is_made_stop_it_with_one_line_and_no_report(
        large_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kclaims.export.streamed as streamed

    _in_memory_report(large_catalog)
    claims = large_catalog / "claims.yaml"
    arranged = streamed._bibliography

    def another_command_edits_the_claims(chunks: ClaimChunks):  # after the chunks opened, before any is read
        claims.write_text(claims.read_text(encoding="utf-8").replace("rapid relief", "quick relief"), encoding="utf-8")
        past = time.time() - 5
        os.utime(claims, (past, past))
        load_catalog(large_catalog)  # which caches its rows anew
        return arranged(chunks)

    monkeypatch.setattr(streamed, "_bibliography", another_command_edits_the_claims)
    out = tmp_path / "report.md"
    out.write_text("the last report\n", encoding="utf-8")
    result = invoke(["export", "--format", "md", "-o", str(out)], code=2, catalog=large_catalog)
    assert "claims.yaml: changed while the report was being made" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert out.read_text(encoding="utf-8") == "the last report\n"
    assert set(tmp_path.iterdir()) == {large_catalog, out}  # no half-written report beside it
    monkeypatch.undo()
    text = invoke(["export", "--format", "md"], catalog=large_catalog).stdout  # run again: the edited claims
    assert "quick relief" in text and text == _in_memory_report(large_catalog)


def test_claims_yaml_cut_to_one_chunk_lets_go_of_the_rows_it_no_longer_fills(large_catalog: Path) -> None:
    _in_memory_report(large_catalog)
    assert len(_claim_shards(large_catalog)) == 3
    write_catalog(large_catalog, REPORT_CLAIMS, REPORT_SOURCES)
    _age(large_catalog)
    _in_memory_report(large_catalog)
    store = cache.open_store(large_catalog)
    store.claim_rows.load_all()
    assert sorted(store.claim_rows.keys()) == ["0"]
    chunks = open_chunks(large_catalog)
    assert isinstance(chunks, ClaimChunks) and chunks.count == len(REPORT_CLAIMS) and len(chunks) == 1


def test_a_link_to_a_source_not_in_the_catalog_is_counted_as_the_in_memory_report_counts_it(tmp_path: Path) -> None:
    claims = _many_claims()
    for claim in claims[:5]:  # `kclaims check` reports such links; the report still counts them
        claim["evidence"] = [*claim.get("evidence", []), {"source": "nowhere2020", "stance": "supports", "note": "Gone."}]
    root = write_catalog(tmp_path / "catalog", claims, REPORT_SOURCES)
    _age(root)
    expected = _in_memory_report(root)
    chunks = open_chunks(root)
    assert isinstance(chunks, ClaimChunks)
    text = _joined(markdown_from_chunks(chunks))
    assert text == expected
    linked = {item["source"] for claim in claims for item in claim.get("evidence", [])}
    assert "nowhere2020" in linked and f"linked to {len(linked)} sources as evidence" in text


def test_the_cache_removed_while_the_report_is_made_stops_it_with_one_line_and_no_report(
        large_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kclaims.export.streamed as streamed

    expected = _in_memory_report(large_catalog)
    arranged = streamed._bibliography

    def the_cache_is_deleted(chunks: ClaimChunks):  # after the chunks opened, before any is read
        for shard in _claim_shards(large_catalog):
            shard.unlink()
        return arranged(chunks)

    monkeypatch.setattr(streamed, "_bibliography", the_cache_is_deleted)
    out = tmp_path / "report.md"
    result = invoke(["export", "--format", "md", "-o", str(out)], code=2, catalog=large_catalog)
    assert "-claims-" in result.stderr and "removed or damaged while the report was being made" in result.stderr
    assert "Nothing was written: run the command again" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()
    monkeypatch.undo()
    invoke(["export", "--format", "md", "-o", str(out)], catalog=large_catalog)  # again: the cache is made again
    assert out.read_text(encoding="utf-8") == expected


def test_sections_made_in_the_command_itself_keep_what_forked_workers_let_go(large_catalog: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Where no worker is forked (one core, or not Linux), the command makes every section and every
    bibliography entry itself: the stamps and the bibliography's order must still be there."""
    import kclaims.workers as workers_module

    expected = _in_memory_report(large_catalog)
    monkeypatch.setattr(workers_module, "worker_count", lambda items, worth_it_from=0: 1)
    chunks = open_chunks(large_catalog)
    assert isinstance(chunks, ClaimChunks)
    graded: dict = {}
    assert _joined(markdown_from_chunks(chunks)) == expected
    again = open_chunks(large_catalog)  # and every label was found kept, none graded again
    assert isinstance(again, ClaimChunks)
    for number in range(len(again)):
        again.rows(number, graded)
    assert graded == {}


def test_a_bibliography_whose_order_was_let_go_says_so_when_asked_for_it(large_catalog: Path) -> None:
    from kclaims.export.view import Bibliography

    _in_memory_report(large_catalog)
    chunks = open_chunks(large_catalog)
    assert isinstance(chunks, ClaimChunks)
    bibliography = Bibliography.looking_up(chunks.sources)
    assert len(list(bibliography.order)) == len(REPORT_SOURCES)
    bibliography.forget_order()
    with pytest.raises(RuntimeError, match="let go"):
        list(bibliography.order)


def test_the_next_report_reads_its_sources_from_the_pack_made_for_the_files_as_they_are(
        large_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _in_memory_report(large_catalog)
    first = open_chunks(large_catalog)
    assert first is not None and first.pack is None  # no report yet: every source is read and held
    assert _joined(markdown_from_chunks(first)) == expected  # ... and the pack made
    chunks = open_chunks(large_catalog)
    assert chunks is not None and chunks.pack is not None and chunks.sources is chunks.pack
    with monkeypatch.context() as patched:
        patched.setattr(cache.Store, "get_many", lambda *args, **kwargs: pytest.fail("the sources were read and held"))
        assert _joined(markdown_from_chunks(chunks)) == expected
    source = large_catalog / "sources" / "rct2018.yaml"
    past = time.time() - 5
    os.utime(source, (past, past))  # touched: the files are not as the pack was made for
    again = open_chunks(large_catalog)  # the last pack patched with it (test_pack_patching.py)
    assert again is not None and again.pack is not None and again.pack.key != chunks.pack.key
    assert _joined(markdown_from_chunks(again)) == expected


def _damage_a_record_of_the_pack(root: Path) -> Path:
    location = cache.open_store(root).pack_location
    data = bytearray(location.read_bytes())
    data[len(source_pack.MAGIC) + 5] ^= 0xFF  # the first source in the order: its checksum no longer matches
    location.write_bytes(bytes(data))
    return location


def test_a_damaged_record_of_the_pack_stops_the_report_with_one_line_and_the_next_makes_the_pack_again(
        large_catalog: Path, tmp_path: Path) -> None:
    expected = _in_memory_report(large_catalog)
    out = tmp_path / "report.md"
    invoke(["export", "--format", "md", "-o", str(out)], catalog=large_catalog)  # makes the pack
    location = _damage_a_record_of_the_pack(large_catalog)
    out.write_text("the old report\n", encoding="utf-8")
    result = invoke(["export", "--format", "md", "-o", str(out)], code=2, catalog=large_catalog)
    assert "-sources.pack" in result.stderr and "removed or damaged while the report was being made" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert out.read_text(encoding="utf-8") == "the old report\n" and not location.exists()
    invoke(["export", "--format", "md", "-o", str(out)], catalog=large_catalog)
    assert out.read_text(encoding="utf-8") == expected and location.exists()


def test_a_pack_whose_index_is_damaged_is_made_again(large_catalog: Path) -> None:
    expected = _in_memory_report(large_catalog)
    assert _joined(markdown_from_chunks(open_chunks(large_catalog))) == expected
    location = cache.open_store(large_catalog).pack_location
    data = bytearray(location.read_bytes())
    data[-200] ^= 0xFF  # in the index or header
    location.write_bytes(bytes(data))
    damaged = open_chunks(large_catalog)
    assert damaged is not None and damaged.pack is None
    assert _joined(markdown_from_chunks(damaged)) == expected
    again = open_chunks(large_catalog)
    assert again is not None and again.pack is not None


def test_a_pack_kept_by_another_kclaims_is_not_read(large_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _in_memory_report(large_catalog)
    assert _joined(markdown_from_chunks(open_chunks(large_catalog))) == expected  # makes the pack
    monkeypatch.setattr(cache, "version", lambda: "another model's fields")  # (its rows in another order)
    loaded = chunks_or_catalog(large_catalog)  # the rows are cached again for this kclaims
    assert isinstance(loaded, ClaimChunks) and loaded.pack is None  # the other one's pack is not read
    assert _joined(markdown_from_chunks(loaded)) == expected
    again = open_chunks(large_catalog)
    assert again is not None and again.pack is not None  # made anew for this one


def test_lettered_names_and_many_sources_read_from_the_pack_are_the_in_memory_report(tmp_path: Path,
                                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from kclaims.export import streamed

    monkeypatch.setattr(source_pack, "READ_TOGETHER", 7)  # slices read across many blocks
    monkeypatch.setattr(streamed, "BIBLIOGRAPHY_SLICE", 25)
    monkeypatch.setattr(streamed, "SPOOL_BLOCK", 64)
    sources = [{"id": f"same{number:03d}", "title": f"Study {number}", "authors": ["Same S"], "year": 2001,
                "publication_types": ["Randomized Controlled Trial"]} for number in range(60)]
    claims = copy.deepcopy(REPORT_CLAIMS)
    for number, claim in enumerate(claims):
        claim["evidence"] = claim.get("evidence", []) + [{"source": f"same{number:03d}", "stance": "supports"}]
    root = write_catalog(tmp_path / "lettered", claims, REPORT_SOURCES + sources)
    _age(root)
    expected = _in_memory_report(root)
    assert "**Same 2001a**" in expected and "**Same 2001z**" in expected  # lettered names, in and across blocks
    assert _joined(markdown_from_chunks(open_chunks(root))) == expected  # makes the pack
    chunks = open_chunks(root)
    assert chunks is not None and chunks.pack is not None
    assert _joined(markdown_from_chunks(chunks)) == expected
