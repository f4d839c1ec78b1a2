"""Candidate claims and citations from an article's text, for a person to accept, edit or skip.

The core is pure: `extract(article, claims, sources)` takes text and the catalog and returns
proposals; nothing here prints, prompts or writes, except `ReviewSession`,
which writes accepted proposals through `kclaims.catalog.edit`.

How it works (docs/extract.md has the tables and the measured quality):

1. Text: plain text as read; Markdown with its markup blanked out (same length, so offsets still
   point into the file); HTML decoded as `webpage.decode_html` decodes it, then through the
   standard library's parser, scripts, styles, navigation, headers, footers, asides and forms
   dropped, an element left unclosed ending with the element around it. The citation markers
   written in ("[1]" for a superscript or footnote mark) are `Article.inserted`: shown in
   proposals, never recorded in a quote.
2. Sentences: lines are blocks (hard-wrapped lines are joined), headings and list markers are
   set aside, and blocks split at sentence-ending punctuation that is not an abbreviation.
3. Score: the weights of the cue groups in `extract_cues` that fire (reported findings, hedges,
   mechanism and efficacy verbs, ...), plus the catalog's subject and vocabulary and citation
   markers, less penalties; boilerplate (calls to action, bylines, share buttons) is never proposed.
4. Match: a word index over every claim's statement and quotes short-lists claims; rapidfuzz
   scores the short list (an exact quote inside the sentence scores 100).
5. Citations: [1], [1,2], [1-3], (Author, 2004; Other et al., 2008), superscripts; the
   reference list under a SOURCES / References heading, identifiers parsed by `kclaims.literature.ids`.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kclaims.extract import cues
from kclaims.extract.article import Article
from kclaims.extract.index import ClaimIndex, Match
from kclaims.extract.references import Reference, references_with_spans
from kclaims.extract.scoring import score_sentence
from kclaims.extract.sentences import split_sentences, stem, words
from kclaims.model import CLAIM_KINDS, Claim, Source
from kclaims.text import normalise_quote_text


@dataclass(slots=True)
class Candidate:
    """A proposed claim sentence: why it was proposed, what it restates, what it cites."""

    sentence: str
    start: int
    end: int
    score: float
    cues: list[str]
    match: Match | None
    citations: list[str]
    kind: str  # guessed, for a new claim
    quote: str  # what accepting records: the sentence without the markers kclaims inserted
    near: list[str] = field(default_factory=list)  # a new claim's: catalog claims that say nearly the same


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Two catalog claims that say nearly the same thing: `kclaims claim merge KEEP OTHER` would
    join them (keep: the one with more quotes and evidence, else the earlier)."""

    keep: str
    other: str

    def command(self) -> str:
        return f"kclaims claim merge {self.keep} {self.other}"


@dataclass(slots=True)
class Extraction:
    candidates: list[Candidate]
    references: list[Reference]
    sentences: int  # how many sentences were read
    duplicates: list[Duplicate] = field(default_factory=list)  # among the claims the article restates


def extract(article: Article, claims: list[Claim], sources: Mapping[str, Source] | None = None,
            min_score: float = cues.MIN_SCORE, model: ClaimIndex | None = None) -> Extraction:
    """Propose the article's claim sentences (each matched to a catalog claim or `new`) and its references."""
    model = model or ClaimIndex(claims)
    sentences = split_sentences(article.text)
    references = references_with_spans(article, sources)
    listed = sorted(span for _, span in references)
    listed_starts = [start for start, _ in listed]
    candidates = []
    for sentence in sentences:
        if listed and _inside(sentence.start, listed, listed_starts):
            continue  # an entry of the reference list, not a claim
        scored = score_sentence(sentence.text, model)
        if scored is None or scored.score < min_score:
            continue
        match = model.match(sentence.text, scored.stems)
        candidates.append(Candidate(
            sentence=sentence.text, start=sentence.start, end=sentence.end, score=scored.score, cues=scored.cues,
            match=match, citations=scored.citations,
            kind=_guess_kind(scored.kind_votes, model.claims.get(match.claim) if match else None),
            quote=article.own_words(sentence.start, sentence.end) if article.inserted else sentence.text,
            near=model.near_duplicates(sentence.text, sentence=True) if match is None else []))
    return Extraction(candidates, [reference for reference, _ in references], len(sentences),
                      near_duplicate_claims(candidates, model))


def near_duplicate_claims(candidates: list[Candidate], model: ClaimIndex) -> list[Duplicate]:
    """Pairs of catalog claims that say nearly the same thing, where one of them is a claim the
    article restates (or a new proposal nearly restates): suggestions, never merged here."""
    touched = list(dict.fromkeys([c.match.claim for c in candidates if c.match] +
                                 [claim_id for c in candidates for claim_id in c.near]))
    order = {claim_id: i for i, claim_id in enumerate(model.claims)}
    pairs: dict[tuple[str, str], Duplicate] = {}
    for claim_id in touched:
        for other in model.near_duplicates(model.claims[claim_id].statement, exclude=claim_id):
            keep, drop = sorted((claim_id, other), key=lambda c: (-_weight(model.claims[c]), order[c]))
            pairs.setdefault((min(keep, drop), max(keep, drop)), Duplicate(keep, drop))
    return list(pairs.values())


def _weight(claim: Claim) -> int:
    return len(claim.made_in) + len(claim.evidence)


def _inside(position: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect.bisect_right(starts, position) - 1
    return i >= 0 and spans[i][0] <= position < spans[i][1]


def _guess_kind(votes: dict[str, float], matched: Claim | None) -> str:
    if matched is not None:
        return matched.kind
    if not votes:
        return "background"
    return max(CLAIM_KINDS, key=lambda kind: (votes.get(kind, 0.0), -CLAIM_KINDS.index(kind)))


def guess_topics(sentence: str, model: ClaimIndex) -> list[str]:
    """The catalog's topics whose every word is in the sentence ("chronic-pain": chronic and pain)."""
    stems = {stem(w) for w in words(sentence)}
    return [topic for topic, topic_stems in model.topic_stems.items() if stems.issuperset(topic_stems)]


def as_json(extraction: Extraction) -> dict[str, Any]:
    """The `kclaims extract --json` document (docs/extract.md lists the keys)."""
    return {
        "candidates": [
            {"sentence": c.sentence, "start": c.start, "end": c.end, "score": c.score, "cues": c.cues,
             "match": {"claim": c.match.claim, "score": c.match.score} if c.match else None,
             "citations": c.citations, "near_duplicates": list(c.near)}
            for c in extraction.candidates
        ],
        "references": [{"marker": r.marker, "text": r.text, "identifier": r.identifier}
                       for r in extraction.references],
        "duplicates": [{"keep": d.keep, "other": d.other, "command": d.command()} for d in extraction.duplicates],
    }


def covered(quote: str, sentences: list[str]) -> bool:
    """Does a quote fall inside one of the sentences, or inside a run of consecutive ones (a quote
    may cross a sentence boundary)? Compared after `normalise_quote_text`, case kept."""
    wanted = normalise_quote_text(quote)
    normalised = [normalise_quote_text(s) for s in sentences]
    if any(wanted in s for s in normalised):
        return True
    for i in range(len(normalised)):
        joined = normalised[i]
        for j in range(i + 1, min(i + 4, len(normalised))):
            joined += " " + normalised[j]
            if wanted in joined:
                return True
    return False
