"""`kclaims extract` through the real command: JSON, --apply, the interactive review, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, invoke, snapshot_files
from kclaims.catalog.files import load_catalog

RTR = "rtr-ketamine-neurological-damage"

ARTICLE = (
    "Ketamine blocks NMDA receptors, and by blocking this receptor, ketamine can reduce pain transmission "
    "in the spinal cord.\n"
    "Research suggests that ketamine infusions may relieve chronic migraine pain within hours.\n"
    "Ketamine has been shown to reduce suicidal thoughts within a day in several clinical trials.\n"
    "Click here to book an appointment with our team today!\n"
)


@pytest.fixture
def catalog_with_new_article(small_catalog: Path) -> tuple[Path, Path]:
    """The small catalog plus a second web article 'blog2', its snapshot the article file itself."""
    invoke(["source", "new", "blog2", "--title", "Ketamine news"], catalog=small_catalog)
    article = small_catalog / "sources" / "blog2.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    return small_catalog, article


def _claims(root: Path) -> dict:
    return {c.id: c for c in load_catalog(root).claims}


# --- JSON -------------------------------------------------------------------------------------


def test_json_prints_proposals_and_writes_nothing(shipped_catalog: Path):
    before = snapshot_files(shipped_catalog)
    article = shipped_catalog / "sources" / f"{RTR}.txt"
    result = invoke(["extract", str(article), "--json"], catalog=shipped_catalog)
    document = json.loads(result.stdout)
    assert set(document) == {"kclaims", "candidates", "references", "duplicates"}
    first = document["candidates"][0]
    assert set(first) == {"sentence", "start", "end", "score", "cues", "match", "citations", "near_duplicates"}
    assert first["match"] == {"claim": "broad-efficacy", "score": 100.0}
    assert document["references"][0] == {"marker": "1", "text": "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4810965/",
                                          "identifier": "PMC4810965"}
    text = article.read_text(encoding="utf-8")
    assert text[first["start"]:first["end"]] == first["sentence"]
    assert snapshot_files(shipped_catalog) == before


def test_json_with_a_source_and_from_standard_input(shipped_catalog: Path):
    text = (shipped_catalog / "sources" / f"{RTR}.txt").read_text(encoding="utf-8")
    result = invoke(["extract", "-", "--json", "--source", RTR], catalog=shipped_catalog, input=text)
    assert len(json.loads(result.stdout)["candidates"]) > 10


# --- --apply ------------------------------------------------------------------------------------


def test_apply_writes_quotes_and_new_claims_and_check_stays_clean(catalog_with_new_article):
    root, article = catalog_with_new_article
    result = invoke(["extract", str(article), "--source", "blog2", "--apply", "--threshold", "3"], catalog=root)
    assert "quoted nmda-antagonism" in result.stderr
    claims = _claims(root)
    assert any(q.source == "blog2" and q.text.startswith("Ketamine blocks NMDA receptors")
               for q in claims["nmda-antagonism"].made_in)
    new = [c for c in claims.values() if c.id not in ("nmda-antagonism", "ptsd-relief")]
    assert {c.made_in[0].text for c in new} == {
        "Research suggests that ketamine infusions may relieve chronic migraine pain within hours.",
        "Ketamine has been shown to reduce suicidal thoughts within a day in several clinical trials."}
    assert all(c.made_in[0].source == "blog2" and c.kind in ("efficacy", "mechanism", "dosing") for c in new)
    assert not any("Click here" in c.statement for c in claims.values())
    invoke(["check"], catalog=root)  # exit 0: the catalog is clean
    before = snapshot_files(root)
    again = invoke(["extract", str(article), "--source", "blog2", "--apply", "--threshold", "3"], catalog=root)
    assert "already recorded" in again.stderr
    assert snapshot_files(root) == before


def test_apply_on_a_sixth_article_of_the_shipped_catalog(shipped_catalog: Path):
    """The RTR article entered again as a new source: its sentences become quotes of the claims
    they restate or new claims, and the catalog still checks clean."""
    invoke(["source", "new", "rtr-copy", "--title", "Copy"], catalog=shipped_catalog)
    article = shipped_catalog / "sources" / "rtr-copy.txt"
    article.write_text((REPO / "sources" / f"{RTR}.txt").read_text(encoding="utf-8"), encoding="utf-8")
    invoke(["extract", str(article), "--source", "rtr-copy", "--apply"], catalog=shipped_catalog)
    claims = _claims(shipped_catalog)
    assert any(q.source == "rtr-copy" for q in claims["regenerates-brain-cells"].made_in)
    invoke(["check"], catalog=shipped_catalog)


# --- the interactive review ---------------------------------------------------------------------


def test_review_accepts_as_quote_and_new_claim_and_skips(catalog_with_new_article):
    root, article = catalog_with_new_article
    answers = "m\n" "n\nmigraine-relief\n\nefficacy\nchronic-pain\n" "s\n"
    result = invoke(["extract", str(article), "--source", "blog2"], catalog=root, input=answers)
    assert "Accept?" in result.stderr and result.stdout == ""
    claims = _claims(root)
    assert [q.source for q in claims["nmda-antagonism"].made_in] == ["blog", "blog2"]
    migraine = claims["migraine-relief"]
    assert (migraine.kind, migraine.topics) == ("efficacy", ["chronic-pain"])
    assert migraine.statement == migraine.made_in[0].text == (
        "Research suggests that ketamine infusions may relieve chronic migraine pain within hours.")
    assert not any("suicidal" in c.statement for c in claims.values())
    invoke(["check"], catalog=root)


def test_review_edit_quotes_only_the_chosen_words(catalog_with_new_article):
    root, article = catalog_with_new_article
    answers = ("s\n" "s\n"
               "e\nketamine cures everything\nKetamine has been shown to reduce suicidal thoughts\n"
               "suicidal-thoughts\nKetamine rapidly reduces suicidal thoughts.\n\nsuicidality\n")
    result = invoke(["extract", str(article), "--source", "blog2"], catalog=root, input=answers)
    assert "not in the article word for word" in result.stderr
    claim = _claims(root)["suicidal-thoughts"]
    assert claim.statement == "Ketamine rapidly reduces suicidal thoughts."
    assert claim.made_in[0].text == "Ketamine has been shown to reduce suicidal thoughts"
    assert claim.topics == ["suicidality"]
    invoke(["check"], catalog=root)


def test_review_quit_and_end_of_input_write_nothing(catalog_with_new_article):
    root, article = catalog_with_new_article
    before = snapshot_files(root)
    invoke(["extract", str(article), "--source", "blog2"], catalog=root, input="q\n")
    invoke(["extract", str(article), "--source", "blog2"], catalog=root, input="")
    assert snapshot_files(root) == before


# --- bad input ----------------------------------------------------------------------------------


def _one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_missing_file(shipped_catalog: Path, tmp_path: Path):
    result = invoke(["extract", str(tmp_path / "missing.txt"), "--json"], code=2, catalog=shipped_catalog)
    assert _one_line_error(result).endswith("missing.txt: no such file")


def test_unknown_source(shipped_catalog: Path):
    article = shipped_catalog / "sources" / f"{RTR}.txt"
    result = invoke(["extract", str(article), "--source", "rtr-ketamine"], code=2, catalog=shipped_catalog)
    assert "no source with id 'rtr-ketamine'" in _one_line_error(result)


def test_binary_file(shipped_catalog: Path, tmp_path: Path):
    image = tmp_path / "figure.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    result = invoke(["extract", str(image), "--json"], code=2, catalog=shipped_catalog)
    assert "not a text file" in _one_line_error(result)


def test_source_is_needed_to_write_and_json_never_writes(shipped_catalog: Path):
    article = str(shipped_catalog / "sources" / f"{RTR}.txt")
    assert "--source ID is needed" in _one_line_error(invoke(["extract", article], code=2, catalog=shipped_catalog))
    result = invoke(["extract", article, "--json", "--apply", "--source", RTR], code=2, catalog=shipped_catalog)
    assert "writes nothing" in _one_line_error(result)
    result = invoke(["extract", "-", "--source", RTR], code=2, catalog=shipped_catalog, input="text")
    assert "standard input" in _one_line_error(result)


def test_extract_reads_the_sources_snapshot_when_no_file_is_given(shipped_catalog):
    import json

    result = invoke(["extract", "--source", "rtr-ketamine-neurological-damage", "--json"], catalog=shipped_catalog)
    candidates = json.loads(result.stdout)["candidates"]
    assert any("regenerate dead or degraded brain cells" in c["sentence"] for c in candidates)
    missing = invoke(["extract", "--source", "zarate2006", "--json"], code=2, catalog=shipped_catalog)
    assert "has no text snapshot" in missing.stderr
    assert "--source ID" in invoke(["extract", "--json"], code=2, catalog=shipped_catalog).stderr


# --- honest quotes: never a marker kclaims wrote in -------------------------------------------

HTML_ARTICLE = (
    "<!DOCTYPE html><html><body><article>"
    "<p>Ketamine blocks NMDA receptors, and by blocking this receptor, ketamine can reduce pain transmission "
    "in the spinal cord.<sup>1</sup></p>"
    "<p>Research suggests that ketamine<sup>2</sup> infusions may relieve chronic migraine pain within hours.</p>"
    "</article></body></html>")
VISIBLE_TEXT = ("Ketamine blocks NMDA receptors, and by blocking this receptor, ketamine can reduce pain "
                "transmission in the spinal cord.1 Research suggests that ketamine2 infusions may relieve "
                "chronic migraine pain within hours.")


@pytest.fixture
def catalog_without_snapshot(small_catalog: Path) -> Path:
    invoke(["source", "new", "page", "--title", "Ketamine page"], catalog=small_catalog)
    assert not (small_catalog / "sources" / "page.txt").exists()
    return small_catalog


def _quotes_from(root: Path, source_id: str) -> list[str]:
    return [q.text for c in load_catalog(root).claims for q in c.made_in if q.source == source_id]


def test_apply_never_records_the_markers_the_html_reader_wrote(catalog_without_snapshot: Path, tmp_path: Path):
    root = catalog_without_snapshot
    page = tmp_path / "page.html"
    page.write_text(HTML_ARTICLE, encoding="utf-8")
    invoke(["extract", str(page), "--source", "page", "--apply", "--threshold", "3"], catalog=root)
    quotes = _quotes_from(root, "page")
    assert quotes == [
        "Ketamine blocks NMDA receptors, and by blocking this receptor, ketamine can reduce pain transmission "
        "in the spinal cord.",
        "Research suggests that ketamine infusions may relieve chronic migraine pain within hours."]
    assert quotes[0] in VISIBLE_TEXT  # the first is verbatim; the second leaves out the superscript only


def test_review_records_markdown_sentences_without_footnote_marks(catalog_without_snapshot: Path, tmp_path: Path):
    root = catalog_without_snapshot
    page = tmp_path / "page.md"
    page.write_text("Ketamine blocks NMDA receptors, and **by blocking this receptor**, ketamine can reduce pain "
                    "transmission in the spinal cord[^1].\n\n"
                    "Research suggests that ketamine infusions may relieve [chronic migraine pain][2] within hours.\n\n"
                    "[^1]: https://pubmed.ncbi.nlm.nih.gov/6317114/\n"
                    "[2]: https://pubmed.ncbi.nlm.nih.gov/29197185/\n", encoding="utf-8")
    answers = "m\n" "n\nmigraine-relief\n\nefficacy\n\n"
    result = invoke(["extract", str(page), "--source", "page"], catalog=root, input=answers)
    assert "recorded as: Ketamine blocks NMDA receptors" in result.stderr
    assert _quotes_from(root, "page") == [
        "Ketamine blocks NMDA receptors, and by blocking this receptor, ketamine can reduce pain transmission "
        "in the spinal cord.",
        "Research suggests that ketamine infusions may relieve chronic migraine pain within hours."]


def test_review_edit_refuses_words_with_an_inserted_marker(catalog_without_snapshot: Path, tmp_path: Path):
    root = catalog_without_snapshot
    page = tmp_path / "page.html"
    page.write_text(HTML_ARTICLE, encoding="utf-8")
    answers = "e\nreduce pain transmission in the spinal cord.[1]\nreduce pain transmission in the spinal cord.\n" \
              "nmda-antagonism\nq\n"
    result = invoke(["extract", str(page), "--source", "page"], catalog=root, input=answers)
    assert "not in the article word for word" in result.stderr
    assert _quotes_from(root, "page") == ["reduce pain transmission in the spinal cord."]


# --- the end of the review: q, end of input, Ctrl-C --------------------------------------------


def test_q_at_the_claim_id_prompt_quits_instead_of_naming_a_claim(catalog_with_new_article):
    root, article = catalog_with_new_article
    before = snapshot_files(root)
    result = invoke(["extract", str(article), "--source", "blog2"], catalog=root, input="n\nq\n")
    assert "Statement" not in result.stderr
    assert "Done: nothing accepted." in result.stderr.splitlines()[-1]
    assert snapshot_files(root) == before


def test_end_of_input_says_what_was_not_reviewed_and_keeps_what_was_accepted(catalog_with_new_article):
    root, article = catalog_with_new_article
    result = invoke(["extract", str(article), "--source", "blog2"], catalog=root, input="m\n")
    lines = result.stderr.splitlines()
    assert "stopped at end of input (2 proposals not reviewed)" in lines
    assert any(line.startswith("Done: 1 quoted.") for line in lines)  # on its own line, not the prompt's
    assert [q.source for q in _claims(root)["nmda-antagonism"].made_in] == ["blog", "blog2"]
    nothing = invoke(["extract", str(article), "--source", "blog2"], catalog=root, input="")
    assert "stopped at end of input (2 proposals not reviewed)" in nothing.stderr.splitlines()


def test_ctrl_c_says_so_keeps_what_was_accepted_and_exits_130(catalog_with_new_article, monkeypatch):
    from rich.console import Console

    root, article = catalog_with_new_article
    answers = iter(["m"])

    def answer(self, prompt="", **kwargs):
        try:
            return next(answers)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(Console, "input", answer)
    result = invoke(["extract", str(article), "--source", "blog2"], code=130, catalog=root)
    lines = result.stderr.splitlines()
    assert "interrupted (2 proposals not reviewed); what was accepted is written; exit code 130" in lines
    assert any(line.startswith("Done: 1 quoted.") for line in lines)
    assert [q.source for q in _claims(root)["nmda-antagonism"].made_in] == ["blog", "blog2"]


def test_extract_help_says_how_the_review_ends():
    result = invoke(["extract", "--help"])
    assert "end of input" in result.stdout and "130" in result.stdout


def test_extract_reads_non_utf8_html_like_source_add(catalog_without_snapshot: Path, tmp_path: Path):
    page = tmp_path / "page.html"
    page.write_bytes(HTML_ARTICLE.replace("<body>", "<head><meta charset=windows-1252></head><body>")
                     .replace("Research", "Café research").encode("cp1252"))
    result = invoke(["extract", str(page), "--json"], catalog=catalog_without_snapshot)
    assert "Café research" in result.stdout
