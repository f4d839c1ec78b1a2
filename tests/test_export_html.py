"""The HTML report: read back by an HTML parser, hostile text escaped everywhere, and opened in a real
headless Chromium (over the DevTools protocol) that must log no console error and make no network request."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import invoke
from report_fixtures import HOSTILE, Page, write_catalog, write_hostile_catalog, write_report_catalog

from kclaims.catalog.files import load_catalog
from kclaims.export.html import CONTENT_SECURITY_POLICY, SCRIPT, STYLE, export_html
from kclaims.catalog.query import linked_sources, select_claims


def _export(root: Path) -> str:
    catalog = load_catalog(root)
    rows = select_claims(catalog)
    return export_html(rows, linked_sources(catalog, rows))


STRENGTHS_IN_ORDER = ["supported-high", "supported-moderate", "supported-low", "supported-very-low", "conflicting",
                      "contradicted-very-low", "contradicted-low", "contradicted-moderate", "contradicted-high",
                      "no-evidence-found", "not-assessed"]


def test_html_has_every_claim_verdict_quote_and_source(tmp_path):
    html = _export(write_report_catalog(tmp_path / "c"))
    page = Page(html)
    claims = page.all("article")
    assert {a["id"] for a in claims} == {"claim-rapid-relief", "claim-nmda-antagonism", "claim-ptsd-relief",
                                        "claim-cures-everything", "claim-bladder-harm", "claim-no-topic"}
    strengths = {a["id"]: a["data-strength"] for a in claims}
    assert strengths == {"claim-rapid-relief": "supported-moderate", "claim-nmda-antagonism": "supported-low",
                         "claim-ptsd-relief": "conflicting", "claim-cures-everything": "no-evidence-found",
                         "claim-bladder-harm": "not-assessed", "claim-no-topic": "contradicted-high"}
    assert all(a["data-rank"] == str(STRENGTHS_IN_ORDER.index(a["data-strength"])) for a in claims), "sort order"
    select = html[html.index('<select id="filter-strength">'):]
    assert Page(select[:select.index("</select>")]).all("option") == [
        {"value": value} for value in ["", *STRENGTHS_IN_ORDER]], "the filter offers every verdict and certainty"
    assert "Ketamine gives rapid relief from depression." in page.text
    assert "ketamine works within hours for many patients" in page.text      # a quote
    assert ("Evidence: supported, ⊕⊕⊕◯ moderate This is probably true. · curator's grade: supported, ⊕⊕◯◯ low "
            "because The trials followed patients for a day only.") in page.text  # a grade beside the verdict
    assert "supporting: imprecision -1: 67 participants (< 400)" in page.text  # the reasons
    assert "level 1, systematic review or meta-analysis (certainty reported by the review: ⊕⊕⊕◯ moderate)" in page.text
    assert "level 2, randomized controlled trial (indirect: population). Fewer symptoms at one week." in page.text
    assert "Evidence: no-evidence-found A search found no study that tests this." in page.text
    assert "Evidence: not-assessed No study that tests this is linked yet." in page.text
    legend = Page(html[html.index('<section id="legend">'):html.index('<section id="map">')])
    assert legend.text.startswith("Verdicts and certainty supported, ⊕⊕⊕⊕ high The evidence shows this is true.")
    assert "contradicted, ⊕⊕⊕⊕ high The evidence shows this is not true." in legend.text
    assert [b["class"] for b in legend.all("span") if b["class"].startswith("badge ")] == [
        f"badge badge-{key}" for key in STRENGTHS_IN_ORDER]
    for key in STRENGTHS_IN_ORDER:
        assert f".badge-{key}{{background:#" in STYLE, f"{key} has a colour"
    bibliography = {li["id"] for li in page.all("li") if (li.get("id") or "").startswith("source-")}
    assert bibliography == {"source-blog", "source-news", "source-meta2020", "source-rct2018", "source-rct2019",
                            "source-anis1983", "source-null2021", "source-retracted2015"}
    hrefs = {a.get("href") for a in page.all("a")}
    assert "https://doi.org/10.1000/meta.2020" in hrefs
    assert "https://pubmed.ncbi.nlm.nih.gov/11111111/" in hrefs               # no DOI: PubMed
    assert "https://example.org/ketamine" in hrefs                           # neither: the URL
    assert page.all("svg", **{"class": "evidence-map"}), "the evidence map is inline SVG"
    assert len([b for b in page.all("span") if (b.get("class") or "").startswith("badge badge-")]) >= 18


def test_html_shows_a_rubric_1_grade_as_such(tmp_path):
    claim = {"id": "old", "statement": "Ketamine is old.", "kind": "background",
             "grade": {"label": "strong", "because": "Graded before rubric 2."}}
    page = Page(_export(write_catalog(tmp_path / "c", [claim], [])))
    assert [a["data-strength"] for a in page.all("article")] == ["not-assessed"]
    assert ("Evidence: not-assessed No study that tests this is linked yet. · curator's grade: "
            "strong (a rubric-1 label) because Graded before rubric 2.") in page.text


def test_html_is_self_contained(tmp_path):
    html = _export(write_report_catalog(tmp_path / "c"))
    page = Page(html)
    assert not page.all("link", rel="stylesheet") and not page.all("img") and not page.all("iframe")
    assert all("src" not in attrs for _, attrs in page.elements), "no element loads anything"
    assert [a.get("href") for a in page.all("link")] == ["data:,"]  # the favicon, so the browser asks for none
    assert page.raw_blocks["style"] == [STYLE] and page.raw_blocks["script"] == [SCRIPT]
    assert "@import" not in STYLE and "url(" not in STYLE
    policy = page.all("meta", **{"http-equiv": "Content-Security-Policy"})[0]["content"]
    assert policy == CONTENT_SECURITY_POLICY and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy, "only the page's own style and script run, by hash"


def test_hostile_text_in_every_field_shows_as_text(tmp_path):
    html = _export(write_hostile_catalog(tmp_path / "c"))
    page = Page(html)
    assert len(page.raw_blocks["script"]) == 1 and page.raw_blocks["script"][0] == SCRIPT
    for tag, attrs in page.elements:
        assert tag not in ("img", "iframe", "object", "embed", "form", "base"), tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src", "action", "formaction", "xlink:href"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:text", "vbscript:")), (tag, attrs)
    # the statement, quote, note, grade, title, authors, journal, pages... each reaches the page as text
    assert page.text.count(HOSTILE) >= 10
    assert f"no-evidence-found: searched {HOSTILE} on 2026-11-30 for '{HOSTILE}'" in page.text  # a recorded search
    assert "<script>" not in html.replace(f"<script>{SCRIPT}</script>", "")


def test_export_html_command_writes_the_page(tmp_path):
    root = write_report_catalog(tmp_path / "c")
    out = tmp_path / "report.html"
    result = invoke(["export", "--format", "html", "--output", str(out), "--topic", "ptsd"], catalog=root)
    assert "Wrote 1 claims" in result.stderr
    page = Page(out.read_text(encoding="utf-8"))
    assert [a["id"] for a in page.all("article")] == ["claim-ptsd-relief"]


# --- a real browser -------------------------------------------------------------------------------

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars")


def _chromium_binary() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: CI must `apt-get install -y chromium`")
    pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")


class DevTools:
    """Chromium started headless with a fresh profile, driven over the DevTools protocol on a websocket."""

    def __init__(self, profile: Path):
        websocket = pytest.importorskip("websocket") if not os.environ.get("CI") else __import__("websocket")
        self.process = subprocess.Popen(
            [_chromium_binary(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = self._port(profile)
        target = next(t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
                      if t["type"] == "page")
        self.socket = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=20, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def _port(self, profile: Path) -> int:
        marker = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if marker.exists() and marker.read_text().strip():
                return int(marker.read_text().split()[0])
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}")
            time.sleep(0.05)
        raise RuntimeError("chromium did not open its DevTools port")

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 20) -> None:
        if any(e.get("method") == event for e in self.events):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(self.socket.recv())
            self.events.append(message)
            if message.get("method") == event:
                return
        raise TimeoutError(event)

    def settle(self, seconds: float = 0.3) -> None:
        """Collect events for a moment longer: late requests and console messages."""
        import websocket

        self.socket.settimeout(seconds)
        try:
            while True:
                self.events.append(json.loads(self.socket.recv()))
        except websocket.WebSocketTimeoutException:  # quiet for `seconds`: done
            pass
        self.socket.settimeout(20)

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def screenshot(self, path: Path, full_page: bool = False) -> None:
        params: dict = {"format": "png"}
        if full_page:
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", **params)["data"]))

    def problems(self, page_url: str) -> list[str]:
        """Console errors and warnings, exceptions, log errors, and every request but the page itself."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning", "assert"):
                found.append(f"console.{params['type']}: {params['args']}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails']}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(f"log: {params['entry']}")
            elif method == "Network.requestWillBeSent" and params["request"]["url"] != page_url:
                found.append(f"request: {params['request']['url']}")
        return found

    def close(self) -> None:
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    tools = DevTools(tmp_path_factory.mktemp("chromium-profile"))
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.call(f"{domain}.enable")
        yield tools
    finally:
        tools.close()


def _open(browser: DevTools, path: Path, media: str = "screen") -> str:
    url = path.resolve().as_uri()
    browser.call("Emulation.setEmulatedMedia", media=media)
    browser.events.clear()
    browser.call("Page.navigate", url=url)
    browser.wait_for("Page.loadEventFired")
    browser.settle()
    return url


def test_html_renders_in_chromium_with_no_error_and_no_request(tmp_path, browser):
    out = tmp_path / "report.html"
    out.write_text(_export(write_report_catalog(tmp_path / "c")), encoding="utf-8")
    url = _open(browser, out)
    assert browser.problems(url) == []
    assert browser.evaluate("document.title") == "Claims and the evidence behind them"
    assert browser.evaluate("document.getElementById('controls').hidden") is False, "the script ran"
    assert browser.evaluate("document.querySelectorAll('article.claim:not([hidden])').length") == 6
    # the badge colours and the page style applied: the CSP hash matched the inline style
    assert browser.evaluate(
        "getComputedStyle(document.querySelector('.badge-supported-moderate')).backgroundColor") == "rgb(56, 142, 60)"
    # every column heading of the map fits inside its coloured box ("⊕⊕⊕◯ moderate" is the widest)
    checked, overflowing = browser.evaluate(
        "var map = document.querySelector('svg.evidence-map');"
        "var boxes = Array.from(map.querySelectorAll('rect[rx]'));"
        "var inside = Array.from(map.querySelectorAll('text')).map(function (t) {"
        "  var x = +t.getAttribute('x'), y = +t.getAttribute('y');"
        "  return [t, boxes.find(function (r) { var rx = +r.getAttribute('x'), ry = +r.getAttribute('y');"
        "    return rx <= x && x <= rx + +r.getAttribute('width') && ry <= y && y <= ry + +r.getAttribute('height');"
        "  })];"
        "}).filter(function (pair) { return pair[1]; });"
        "[inside.length, inside.filter(function (pair) {"
        "  var b = pair[0].getBBox(), left = +pair[1].getAttribute('x');"
        "  return b.x < left || b.x + b.width > left + +pair[1].getAttribute('width');"
        "}).map(function (pair) { return pair[0].textContent + ': ' + pair[0].getBBox().width; })]")
    assert checked == 21 and overflowing == [], "11 headings, all but conflicting on two lines"
    browser.screenshot(tmp_path / "report-desktop.png", full_page=True)
    # filtering: type a word, only the matching claim stays
    shown = browser.evaluate(
        "var box = document.getElementById('filter-text'); box.value = 'bladder';"
        "box.dispatchEvent(new Event('input'));"
        "Array.from(document.querySelectorAll('article.claim:not([hidden])')).map(a => a.id)")
    assert shown == ["claim-bladder-harm"]
    # filtering by verdict and certainty: only the claim with that verdict stays
    shown = browser.evaluate(
        "box.value = ''; box.dispatchEvent(new Event('input'));"
        "var strength = document.getElementById('filter-strength'); strength.value = 'no-evidence-found';"
        "strength.dispatchEvent(new Event('change'));"
        "Array.from(document.querySelectorAll('article.claim:not([hidden])')).map(a => a.id)")
    assert shown == ["claim-cures-everything"]
    assert browser.evaluate("document.getElementById('shown').textContent") == "1 of 6 claims shown"
    # sorting by strength: supported most certain first, then conflicting, contradicted, nothing counted
    ordered = browser.evaluate(
        "strength.value = ''; strength.dispatchEvent(new Event('change'));"
        "var order = document.getElementById('sort'); order.value = 'strength';"
        "order.dispatchEvent(new Event('change'));"
        "Array.from(document.querySelectorAll('#sorted article.claim:not([hidden])')).map(a => a.id)")
    assert ordered == ["claim-rapid-relief", "claim-nmda-antagonism", "claim-ptsd-relief", "claim-no-topic",
                       "claim-cures-everything", "claim-bladder-harm"]
    assert browser.problems(url) == []
    # a phone: no sideways scrolling of the page
    browser.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=2, mobile=True)
    _open(browser, out)
    assert browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    browser.screenshot(tmp_path / "report-phone.png")
    browser.call("Emulation.clearDeviceMetricsOverride")
    # print: no controls, same content
    _open(browser, out, media="print")
    assert browser.evaluate("getComputedStyle(document.getElementById('controls')).display") == "none"
    browser.screenshot(tmp_path / "report-print.png", full_page=True)
    assert (tmp_path / "report-desktop.png").stat().st_size > 10_000


