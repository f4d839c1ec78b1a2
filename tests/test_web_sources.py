"""`kclaims source add URL`, `--html FILE --url URL` and `source refresh` of web articles, through the
real command against real saved pages served from the local replay server, with its faults."""

from __future__ import annotations

import errno
import gzip
import json
import time
from pathlib import Path

import pytest
import yaml

from conftest import invoke, snapshot_files
from httpserver import LiteratureFakes, Reply, ReplayServer, literature, replay  # noqa: F401 (fixtures)
from test_webpage import HTML, article_html, evaldata, page_bytes

from kclaims.errors import NOTHING_WRITTEN, BadInput

CLINIC_ID = "rtr-wellness-ketamines-potential-ability-heal-neurological"
CLINIC_PAGE = (HTML / "kclaims-clinic-article" / "page.html").read_bytes()
UTF8 = {"Content-Type": "text/html; charset=utf-8"}
SMALL_PAGE = article_html().encode("utf-8")  # no canonical link: refreshed from the replay server too


@pytest.fixture
def web(replay: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> ReplayServer:
    from kclaims.literature import client

    monkeypatch.setattr(client, "BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(client, "TIMEOUT", (2.0, 2.0))
    return replay


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    invoke(["init", str(root)])
    return root


def _yaml(root: Path, source_id: str) -> dict:
    return yaml.safe_load((root / "sources" / f"{source_id}.yaml").read_text(encoding="utf-8"))


def _added_id(result) -> str:
    report = json.loads(result.stdout)
    (outcome,) = [o for o in report["outcomes"] if o["action"] == "added"]
    return outcome["source_id"]


# --- adding real pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["trafilatura-healthline-body-fat", "trafilatura-nachrichten-at-cancer-therapies",
                                    "trafilatura-phys-org-birch-tar"])
def test_add_a_real_page_keeps_metadata_text_and_the_page(folder: str, web: ReplayServer, catalog: Path):
    url, entry = evaldata(folder)
    web.route("GET", "/article", Reply(200, {"Content-Type": "text/html"}, page_bytes(folder)))
    source_id = _added_id(invoke(["source", "add", f"{web.url}/article", "--json"], catalog=catalog))
    source = _yaml(catalog, source_id)
    assert source["kind"] == "web-article" and source["date"] == entry["date"] and source["year"] == int(entry["date"][:4])
    assert source["url"] == url  # the page's canonical address, not the server it was read from
    assert source["authors"][0] == entry["author"] and source["retrieved"]
    text = (catalog / "sources" / f"{source_id}.txt").read_text(encoding="utf-8")
    flat = " ".join(text.split())
    assert all(" ".join(s.split()) in flat for s in entry["with"])
    assert not any(" ".join(s.split()) in flat for s in entry["without"])
    assert (catalog / "sources" / f"{source_id}.html").read_bytes() == page_bytes(folder)  # as received
    # the snapshot is what `check` reads: a quote of the main text is verbatim
    invoke(["claim", "add", "a-claim", "Something the article says.", "--kind", "background",
            "--from", source_id, "--quote", entry["with"][0].strip()], catalog=catalog)
    invoke(["check"], catalog=catalog)


def test_gzip_page_with_late_charset_and_its_cited_papers(web: ReplayServer, catalog: Path):
    folder = HTML / "aeb-healthline-binge-eating"
    body = next(folder.glob("*.html.gz")).read_bytes()
    web.route("GET", "/binge", Reply(200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, body))
    result = invoke(["source", "add", f"{web.url}/binge"], catalog=catalog)
    assert "added healthline-15-tips-overcome-binge-eating <- " in result.stderr
    assert "add them with: kclaims source add PMC2850570 pmid:16261600" in result.stderr
    source = _yaml(catalog, "healthline-15-tips-overcome-binge-eating")
    assert source["site"] == "Healthline" and source["authors"] == ["Rachael Link"] and source["language"] == "en"
    assert {"marker": "2", "id": "PMC2850570", "url": "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC2850570/"} \
        in source["cites"]


