"""`kclaims.extract.extraction`, measured on the five seed articles against the shipped catalog, and its parts:
sentences, boilerplate, citations, the reference list, Markdown and HTML input."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from kclaims.catalog.files import load_catalog
from kclaims.catalog.check import normalise_quote_text
from kclaims.errors import BadInput
from kclaims.extract.citations import find_citations
from kclaims.extract.extraction import as_json, covered, extract
from kclaims.extract.index import ClaimIndex
from kclaims.extract.reading import article_from_bytes, article_from_text, read_article
from kclaims.extract.sentences import split_sentences
from kclaims.model import Claim

ARTICLES = ["swpm-ketamine-neuroplasticity", "ketamine-therapy-benefits", "rtr-ketamine-neurological-damage",
            "nwtms-ketamine-chronic-pain", "ketamine-ptsd-anxiety"]
RTR = "rtr-ketamine-neurological-damage"


@pytest.fixture(scope="module")
def shipped():
    return load_catalog(REPO)


def _article(source_id: str):
    return read_article(REPO / "sources" / f"{source_id}.txt")


def _quotes(claims: list[Claim], source_id: str) -> list[tuple[str, str]]:
    return [(c.id, q.text) for c in claims for q in c.made_in if q.source == source_id]


def _contains_quote(sentence: str, quotes: list[tuple[str, str]]) -> set[str]:
    """The claims whose quote (from this article) lies inside the sentence."""
    normalised = normalise_quote_text(sentence)
    return {claim_id for claim_id, text in quotes if normalise_quote_text(text) in normalised}


# --- quality on the five articles -------------------------------------------------------------


@pytest.mark.parametrize("source_id", ARTICLES)
def test_proposals_cover_the_catalog_quotes(shipped, source_id: str):
    """Recall: the share of the catalog's quotes from the article that fall inside a proposed
    sentence (or a run of consecutive proposed sentences); precision: the share of proposed
    sentences that hold a catalog quote. Both are printed (pytest -s) for docs/extract.md."""
    extraction = extract(_article(source_id), shipped.claims, shipped.sources)
    sentences = [c.sentence for c in extraction.candidates]
    quotes = _quotes(shipped.claims, source_id)
    missed = [text for _, text in quotes if not covered(text, sentences)]
    recall = 1 - len(missed) / len(quotes)
    precision = sum(1 for s in sentences if _contains_quote(s, quotes)) / len(sentences)
    print(f"\n{source_id}: recall {recall:.2f} ({len(quotes) - len(missed)}/{len(quotes)} quotes), "
          f"precision {precision:.2f} ({len(sentences)} proposed of {extraction.sentences} sentences)")
    assert recall >= 0.8, f"missed: {missed}"
    least_recall, least_precision = MEASURED[source_id]
    assert recall >= least_recall and precision >= least_precision, "extraction quality fell (docs/extract.md)"


# Recall and precision measured on each article (docs/extract.md): a change may raise them, not lower them.
MEASURED = {"swpm-ketamine-neuroplasticity": (1.00, 0.70), "ketamine-therapy-benefits": (1.00, 0.77),
            "rtr-ketamine-neurological-damage": (1.00, 0.93), "nwtms-ketamine-chronic-pain": (0.97, 0.53),
            "ketamine-ptsd-anxiety": (1.00, 0.74)}


@pytest.mark.parametrize("source_id", ARTICLES)
def test_proposals_match_the_claim_they_quote(shipped, source_id: str):
    extraction = extract(_article(source_id), shipped.claims, shipped.sources)
    quotes = _quotes(shipped.claims, source_id)
    holding = [(c, _contains_quote(c.sentence, quotes)) for c in extraction.candidates]
    holding = [(c, owners) for c, owners in holding if owners]
    right = sum(1 for c, owners in holding if c.match and c.match.claim in owners)
    print(f"\n{source_id}: {right}/{len(holding)} sentences matched to the claim they quote")
    assert right / len(holding) >= 0.8


@pytest.mark.parametrize("source_id", ARTICLES)
def test_without_its_claims_the_article_still_gets_proposals_as_new(shipped, source_id: str):
    own = {claim_id for claim_id, _ in _quotes(shipped.claims, source_id)}
    rest = [c for c in shipped.claims if c.id not in own]
    extraction = extract(_article(source_id), rest, shipped.sources)
    quotes = _quotes(shipped.claims, source_id)
    sentences = [c.sentence for c in extraction.candidates]
    recall = sum(1 for _, text in quotes if covered(text, sentences)) / len(quotes)
    holding = [c for c in extraction.candidates if _contains_quote(c.sentence, quotes)]
    new = sum(1 for c in holding if c.match is None) / len(holding)
    print(f"\n{source_id} without its {len(own)} claims: recall {recall:.2f}, {new:.2f} of them new")
    assert recall >= 0.8
    assert new >= 0.8


def test_the_score_and_cues_explain_each_proposal(shipped):
    extraction = extract(_article("swpm-ketamine-neuroplasticity"), shipped.claims, shipped.sources)
    believed = next(c for c in extraction.candidates if c.sentence.startswith("Ketamine therapy is believed to act"))
    assert "hedge: is believed" in believed.cues
    assert "mechanism: antagonist" in believed.cues
    assert "subject: ketamine" in believed.cues
    assert believed.score >= 3.0
    assert believed.kind == "mechanism"
    assert believed.match is not None and believed.match.claim == "nmda-antagonism"


# --- what is never proposed -------------------------------------------------------------------


def test_boilerplate_lines_of_the_articles_are_not_proposed(shipped):
    boilerplate = {
        "swpm-ketamine-neuroplasticity": ["Click here to get in touch with Southwest Pain Management today!",
                                          "Find Relief With Southwest Pain Management"],
        "nwtms-ketamine-chronic-pain": ["Share Now :", "Request An Appointment",
                                        "reach out to us today to schedule a consultation"],
        RTR: ["2 min readSep 1, 2020", "Originally published at", "0 Followers", "RTR Wellness Center",
              "Our mission is to maintain our standing"],
    }
    for source_id, lines in boilerplate.items():
        proposed = " | ".join(c.sentence for c in extract(_article(source_id), shipped.claims).candidates)
        for line in lines:
            assert line not in proposed, f"{source_id}: proposed boilerplate {line!r}"


def test_headings_and_reference_entries_are_not_sentences(shipped):
    extraction = extract(_article(RTR), shipped.claims, shipped.sources)
    proposed = [c.sentence for c in extraction.candidates]
    assert not any("https://" in s for s in proposed)
    assert not any(s.startswith("SOURCES") for s in proposed)
    headings = [s.text for s in split_sentences(_article("ketamine-ptsd-anxiety").text)]
    assert "Understanding Ketamine's Action in the Brain" not in headings


# --- citations and the reference list -----------------------------------------------------------


def test_citation_markers_of_the_rtr_article(shipped):
    extraction = extract(_article(RTR), shipped.claims, shipped.sources)
    by_start = {c.sentence[:40]: c.citations for c in extraction.candidates}
    assert by_start["Ketamine appears to potently induce mecha"[:40]] == ["1"]
    assert by_start["In essence, depression is a model of reve"[:40]] == ["1"]
    cook = next(c for c in extraction.candidates if "Cook and Wellman" in c.sentence)
    assert cook.citations == ["Cook and Wellman, 2004", "Lui et al., 2008", "Duman, 2014", "Morais et al., 2014"]


def test_reference_list_of_the_rtr_article(shipped):
    references = extract(_article(RTR), shipped.claims, shipped.sources).references
    assert [(r.marker, r.identifier, r.source) for r in references] == [
        ("1", "PMC4810965", "henderson2016"),
        ("2", "https://www.mayoclinic.org/diseases-conditions/depression/symptoms-causes/syc-20356007",
         "mayoclinic-depression"),
    ]
    assert references[0].text == "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4810965/"


@pytest.mark.parametrize("sentence, markers", [
    ("Ketamine blocks NMDA receptors [1].", ["1"]),
    ("Ketamine blocks NMDA receptors [1,2].", ["1", "2"]),
    ("Ketamine blocks NMDA receptors [2-4].", ["2", "3", "4"]),
    ("Ketamine blocks NMDA receptors.¹²", ["12"]),
    ("Ketamine blocks NMDA receptors.¹,³", ["1", "3"]),
    ("Ketamine blocks NMDA receptors (Anis et al., 1983).", ["Anis et al., 1983"]),
    ("Ketamine blocks NMDA receptors in 1983 (in rats).", []),
])
def test_citation_markers(sentence: str, markers: list[str]):
    assert find_citations(sentence) == markers


def test_unnumbered_reference_list_with_dois():
    text = ("Ketamine has been shown to reduce depressive symptoms within a day (Zarate et al., 2006).\n\n"
            "References\n\n"
            "Zarate CA, et al. (2006). A randomized trial. Arch Gen Psychiatry. doi:10.1001/archpsyc.63.8.856\n"
            "Berman RM, et al. (2000). Antidepressant effects of ketamine. PMID: 10686270\n")
    references = extract(article_from_text(text), []).references
    assert [(r.marker, r.identifier) for r in references] == [
        (None, "doi:10.1001/archpsyc.63.8.856"), (None, "pmid:10686270")]


# --- input formats ------------------------------------------------------------------------------

HTML_PAGE = """<!DOCTYPE html>
<html><head><title>Ketamine and pain</title>
<script>var tracking = "ketamine has been shown to cure everything";</script>
<style>p { color: red }</style></head>
<body>
<header><a href="/">Home</a> <a href="/book">Request An Appointment</a></header>
<nav><ul><li>Ketamine can reduce pain in every patient, our menu says.</li></ul></nav>
<article>
<h1>Ketamine for chronic pain</h1>
<p>By blocking the NMDA receptor, ketamine can reduce pain transmission in the central
   nervous system.<sup>1</sup> Research suggests that ketamine infusions may relieve
   chronic pain for weeks.</p>
