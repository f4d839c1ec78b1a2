"""Applying what a person accepted: a quote for a matched claim, a new claim, or a skip.

`ReviewSession` is the only part of extraction that writes, through `kclaims.catalog.edit`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kclaims.errors import BadInput
from kclaims.extract import cues
from kclaims.extract.article import Article
from kclaims.extract.extraction import Candidate, Extraction, guess_topics
from kclaims.extract.index import ClaimIndex
from kclaims.extract.sentences import stem, words
from kclaims.model import ID_PATTERN, Claim, Quote
from kclaims.text import STOPWORDS, fold_quote, normalise_quote_text

if TYPE_CHECKING:
    from kclaims.catalog.files import Catalog

NOT_IN_ARTICLE = "those words are not in the article word for word"


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    action: str  # "new claim" | "quoted" | "already recorded" | "skipped"
    claim: str | None
    sentence: str  # the words recorded (or that would have been)
    detail: str = ""


OUTCOME_ACTIONS = ("new claim", "quoted", "already recorded", "skipped")


def suggest_claim_id(sentence: str, taken: set[str], model: ClaimIndex | None = None) -> str:
    """A new claim id from the sentence's first content words, e.g. 'blocks-nmda-receptors'."""
    subject = model.subject if model else set()
    kept = [w for w in words(sentence) if w not in STOPWORDS and len(w) > 2 and stem(w) not in subject]
    base = "-".join(re.sub(r"[^a-z0-9]", "", w) for w in kept[:5]).strip("-")[:60].rstrip("-") or "claim"
    candidate, n = base, 2
    while candidate in taken or not ID_PATTERN.fullmatch(candidate):
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def snapshot_article(catalog: Catalog, source_id: str | None) -> Path:
    """The article to read when no file is given: the source's text snapshot (sources/ID.txt)."""
    if not source_id:
        raise BadInput("give the article's file, or --source ID to read that source's text snapshot")
    path = catalog.snapshot_path(source_id)
    if not path.is_file():
        raise BadInput(f"source {source_id!r} has no text snapshot ({path}); give the article's file")
    return path