def test_add_a_page_and_a_paper_in_one_command(literature: LiteratureFakes, replay: ReplayServer, catalog: Path):
    replay.route("GET", "/clinic", Reply(200, UTF8, CLINIC_PAGE))
    invoke(["source", "add", "PMC5442267"], catalog=catalog)
    result = invoke(["source", "add", f"{replay.url}/clinic", "11748933", "--json"], catalog=catalog)
    actions = {o["given"]: o["action"] for o in json.loads(result.stdout)["outcomes"]}
    assert actions == {f"{replay.url}/clinic": "added", "pmid:11748933": "added"}
    source = _yaml(catalog, CLINIC_ID)
    assert source["url"] == f"{replay.url}/clinic"  # no canonical link: the address it was read from
    assert source["cites"][0] == {"marker": "1", "id": "PMC4810965",
                                  "url": "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4810965/"}
    assert source["references"] == {}  # PMC4810965 is not in this catalog yet
    again = invoke(["source", "add", f"{replay.url}/clinic"], catalog=catalog)
    assert f"unchanged {CLINIC_ID} <- " in again.stderr and "already in the catalog" in again.stderr


def test_a_cited_paper_already_in_the_catalog_is_linked_by_its_marker(shipped_catalog: Path, web: ReplayServer):
    web.route("GET", "/clinic", Reply(200, UTF8, CLINIC_PAGE))
    source_id = _added_id(invoke(["source", "add", f"{web.url}/clinic", "--json"], catalog=shipped_catalog))
    assert _yaml(shipped_catalog, source_id)["references"] == {"1": "henderson2016"}


def test_add_from_a_saved_file(tmp_path: Path, catalog: Path):
    saved = tmp_path / "saved.html"
    saved.write_bytes(page_bytes("trafilatura-thelist-multivitamin"))
    url, entry = evaldata("trafilatura-thelist-multivitamin")
    result = invoke(["source", "add", "--html", str(saved), "--url", url, "--json"], catalog=catalog)
    source = _yaml(catalog, _added_id(result))
    assert (source["title"], source["date"], source["url"]) == (entry["title"], entry["date"], url)
    before = snapshot_files(catalog)
    assert "go together" in invoke(["source", "add", "--html", str(saved)], code=2, catalog=catalog).stderr
    assert "not a web address" in invoke(["source", "add", "--html", str(saved), "--url", "PMC1"], code=2,
                                         catalog=catalog).stderr
    assert snapshot_files(catalog) == before


# --- faults: clear messages, exit codes, nothing written ---------------------------------------------


def test_404_exits_3_and_writes_nothing(web: ReplayServer, catalog: Path):
    before = snapshot_files(catalog)
    result = invoke(["source", "add", f"{web.url}/gone"], code=3, catalog=catalog)
    assert f"could not get {web.url}/gone: HTTP 404" in result.stderr and result.stderr.count("\n") == 1
    assert snapshot_files(catalog) == before


def test_500_then_success_is_retried(web: ReplayServer, catalog: Path):
    web.route("GET", "/flaky", [Reply(500, {}, "oops"), Reply(503, {"Retry-After": "0"}, ""), Reply(200, UTF8, CLINIC_PAGE)])
    invoke(["source", "add", f"{web.url}/flaky"], catalog=catalog)
    assert web.count("/flaky") == 3 and (catalog / "sources" / f"{CLINIC_ID}.txt").is_file()


def test_server_that_keeps_failing_exits_3(web: ReplayServer, catalog: Path):
    web.route("GET", "/down", Reply(502, {}, "Bad Gateway"))
    before = snapshot_files(catalog)
    result = invoke(["source", "add", f"{web.url}/down"], code=3, catalog=catalog)
    assert "after 4 tries (HTTP 502 Bad Gateway)" in result.stderr and "--html FILE --url URL" in result.stderr
    assert snapshot_files(catalog) == before