<aside>Subscribe to our newsletter: ketamine may help you.</aside>
<h2>References</h2>
<ol><li><a href="https://pubmed.ncbi.nlm.nih.gov/6317114/">Anis et al. 1983</a></li></ol>
</article>
<footer>Share this article. Ketamine has been shown to help, says the footer.</footer>
<script>document.write("Ketamine has been shown to do things")</script>
</body></html>
"""


def test_html_input_drops_scripts_and_navigation(shipped):
    article = article_from_text(HTML_PAGE)
    assert article.format == "html"
    for dropped in ("tracking", "our menu says", "Request An Appointment", "newsletter", "footer", "document.write",
                    "color: red"):
        assert dropped not in article.text
    extraction = extract(article, shipped.claims, shipped.sources)
    sentences = [c.sentence for c in extraction.candidates]
    assert sentences[0] == ("By blocking the NMDA receptor, ketamine can reduce pain transmission in the central "
                            "nervous system.[1]")
    assert extraction.candidates[0].citations == ["1"]
    assert extraction.candidates[0].match.claim == "nmda-blockade-interrupts-pain"
    assert sentences[1] == "Research suggests that ketamine infusions may relieve chronic pain for weeks."
    for candidate in extraction.candidates:  # offsets index the extracted text
        assert normalise_quote_text(article.text[candidate.start:candidate.end]) == candidate.sentence
    assert [(r.marker, r.identifier) for r in extraction.references] == [("1", "pmid:6317114")]  # an <ol> item has its number


def test_markdown_keeps_offsets_into_the_file(shipped):
    markdown = ("# Ketamine and the brain\n\n"
                "**Ketamine** has been shown to *enhance* neuroplasticity, which is the brain's ability to form "
                "new connections ([Li 2010](https://doi.org/10.1126/science.1190287)).\n\n"
                "- Ketamine can help reduce anxiety symptoms in some patients[^1].\n\n"
                "[^1]: https://pubmed.ncbi.nlm.nih.gov/29197185/\n")
    article = article_from_text(markdown, "markdown")
    assert len(article.text) == len(markdown)
    extraction = extract(article, shipped.claims, shipped.sources)
    first, second = extraction.candidates[:2]
    assert first.sentence.startswith("Ketamine has been shown to enhance neuroplasticity")
    assert markdown[first.start:].startswith("Ketamine** has been shown")
    assert first.sentence.endswith("new connections (Li 2010 ).")
    assert first.match is not None and first.match.claim in {"promotes-neuroplasticity", "neuroplasticity-definition"}
    assert second.citations == ["1"]
    assert [(r.marker, r.identifier) for r in extraction.references] == [("1", "pmid:29197185")]


def test_plain_text_offsets_index_the_text(shipped):
    article = _article("ketamine-ptsd-anxiety")
    for candidate in extract(article, shipped.claims).candidates:
        assert " ".join(article.text[candidate.start:candidate.end].split()) == candidate.sentence


def test_hard_wrapped_text_is_joined_into_sentences():
    text = ("Ketamine therapy is believed to act as an antagonist on certain receptors in\n"
            "the brain that are crucial for neuroplasticity. By antagonizing these receptors,\n"
            "ketamine can reorganize existing synaptic connections.\n")
    sentences = [s.text for s in split_sentences(text)]
    assert sentences == [
        "Ketamine therapy is believed to act as an antagonist on certain receptors in the brain that are crucial "
        "for neuroplasticity.",
        "By antagonizing these receptors, ketamine can reorganize existing synaptic connections.",
    ]


def test_abbreviations_and_list_markers_do_not_split_sentences():
    text = ("1. Promotes Neuroplasticity: Ketamine, e.g. at low doses, was studied by Zarate et al. in 2006 "
            "and Dr. Li.\n")
    assert [s.text for s in split_sentences(text)] == [
        "Promotes Neuroplasticity: Ketamine, e.g. at low doses, was studied by Zarate et al. in 2006 and Dr. Li."]


@pytest.mark.parametrize("data, message", [
    (b"%PDF-1.7\n\x00\x01binary", "is a PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
    (b"caf\xe9 au lait", "not UTF-8 text"),
])
def test_binary_and_undecodable_files_are_bad_input(data: bytes, message: str):
    with pytest.raises(BadInput, match=message):
        article_from_bytes(data, "auto", "article.txt")


def test_missing_file_is_bad_input(tmp_path: Path):
    with pytest.raises(BadInput, match="no such file"):
        read_article(tmp_path / "nope.txt")


# --- the JSON shape, coverage rule, speed, imports ----------------------------------------------


def test_json_shape(shipped):
    document = as_json(extract(_article(RTR), shipped.claims, shipped.sources))
    assert set(document) == {"candidates", "references", "duplicates"}
    for candidate in document["candidates"]:
        assert set(candidate) == {"sentence", "start", "end", "score", "cues", "match", "citations", "near_duplicates"}
        assert candidate["match"] is None or set(candidate["match"]) == {"claim", "score"}
    assert set(document["references"][0]) == {"marker", "text", "identifier"}
    json.dumps(document)


def test_a_quote_across_a_sentence_boundary_counts_when_both_sentences_are_proposed():
    sentences = ["Ketamine blocks NMDA receptors.", "It also promotes synapse growth."]
    assert covered("receptors. It also promotes", sentences)
    assert not covered("receptors. It also promotes", sentences[:1])
    assert covered("Ketamine blocks NMDA receptors", sentences)


def test_one_megabyte_in_under_two_seconds(shipped):
    """Measured once (CPU time, see below); bench/extract.py prints wall-clock numbers and a floor."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_extract", REPO / "bench" / "extract.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    text = bench.article_like_text(1_000_000)
    assert len(text.encode("utf-8")) >= 1_000_000
    started, cpu_started = time.perf_counter(), time.process_time()
    extraction = extract(article_from_text(text), shipped.claims, shipped.sources, model=ClaimIndex(shipped.claims))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"\n1 MB: {cpu:.2f} s of CPU, {elapsed:.2f} s of wall clock, {extraction.sentences} sentences, "
          f"{len(extraction.candidates)} proposed")
    assert len(extraction.candidates) > 1000
    # Extraction is single-threaded: its CPU time is its wall-clock time on an idle machine, and
    # unlike the wall clock it does not grow when other processes share the two cores.
    assert cpu < 2.0