def test_hostile_page_runs_nothing_in_chromium(tmp_path, browser):
    out = tmp_path / "hostile.html"
    out.write_text(_export(write_hostile_catalog(tmp_path / "c")), encoding="utf-8")
    url = _open(browser, out)
    assert browser.problems(url) == []
    assert browser.evaluate("window.__pwned === undefined")
    assert browser.evaluate("document.querySelectorAll('script').length") == 1
    assert HOSTILE in browser.evaluate("document.querySelector('article.claim h3').textContent")
    browser.screenshot(tmp_path / "hostile.png")


def test_the_browser_check_catches_requests_and_console_errors(tmp_path, browser):
    """A control: the same check on a page that misbehaves must report it, or the tests above prove nothing."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><title>bad</title><img src="http://127.0.0.1:9/pixel.png">'
                   '<script>console.error("boom")</script>', encoding="utf-8")
    problems = browser.problems(_open(browser, bad))
    assert any(p.startswith("request: http://127.0.0.1:9/pixel.png") for p in problems), problems
    assert any("console.error" in p and "boom" in p for p in problems), problems


def test_the_evidence_map_reads_on_a_phone(tmp_path, browser):
    """At 1280 px the map is the figure; at 390 px its labels would shrink to ~5 px, so it gives way to the
    map as a list, whose text stays at the page's size. A screenshot of each width is kept."""
    out = tmp_path / "report.html"
    out.write_text(_export(write_report_catalog(tmp_path / "c")), encoding="utf-8")
    shown = ("[getComputedStyle(document.querySelector('#map figure')).display,"
             " getComputedStyle(document.querySelector('.map-list')).display,"
             " parseFloat(getComputedStyle(document.querySelector('.map-list li')).fontSize),"
             " document.documentElement.scrollWidth <= window.innerWidth + 1]")
    for width, height, figure, listed in ((1280, 900, "block", "none"), (390, 844, "none", "block")):
        browser.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                     mobile=width < 500)
        url = _open(browser, out)
        browser.evaluate("document.getElementById('map').scrollIntoView()")
        state = browser.evaluate(shown)
        assert state[:2] == [figure, listed] and state[3], (width, state)
        if width == 390:
            assert state[2] >= 14, "the list reads at the page's own size"
            links = browser.evaluate("Array.from(document.querySelectorAll('.map-list a')).map(a => a.hash)")
            assert "#claim-ptsd-relief" in links and len(links) == 7  # nmda-antagonism is in two topics
        browser.screenshot(tmp_path / f"map-{width}.png")
        assert browser.problems(url) == []
    browser.call("Emulation.clearDeviceMetricsOverride")
    assert (tmp_path / "map-390.png").stat().st_size > 5_000 and (tmp_path / "map-1280.png").stat().st_size > 5_000