def test_redirects_are_followed_and_a_loop_is_reported(web: ReplayServer, catalog: Path):
    web.route("GET", "/old", Reply(301, {"Location": "/new"}))
    web.route("GET", "/new", Reply(200, UTF8, CLINIC_PAGE))
    source_id = _added_id(invoke(["source", "add", f"{web.url}/old", "--json"], catalog=catalog))
    assert _yaml(catalog, source_id)["url"] == f"{web.url}/new"
    web.route("GET", "/loop", Reply(302, {"Location": "/loop"}))
    before = snapshot_files(catalog)
    assert "redirects in a loop" in invoke(["source", "add", f"{web.url}/loop"], code=3, catalog=catalog).stderr
    assert snapshot_files(catalog) == before


@pytest.mark.parametrize("headers, body, message", [
    ({"Content-Type": "application/pdf"}, b"%PDF-1.7\n...", "is a PDF document, not an HTML page"),
    ({"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n...", "is an image (image/png), not an HTML page"),
    ({"Content-Type": "text/html"}, b"%PDF-1.4\n...", "is a PDF document, not an HTML page"),
])
def test_not_html_exits_2_and_writes_nothing(headers: dict, body: bytes, message: str, web: ReplayServer,
                                             catalog: Path):
    web.route("GET", "/file", Reply(200, headers, body))
    before = snapshot_files(catalog)
    assert message in invoke(["source", "add", f"{web.url}/file"], code=2, catalog=catalog).stderr
    assert snapshot_files(catalog) == before


@pytest.mark.parametrize("url", ["htp://example.org/x", "https://", "https://exa mple.org/x"])
def test_malformed_url_exits_2_before_any_request(url: str, web: ReplayServer, catalog: Path):
    assert "not an identifier" in invoke(["source", "add", url], code=2, catalog=catalog).stderr
    assert web.count() == 0


def test_legacy_charset_page_is_stored_as_utf8_text(web: ReplayServer, catalog: Path):
    # ISO-8859-1 bytes, served with a header that wrongly says UTF-8
    folder = "trafilatura-nachrichten-at-cancer-therapies"
    web.route("GET", "/krebs", Reply(200, UTF8, page_bytes(folder)))
    source_id = _added_id(invoke(["source", "add", f"{web.url}/krebs", "--json"], catalog=catalog))
    text = (catalog / "sources" / f"{source_id}.txt").read_text(encoding="utf-8")
    assert "Wer sollte also die Komplementärmedizin anbieten?" in text
    assert source_id == "nachrichten-bringen-alternative-therapien-bei-krebs"  # English stop words only ("was")


def test_huge_page_is_stopped_at_the_size_limit(web: ReplayServer, catalog: Path):
    huge = b"<html><body>" + b"<p>ketamine " + b"x" * 6_000_000 + b"</p></body></html>"
    web.route("GET", "/huge", Reply(200, {"Content-Type": "text/html"}, huge))
    # gzip hides the size from Content-Length: the download itself must be cut off
    web.route("GET", "/bomb", Reply(200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, gzip.compress(huge)))
    before = snapshot_files(catalog)
    for path in ("/huge", "/bomb"):
        result = invoke(["source", "add", f"{web.url}{path}"], code=2, catalog=catalog)
        assert "over the 5 MB limit" in result.stderr
    assert snapshot_files(catalog) == before


# --- refresh: text changes, drifted quotes, snapshot-only, old sources ------------------------------


def _quote(root: Path, claim_id: str, source_id: str, quote: str) -> None:
    invoke(["claim", "add", claim_id, f"The article says: {quote}", "--kind", "mechanism",
            "--from", source_id, "--quote", quote], catalog=root)


def test_refresh_reports_the_quotes_that_drifted(web: ReplayServer, catalog: Path):
    web.route("GET", "/clinic", Reply(200, UTF8, CLINIC_PAGE))
    invoke(["source", "add", f"{web.url}/clinic"], catalog=catalog)
    _quote(catalog, "regeneration", CLINIC_ID, "the ability to regenerate dead or degraded brain cells")
    _quote(catalog, "imbalance", CLINIC_ID, "These conditions, often caused by chemical imbalances in the brain")
    unchanged = invoke(["source", "refresh", CLINIC_ID], catalog=catalog)
    assert f"unchanged {CLINIC_ID} <- {web.url}/clinic: text unchanged" in unchanged.stderr

    edited = CLINIC_PAGE.replace("These conditions, often caused by chemical imbalances in the brain".encode(),
                                 b"These conditions, whatever their cause")
    web.route("GET", "/clinic", Reply(200, UTF8, edited))
    result = invoke(["source", "refresh", CLINIC_ID, "--json"], catalog=catalog)
    report = json.loads(result.stdout)
    assert report["outcomes"][0]["action"] == "updated"
    assert report["outcomes"][0]["detail"].startswith("TEXT CHANGED")
    assert report["warnings"] == [f"sources/{CLINIC_ID}.txt: the quote of claim 'imbalance' no longer appears: "
                                  "'These conditions, often caused by chemical imbalances in the brain'"]
    assert (catalog / "sources" / f"{CLINIC_ID}.html").read_bytes() == edited
    assert "imbalance" in invoke(["check"], code=1, catalog=catalog).stdout


def test_snapshot_only_re_extracts_from_the_kept_page_without_the_network(web: ReplayServer, catalog: Path):
    web.route("GET", "/clinic", Reply(200, UTF8, CLINIC_PAGE))
    invoke(["source", "add", f"{web.url}/clinic"], catalog=catalog)
    snapshot = catalog / "sources" / f"{CLINIC_ID}.txt"
    original = snapshot.read_text(encoding="utf-8")
    snapshot.write_text("hand-damaged\n", encoding="utf-8")
    requests = web.count()
    result = invoke(["source", "refresh", "--snapshot-only"], catalog=catalog)
    assert "TEXT CHANGED" in result.stderr and web.count() == requests
    assert snapshot.read_text(encoding="utf-8") == original


def test_old_web_sources_without_a_kept_page_fail_clearly_or_are_fetched(shipped_catalog: Path, web: ReplayServer):
    before = snapshot_files(shipped_catalog)
    no_url = invoke(["source", "refresh", "nwtms-ketamine-chronic-pain"], code=2, catalog=shipped_catalog)
    assert "has no url to fetch" in no_url.stderr
    no_page = invoke(["source", "refresh", "--snapshot-only", "rtr-ketamine-neurological-damage"], code=2,
                     catalog=shipped_catalog)
    assert "no saved page sources/rtr-ketamine-neurological-damage.html" in no_page.stderr
    assert snapshot_files(shipped_catalog) == before

    # With a url, the page is fetched: its snapshot is replaced and every catalog quote still checks.
    path = shipped_catalog / "sources" / "rtr-ketamine-neurological-damage.yaml"
    original_url = "https://rtrwellnesscenter.medium.com/ketamines-potential-ability-to-heal-neurological-damage-29ddcbf18134"
    path.write_text(path.read_text(encoding="utf-8").replace(original_url, f"{web.url}/rtr"), encoding="utf-8")
    curators_note = _yaml(shipped_catalog, "rtr-ketamine-neurological-damage")["note"]
    web.route("GET", "/rtr", Reply(200, UTF8, CLINIC_PAGE))
    result = invoke(["source", "refresh", "rtr-ketamine-neurological-damage"], catalog=shipped_catalog)
    assert "updated rtr-ketamine-neurological-damage" in result.stderr and "warning" not in result.stderr
    refreshed = _yaml(shipped_catalog, "rtr-ketamine-neurological-damage")
    assert refreshed["references"] == {"1": "henderson2016", "2": "mayoclinic-depression"}  # a person's links stay
    assert refreshed["note"] == curators_note and refreshed["updated"] == "2020-09-03"
    assert (shipped_catalog / "sources" / "rtr-ketamine-neurological-damage.html").is_file()


def test_refresh_that_cannot_fetch_leaves_the_source_as_it_was(web: ReplayServer, catalog: Path):
    web.route("GET", "/clinic", Reply(200, UTF8, CLINIC_PAGE))
    invoke(["source", "add", f"{web.url}/clinic"], catalog=catalog)
    before = snapshot_files(catalog)
    web.route("GET", "/clinic", Reply(404, {}, "gone"))
    assert "HTTP 404" in invoke(["source", "refresh", CLINIC_ID], code=3, catalog=catalog).stderr
    web.route("GET", "/clinic", Reply(200, {"Content-Type": "application/pdf"}, b"%PDF-1.7"))
    assert "PDF" in invoke(["source", "refresh", CLINIC_ID], code=2, catalog=catalog).stderr
    assert snapshot_files(catalog) == before


# --- one command, one transaction: a failure part-way leaves every file as it was -------------------


def _two_pages(web: ReplayServer, catalog: Path) -> tuple[str, str]:
    web.route("GET", "/clinic", Reply(200, UTF8, CLINIC_PAGE))
    web.route("GET", "/small", Reply(200, UTF8, SMALL_PAGE))
    result = invoke(["source", "add", f"{web.url}/clinic", f"{web.url}/small", "--json"], catalog=catalog)
    clinic, small = (o["source_id"] for o in json.loads(result.stdout)["outcomes"])
    return clinic, small


def test_refresh_of_several_pages_writes_all_or_nothing(web: ReplayServer, catalog: Path):
    clinic, small = _two_pages(web, catalog)
    before = snapshot_files(catalog)
    web.route("GET", "/clinic", Reply(200, UTF8, CLINIC_PAGE.replace(b"In recent years", b"Lately")))
    web.route("GET", "/small", Reply(404, {}, "gone"))
    result = invoke(["source", "refresh", clinic, small], code=3, catalog=catalog)
    assert snapshot_files(catalog) == before  # the clinic page, read first, was not written either
    assert f"sources/{small}.yaml: could not get {web.url}/small: HTTP 404 Not Found. {NOTHING_WRITTEN}." in result.stderr


def test_snapshot_only_over_several_pages_writes_all_or_nothing(web: ReplayServer, catalog: Path):
    clinic, small = _two_pages(web, catalog)
    (catalog / "sources" / f"{clinic}.txt").write_text("hand-damaged\n", encoding="utf-8")
    (catalog / "sources" / f"{small}.html").write_bytes(b"<html><body><div id='app'></div></body></html>")
    before = snapshot_files(catalog)
    result = invoke(["source", "refresh", "--snapshot-only", clinic, small], code=2, catalog=catalog)
    assert snapshot_files(catalog) == before
    assert f"sources/{small}.yaml: found no article text" in result.stderr


def test_a_lookup_that_fails_after_a_web_refresh_writes_nothing(literature: LiteratureFakes, replay: ReplayServer,
                                                                 catalog: Path):
    replay.route("GET", "/clinic", Reply(200, UTF8, CLINIC_PAGE))
    added = json.loads(invoke(["source", "add", f"{replay.url}/clinic", "11748933", "--json"], catalog=catalog).stdout)
    paper = added["outcomes"][1]["source_id"]
    replay.route("GET", "/clinic", Reply(200, UTF8, CLINIC_PAGE.replace(b"In recent years", b"Lately")))
    replay.route("POST", "/eutils/efetch.fcgi", Reply(500, {}, "down"))
    before = snapshot_files(catalog)
    result = invoke(["source", "refresh", CLINIC_ID, paper], code=3, catalog=catalog)
    assert "did not answer after 4 tries" in result.stderr and NOTHING_WRITTEN in result.stderr
    assert snapshot_files(catalog) == before


@pytest.mark.parametrize("failure, at", [(OSError(errno.ENOSPC, "No space left on device"), 4),  # 2nd page's snapshot
                                         (KeyboardInterrupt(), 6)],  # the 2nd page's .yaml: Ctrl-C
                         ids=["disk-full", "ctrl-c"])
def test_a_write_that_fails_part_way_through_an_add_undoes_the_others(failure: BaseException, at: int,
                                                                      web: ReplayServer, catalog: Path,
                                                                      monkeypatch: pytest.MonkeyPatch):
    """Snapshots are written as each page is read; the new .yaml files together at the end, renamed
    into place one by one: a failure at any of these writes puts the catalog back as it was."""
    from kclaims.catalog import atomic
    from kclaims.literature.add import add_sources

    web.route("GET", "/clinic", Reply(200, UTF8, CLINIC_PAGE))
    web.route("GET", "/small", Reply(200, UTF8, SMALL_PAGE))
    write, replace, calls = atomic.write_atomically, atomic.os.replace, []

    def count(name: str) -> None:
        calls.append(name)
        if len(calls) == at:
            raise failure

    def failing_write(path: Path, data: str | bytes) -> None:
        count(path.name)
        write(path, data)

    def failing_rename(temporary: str, path: Path) -> None:
        if str(path).endswith(".yaml") and "sources" in str(path):
            count(Path(path).name)
        replace(temporary, path)

    monkeypatch.setattr(atomic, "write_atomically", failing_write)
    monkeypatch.setattr(atomic.os, "replace", failing_rename)
    before = snapshot_files(catalog)
    with pytest.raises(type(failure)):
        add_sources(catalog, [f"{web.url}/clinic", f"{web.url}/small"])
    assert calls[-1].endswith(".yaml") == isinstance(failure, KeyboardInterrupt)  # a snapshot, or a new source
    assert snapshot_files(catalog) == before
    assert not [p for p in (catalog / "sources").iterdir() if p.name.endswith(".tmp")]


# --- what a page says is checked before it is written -----------------------------------------------


def test_a_page_dated_before_the_year_1000_is_added_without_the_date(web: ReplayServer, catalog: Path):
    page = article_html("<meta property='article:published_time' content='0999-05-01'>").encode("utf-8")
    web.route("GET", "/old", Reply(200, UTF8, page))
    source = _yaml(catalog, _added_id(invoke(["source", "add", f"{web.url}/old", "--json"], catalog=catalog)))
    assert source.get("date") is None and source["year"] is None
    invoke(["source", "list"], catalog=catalog)  # the catalog still loads


def test_a_planned_source_that_would_not_load_is_refused_not_written(catalog: Path):
    from kclaims.catalog.files import load_catalog
    from kclaims.literature.web_writer import PreparedPage, WebWriter
    from kclaims.literature.webpage import WebPage

    page = WebPage(url="https://example.org/x", canonical_url=None, title="Old news", site="Example",
                   published="0999-05-01", text="Old news\n\nBody.\n")  # as if webpage had let it through
    writer = WebWriter(load_catalog(catalog), set())
    outcome = writer.add(PreparedPage("https://example.org/x", page, b"<html></html>", "https://example.org/x"))
    assert outcome.action == "failed" and "not a plausible year" in outcome.detail
    assert list((catalog / "sources").iterdir()) == []


def test_a_new_source_file_that_would_not_load_is_not_written(tmp_path: Path):
    from kclaims.catalog.writing import new_yaml_file

    path = tmp_path / "odd.yaml"
    with pytest.raises(BadInput, match="not a plausible year"):
        new_yaml_file(path, {"id": "odd", "year": 999})
    assert not path.exists()


def test_unprintable_metadata_never_reaches_the_yaml_or_the_terminal(web: ReplayServer, catalog: Path):
    head = ("<script type='application/ld+json'>{\"@type\": \"Article\", \"headline\": \"Half \\ud800 a pair\", "
            "\"author\": \"Mallory \\u001b[2J\\u0007Doe\"}</script><meta property='og:site_name' content='Bidi \u202eetis'>")
    web.route("GET", "/odd", Reply(200, UTF8, article_html(head).encode("utf-8")))
    result = invoke(["source", "add", f"{web.url}/odd"], catalog=catalog)
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    (path,) = (catalog / "sources").glob("*.yaml")
    text = path.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\u202e" not in text and "\\u" not in text
    source = yaml.safe_load(text)
    assert (source["title"], source["authors"], source["site"]) == ("Half a pair", ["Mallory [2JDoe"], "Bidi etis")


@pytest.mark.parametrize("headers, body", [
    ({"Content-Type": "text/html; charset=rot13"}, CLINIC_PAGE),
    ({"Content-Type": "text/html; charset=base64"}, CLINIC_PAGE),
    ({"Content-Type": "text/html"}, CLINIC_PAGE.replace(b'<meta charset="utf-8">', b'<meta charset="zlib">')),
    ({"Content-Type": "text/html"}, CLINIC_PAGE.replace(b'<meta charset="utf-8">', b'<meta charset="utf-7">')),
], ids=["header-rot13", "header-base64", "meta-zlib", "meta-utf7"])
def test_a_charset_that_names_no_text_encoding_is_ignored(headers: dict, body: bytes, web: ReplayServer,
                                                          catalog: Path):
    web.route("GET", "/clinic", Reply(200, headers, body))
    assert _added_id(invoke(["source", "add", f"{web.url}/clinic", "--json"], catalog=catalog)) == CLINIC_ID
    text = (catalog / "sources" / f"{CLINIC_ID}.txt").read_text(encoding="utf-8")
    assert text.startswith("Ketamine’s Potential Ability to Heal Neurological Damage")


# --- addresses, TLS, slow servers, one session --------------------------------------------------------


@pytest.mark.parametrize("url", ["http://a..b/x", "https://" + "a" * 64 + ".example/x"])
def test_an_impossible_host_name_exits_2_before_any_request(url: str, web: ReplayServer, catalog: Path):
    before = snapshot_files(catalog)
    result = invoke(["source", "add", url], code=2, catalog=catalog)
    assert "not a usable web address" in result.stderr and "empty part or one over 63 characters" in result.stderr
    assert snapshot_files(catalog) == before


def test_a_tls_failure_exits_3_at_once(web: ReplayServer, catalog: Path, monkeypatch: pytest.MonkeyPatch):
    from kclaims.literature import client

    pauses: list[float] = []
    monkeypatch.setattr(client.time, "sleep", pauses.append)
    before = snapshot_files(catalog)
    result = invoke(["source", "add", web.url.replace("http://", "https://") + "/clinic"], code=3, catalog=catalog)
    assert "its secure connection failed" in result.stderr and NOTHING_WRITTEN in result.stderr
    assert pauses == []  # not retried: a certificate or protocol problem does not go away in a second
    assert snapshot_files(catalog) == before


def test_a_server_that_trickles_the_page_is_given_up_at_the_deadline(web: ReplayServer, catalog: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    from kclaims.literature import client

    monkeypatch.setattr(client, "REQUEST_DEADLINE_SECONDS", 0.5)
    web.route("GET", "/slow", Reply(200, UTF8, CLINIC_PAGE, trickle=0.1))  # 2 s in all, never 2 s silent
    before = snapshot_files(catalog)
    started = time.monotonic()
    result = invoke(["source", "add", f"{web.url}/slow"], code=3, catalog=catalog)
    assert time.monotonic() - started < 1.5
    assert "the page was still arriving after 0.5 seconds" in result.stderr and web.count("/slow") == 1
    assert snapshot_files(catalog) == before


def test_the_pages_of_one_command_share_a_session_and_its_rate_limit(web: ReplayServer, catalog: Path):
    from kclaims.literature import client

    web.route("GET", "/small", Reply(200, UTF8, SMALL_PAGE))
    web.route("GET", "/clinic", Reply(200, UTF8, CLINIC_PAGE))
    invoke(["source", "add", f"{web.url}/small", f"{web.url}/clinic"], catalog=catalog)
    first, second = (r.time for r in web.requests)
    assert second - first >= 1 / client.WEB.per_second - 0.02