class ReviewSession:
    """Accepting an extraction's proposals for the source the article is, one at a time (a
    person's review) or all above a score (`apply`). Each acceptance is written at once through
    `kclaims.catalog.edit` and returns a `ReviewOutcome`; nothing here prompts or prints.

    What is recorded is always the article's own words: the candidate's `quote` (its sentence
    without the citation markers kclaims wrote in), or words the reviewer chose, which must be
    in the article as read and, when the source has a text snapshot, in the snapshot too (so
    `kclaims check` stays clean)."""

    def __init__(self, root: Path, source_id: str, article: Article, extraction: Extraction,
                 model: ClaimIndex):
        self.root = root
        self.source_id = source_id
        self.candidates = extraction.candidates
        self.model = model
        self.outcomes: list[ReviewOutcome] = []
        self.taken = set(model.claims)
        self._recorded = [(claim.id, fold_quote(quote.text)) for claim in model.claims.values()
                          for quote in claim.made_in if quote.source == source_id]
        self._article = normalise_quote_text(article.own_text())
        self._snapshot = _normalised_snapshot(root / "sources" / f"{source_id}.txt")

    def already_recorded(self, candidate: Candidate) -> str | None:
        """The claim that already quotes this source with words inside (or around) the candidate's."""
        folded = fold_quote(candidate.quote)
        for claim_id, quote in self._recorded:
            if quote in folded or folded in quote:
                return claim_id
        return None

    def unreviewed(self, first: int) -> int:
        """How many proposals from index `first` on are still to be decided (not yet recorded)."""
        return sum(1 for candidate in self.candidates[first:] if not self.already_recorded(candidate))

    def quote_problem(self, quote: str) -> str | None:
        """Why these words cannot be recorded as the article's (not in it word for word, or not in
        the source's snapshot), or None."""
        wanted = normalise_quote_text(quote)
        if not wanted or wanted not in self._article:
            return NOT_IN_ARTICLE
        if self._snapshot is not None and wanted not in self._snapshot:
            return f"not verbatim in sources/{self.source_id}.txt, so 'kclaims check' would flag it"
        return None

    def quote_ok(self, quote: str) -> bool:
        return self.quote_problem(quote) is None

    def is_claim(self, claim_id: str) -> bool:
        return claim_id in self.taken

    def suggest_id(self, quote: str) -> str:
        return suggest_claim_id(quote, self.taken, self.model)

    def suggest_topics(self, quote: str) -> list[str]:
        return guess_topics(quote, self.model)

    def accept_match(self, candidate: Candidate) -> ReviewOutcome:
        """Record the candidate's words for the claim it restates."""
        if candidate.match is None:
            raise BadInput("this proposal restates no catalog claim; make it a new claim instead")
        return self.accept_quote(candidate.match.claim, candidate.quote)

    def accept_quote(self, claim_id: str, quote: str) -> ReviewOutcome:
        """Record the article's words for an existing claim."""
        from kclaims.catalog.edit import add_quote

        problem = self.quote_problem(quote)
        if problem:
            return self._done(ReviewOutcome("skipped", claim_id, quote, problem))
        added = add_quote(self.root, claim_id, self.source_id, quote)
        return self._done(ReviewOutcome("quoted" if added else "already recorded", claim_id, quote))

    def accept_new(self, candidate: Candidate, quote: str, claim_id: str, statement: str, kind: str,
                   topics: list[str]) -> ReviewOutcome:
        """Add a new claim the article makes in these words (`candidate.quote` unless edited)."""
        from kclaims.catalog.edit import add_claim

        problem = self.quote_problem(quote)
        if problem:
            return self._done(ReviewOutcome("skipped", claim_id, quote, problem))
        add_claim(self.root, Claim(id=claim_id, statement=statement or quote, kind=kind, topics=topics,
                                   made_in=[Quote(self.source_id, quote)]))
        self.taken.add(claim_id)
        return self._done(ReviewOutcome("new claim", claim_id, quote, self.merge_hint(claim_id, statement or quote)))

    def merge_hint(self, claim_id: str, statement: str) -> str:
        """For a new claim that says nearly what a catalog claim says: the merge a person may run."""
        near = self.model.near_duplicates(statement, exclude=claim_id)
        return f"nearly the same as {near[0]}: kclaims claim merge {near[0]} {claim_id}" if near else ""

    def _done(self, outcome: ReviewOutcome) -> ReviewOutcome:
        if outcome.action in ("new claim", "quoted") and outcome.claim:
            self._recorded.append((outcome.claim, fold_quote(outcome.sentence)))
        self.outcomes.append(outcome)
        return outcome

    def counts(self) -> dict[str, int]:
        """How many proposals ended each way, in the order of OUTCOME_ACTIONS."""
        return {action: sum(1 for o in self.outcomes if o.action == action) for action in OUTCOME_ACTIONS}

    def apply(self, threshold: float = cues.APPLY_THRESHOLD) -> list[ReviewOutcome]:
        """Accept every proposal scoring at least `threshold`: a matched one becomes a quote of its
        claim, a new one a new claim (id from its words, kind and topics guessed, statement = its
        words, for a curator to reword). Words this source is already quoted with are left alone.
        Everything accepted is written in one edit of claims.yaml, all or nothing."""
        from kclaims.catalog.edit import add_quotes_and_claims

        quotes: list[tuple[str, str]] = []
        claims: list[Claim] = []
        quoted: list[int] = []  # where each planned quote's outcome sits in self.outcomes
        for candidate in self.candidates:
            if candidate.score >= threshold:
                planned = self._plan(candidate)
                if isinstance(planned, Claim):
                    claims.append(planned)
                elif planned is not None:
                    quotes.append(planned)
                    quoted.append(len(self.outcomes) - 1)
        added = add_quotes_and_claims(self.root, self.source_id, quotes, claims) if quotes or claims else []
        for index, was_added in zip(quoted, added):
            if not was_added:
                outcome = self.outcomes[index]
                self.outcomes[index] = ReviewOutcome("already recorded", outcome.claim, outcome.sentence)
        return self.outcomes

    def _plan(self, candidate: Candidate) -> tuple[str, str] | Claim | None:
        """What accepting one proposal would write (a quote or a new claim), its outcome recorded;
        None when nothing is to be written."""
        quote = candidate.quote
        recorded = self.already_recorded(candidate)
        if recorded:
            self._done(ReviewOutcome("already recorded", recorded, quote))
            return None
        claim_id = candidate.match.claim if candidate.match else self.suggest_id(quote)
        problem = self.quote_problem(quote)
        if problem:
            self._done(ReviewOutcome("skipped", claim_id, quote, problem))
            return None
        if candidate.match:
            self._done(ReviewOutcome("quoted", claim_id, quote))
            return (claim_id, quote)
        self.taken.add(claim_id)
        self._done(ReviewOutcome("new claim", claim_id, quote, self.merge_hint(claim_id, quote)))
        return Claim(id=claim_id, statement=quote, kind=candidate.kind, topics=self.suggest_topics(quote),
                     made_in=[Quote(self.source_id, quote)])


def _normalised_snapshot(path: Path) -> str | None:
    from kclaims.catalog.files import read_catalog_text

    if not path.exists():
        return None
    try:
        return normalise_quote_text(read_catalog_text(path))
    except BadInput:
        return None
