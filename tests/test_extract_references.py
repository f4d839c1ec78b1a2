"""References and their markers in articles (issue 14): one reader of reference lists for
`extract` and `source add --html`, Wikipedia's markup, markers in their own paragraph, superscripts
that lost their markup in a snapshot, citation forms, and the stems the cues match on."""

from __future__ import annotations

from pathlib import Path

import pytest

from kclaims.extract.citations import find_citations
from kclaims.extract.extraction import extract
from kclaims.extract.reading import article_from_text, read_article
from kclaims.extract.scoring import cue_table
from kclaims.extract.sentences import split_sentences, stem, words
from kclaims.literature.webpage import read_page
from kclaims.literature.webpage.references import is_reference_heading

WIKI_STYLE = Path(__file__).parent / "data" / "html" / "kclaims-wiki-style-article" / "page.html"


def test_a_wikipedia_reference_list_is_tied_to_its_markers():
    extraction = extract(read_article(WIKI_STYLE), [])
    assert [(r.marker, r.identifier) for r in extraction.references] == [
        ("1", "pmid:6317114"), ("2", "doi:10.1001/archpsyc.63.8.856"), ("3", "pmid:10686270")]
    assert extraction.references[1].text.startswith("Zarate CA, et al. (2006).")  # back-links "^ a b" left out
    assert [c.citations for c in extraction.candidates] == [["1"], ["2", "3"]]


def test_extract_and_source_add_read_the_same_reference_list():
    page = read_page(WIKI_STYLE.read_text(encoding="utf-8"), "https://en.example.org/wiki/Ketamine")
    extraction = extract(read_article(WIKI_STYLE), [])
    assert [(c.marker, c.identifier, c.text) for c in page.references] == \
        [(r.marker, r.identifier, r.text) for r in extraction.references]


@pytest.mark.parametrize("heading", ["References[edit]", "References [edit]", "SOURCES:", "7. References",
                                     "Notes[edit source]", "Literatur"])
def test_reference_headings(heading: str):
    assert is_reference_heading(heading)


@pytest.mark.parametrize("line", ["References to ketamine in popular culture", "See also[edit]", "Sourced"])
def test_not_reference_headings(line: str):
    assert not is_reference_heading(line)


def test_ol_items_have_their_numbers_from_the_lists_start():
    html = ("<p>Ketamine blocks the NMDA receptor in the spinal cord of rats.<sup>5</sup></p><h2>References</h2>"
            "<ol start=\"5\"><li>Anis NA (1983). Br J Pharmacol. PMID: 6317114.</li>"
            "<li>Berman RM (2000). Biol Psychiatry. PMID: 10686270.</li></ol>")
    references = extract(article_from_text(html, "html"), []).references
    assert [(r.marker, r.identifier) for r in references] == [("5", "pmid:6317114"), ("6", "pmid:10686270")]


def test_a_number_in_its_own_paragraph_is_the_marker_of_the_entry_after_it():
    html = ("<p>Research suggests that ketamine may reduce chronic pain in most patients.<sup>1</sup></p>"
            "<h2>References</h2>"
            "<p>1</p><p>Smith J, Jones K. Ketamine has been shown to reduce chronic pain in most patients. "
            "J Pain. 2010. doi:10.1016/j.jpain.2010.01.001</p>"
            "<p>2.</p><p>Brown A. Ketamine infusions may relieve neuropathic pain within hours. Pain. 2012. "
            "PMID: 22222222</p>")
    extraction = extract(article_from_text(html, "html"), [])
    assert [(r.marker, r.identifier) for r in extraction.references] == [
        ("1", "doi:10.1016/j.jpain.2010.01.001"), ("2", "pmid:22222222")]
    assert [c.sentence for c in extraction.candidates] == [
        "Research suggests that ketamine may reduce chronic pain in most patients.[1]"]  # the entries are no claims


def test_a_superscript_that_lost_its_markup_in_a_snapshot_ends_its_sentence():
    snapshot = ("Obesity has been linked to depression in adults.1 Research suggests that ketamine may "
                "reduce depressive symptoms quickly.2,3 It is sold in 2.5 mg doses.\n")
    article = article_from_text(snapshot, "text")
    assert [s.text for s in split_sentences(article.text)] == [
        "Obesity has been linked to depression in adults.1",
        "Research suggests that ketamine may reduce depressive symptoms quickly.2,3",
        "It is sold in 2.5 mg doses."]
    candidates = extract(article, []).candidates
    assert [c.citations for c in candidates[:2]] == [["1"], ["2", "3"]]
    assert candidates[0].quote == "Obesity has been linked to depression in adults."  # the marker is not recorded


@pytest.mark.parametrize("sentence, markers", [
    ("Ketamine blocks NMDA receptors (1,2).", ["1", "2"]),
    ("Ketamine blocks NMDA receptors (1–3).", ["1", "2", "3"]),
    ("Ketamine blocks NMDA receptors (4).", ["4"]),
    ("Smith et al. (2010) showed that ketamine blocks NMDA receptors.", ["Smith et al., 2010"]),
    ("Cook and Wellman (2004) found the same.", ["Cook and Wellman, 2004"]),
    ("Points are embedded with t-SNE (van der Maaten & Hinton, 2008).", ["van der Maaten & Hinton, 2008"]),
    ("It is sold (Smith, 2010; de la Cruz et al., 2012).", ["Smith, 2010", "de la Cruz et al., 2012"]),
    ("Three steps: (1) rest, (2) fluids, (3) sleep.", []),
    ("Prices rose in March (2020) and fell.", []),
    ("Version 2.1 of the study was published in 2019 (in print).", []),
])
def test_citation_forms(sentence: str, markers: list[str]):
    assert find_citations(sentence) == markers


@pytest.mark.parametrize("one, other", [("cookies", "cookie"), ("studies", "study"), ("studied", "study"),
                                        ("therapies", "therapy"), ("rapidly", "rapid"), ("promotes", "promote")])
def test_stems_meet(one: str, other: str):
    assert stem(one) == stem(other)


def test_likely_is_not_like():
    assert stem("likely") != stem("like")
    fired = cue_table().fired([stem(w) for w in words("Search engines match phrases like these to pages.")])
    assert "hedge" not in fired
    assert "likely" in cue_table().fired([stem(w) for w in words("It is likely to help.")])["hedge"]


def test_a_cookie_banner_is_boilerplate():
    assert cue_table().is_boilerplate("This site uses cookies to improve your experience of our research.")


def test_a_broken_link_in_a_reference_list_is_no_link():
    html = ("<p>Ketamine was studied by many researchers in many places over many years.</p><h2>References</h2>"
            "<ol><li><a href=\"http://[oops/x\">Smith J (2010). http://[oops/x PMID: 10686270</a></li></ol>")
    page = read_page(html, "https://example.org/")
    extraction = extract(article_from_text(html, "html"), [])
    assert [(c.marker, c.identifier) for c in page.references] == [("1", "pmid:10686270")]
    assert [(r.marker, r.identifier) for r in extraction.references] == [("1", "pmid:10686270")]