def test_extract_imports_no_cli_network_or_matcher_at_import():
    code = "import sys, json, kclaims.extract.extraction; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    loaded = set(json.loads(done.stdout))
    assert not {"typer", "rich", "requests", "rapidfuzz", "kclaims.cli", "yaml", "ruamel"} & loaded


def test_docs_cue_tables_are_current():
    from docs import extract_doc as render_doc

    current = (REPO / "docs" / "extract.md").read_text(encoding="utf-8")
    assert render_doc(current) == current, "docs/extract.md is stale: run `python tools/docs.py`"


# --- review fixes: pathological punctuation, inserted markers, malformed HTML, encodings ------


@pytest.mark.parametrize("run", [".", "!?", "…"])
def test_long_runs_of_punctuation_split_in_linear_time(run: str):
    """A run of stops not followed by a new sentence used to cost quadratic time (8,000 dots: 5 s)."""
    for size in (10_000, 100_000):
        text = "Ketamine blocks NMDA receptors" + run * (size // len(run)) + "x and then more words."
        started = time.process_time()
        sentences = split_sentences(text)
        assert time.process_time() - started < 0.3, f"{size} characters of {run!r}"
        assert len(sentences) == 1


def test_a_page_with_a_200k_dot_paragraph_is_read_quickly(shipped):
    text = ("Ketamine has been shown to reduce depression within hours [1].\n\n" + "." * 200_000 + "\n\n"
            "Research suggests that ketamine infusions may relieve chronic pain.\n")
    started = time.process_time()
    extraction = extract(article_from_text(text), shipped.claims, shipped.sources)
    assert time.process_time() - started < 1.0
    assert [c.sentence[:20] for c in extraction.candidates] == ["Ketamine has been sh", "Research suggests th"]


def test_candidate_quote_leaves_out_the_markers_kclaims_inserted(shipped):
    html = ("<html><body><p>By blocking the NMDA receptor, ketamine can reduce pain transmission in the central "
            "nervous system.<sup>1</sup> Research suggests that ketamine<sup>2,3</sup> infusions may relieve "
            "chronic pain for weeks.</p></body></html>")
    article = article_from_text(html)
    first, second = extract(article, shipped.claims).candidates
    assert first.sentence.endswith("nervous system.[1]")
    assert first.quote.endswith("nervous system.")
    assert second.quote == "Research suggests that ketamine infusions may relieve chronic pain for weeks."
    markdown = ("**Ketamine** has been shown to *enhance* neuroplasticity, the brain's ability to form new "
                "connections ([Li 2010](https://doi.org/10.1126/science.1190287)).\n\n"
                "Ketamine can help reduce anxiety symptoms in some patients[^1].\n\n"
                "Ketamine may relieve chronic pain, as [clinical trials][3] suggest.\n\n"
                "[^1]: https://pubmed.ncbi.nlm.nih.gov/29197185/\n"
                "[3]: https://pubmed.ncbi.nlm.nih.gov/6317114/\n")
    quotes = [c.quote for c in extract(article_from_text(markdown, "markdown"), shipped.claims).candidates]
    assert quotes == [
        "Ketamine has been shown to enhance neuroplasticity, the brain's ability to form new connections (Li 2010).",
        "Ketamine can help reduce anxiety symptoms in some patients.",
        "Ketamine may relieve chronic pain, as clinical trials suggest."]
    plain = _article(RTR)
    assert all(c.quote == c.sentence for c in extract(plain, shipped.claims).candidates)


@pytest.mark.parametrize("html, kept", [
    ("<p>Ketamine blocks NMDA receptors.<sup>1</p><p>Research suggests ketamine may relieve pain.</p>",
     "Research suggests ketamine may relieve pain."),
    ("<div><nav><ul><li>Home<li>About</ul></div><p>Research suggests ketamine may relieve pain.</p>",
     "Research suggests ketamine may relieve pain."),
    ("<p>Share: <button>Tweet</p><p>Research suggests ketamine may relieve pain.</p>",
     "Research suggests ketamine may relieve pain."),
    ("<p>Pick one <select><option>A<option>B</p><p>Research suggests ketamine may relieve pain.</p>",
     "Research suggests ketamine may relieve pain."),
    ("<body><header>Clinic logo<main><p>Research suggests ketamine may relieve pain.</p></main></body>",
     "Research suggests ketamine may relieve pain."),
    ("<html><head><title>T</title><body><p>Research suggests ketamine may relieve pain.</p>",
     "Research suggests ketamine may relieve pain."),
])
def test_malformed_html_keeps_the_rest_of_the_page(html: str, kept: str):
    text = article_from_text("<!DOCTYPE html>" + html).text
    assert kept in text
    for dropped in ("Home", "About", "Tweet", "Clinic logo", "T\n"):
        assert not text.startswith(dropped)
    assert "Tweet" not in text and "Home" not in text and "logo" not in text and "\nA" not in text


@pytest.mark.parametrize("data", [
    "<!DOCTYPE html><html><head><meta charset='windows-1252'></head><body><p>Café “quoted”.</p></body></html>"
    .encode("cp1252"),
    "<html><body><p>Café “quoted”.</p></body></html>".encode("cp1252"),
    "<!DOCTYPE html><html><body><p>Café “quoted”.</p></body></html>".encode("utf-16"),
])
def test_html_in_any_encoding_is_read_like_source_add_reads_it(data: bytes, tmp_path: Path):
    page = tmp_path / "page.html"
    page.write_bytes(data)
    article = read_article(page)
    assert article.format == "html"
    assert article.text.strip() == "Café “quoted”."
    if not data.startswith(b"\xff\xfe"):  # webpage.looks_like_html, which `source add` uses, sniffs 8-bit text
        assert article_from_bytes(data, "auto", "-").text == article.text


def test_a_block_ending_in_a_lone_space_does_not_crash_the_reader():
    """An element holding only a space at a block's end (the readability schema-org page has one)
    used to leave an empty part behind, and the next line break raised IndexError."""
    assert article_from_text("<html><body><p>Ketamine<b> </b></p><p>Next.</p></body></html>").text == \
        "Ketamine\nNext.\n"


def test_review_session_is_the_whole_review_without_a_prompt(small_catalog: Path):
    """The CLI only asks and prints: what is recorded, refused and counted is decided here."""
    from kclaims.extract.review import NOT_IN_ARTICLE, ReviewSession

    claims = load_catalog(small_catalog).claims
    html = ("<html><body><p>Ketamine works on the NMDA receptor.<sup>1</sup> By blocking this receptor, ketamine "
            "can reduce pain transmission.</p><p>Research suggests ketamine may relieve chronic pain within hours "
            "in several clinical trials.</p></body></html>")
    article = article_from_text(html)
    model = ClaimIndex(claims)
    extraction = extract(article, claims, model=model, min_score=0)
    session = ReviewSession(small_catalog, "blog", article, extraction, model)
    first, second, third = extraction.candidates
    assert (first.sentence, first.quote) == ("Ketamine works on the NMDA receptor.[1]",
                                             "Ketamine works on the NMDA receptor.")
    assert session.already_recorded(second) == "nmda-antagonism"  # the catalog quotes these words from blog
    assert session.unreviewed(0) == 2
    assert session.quote_problem("the NMDA receptor.[1]") == NOT_IN_ARTICLE
    assert "sources/blog.txt" in session.quote_problem("relieve chronic pain within hours")  # not in the snapshot
    assert session.quote_ok("Ketamine works on the NMDA receptor.")
    outcome = session.accept_quote("nmda-antagonism", first.quote)
    assert (outcome.action, outcome.claim) == ("quoted", "nmda-antagonism")
    assert session.already_recorded(first) == "nmda-antagonism"
    refused = session.accept_new(third, third.quote, "ptsd-hours", third.quote, "efficacy", [])
    assert refused.action == "skipped" and "kclaims check" in refused.detail
    assert session.counts() == {"new claim": 0, "quoted": 1, "already recorded": 0, "skipped": 1}
    assert not session.is_claim("ptsd-hours")
