"""Which articles hold up: a scorecard per article of how its claims stand.

For each article that makes claims: how many are supported (at each certainty), conflicting,
contradicted (at each certainty), or rest on its word alone (no-evidence-found, not-assessed);
its contradicted claims first, each with the strongest study that contradicts it. Pure: the
Markdown and HTML reports render it, `kclaims source show` prints `scorecard_lines`, `--json`
carries `scorecard_record`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import takewhile

from kclaims.catalog.query import ClaimRow
from kclaims.export.bodies import claim_bodies, strongest
from kclaims.export.view import short_cite
from kclaims.grade import CERTAINTY_SYMBOLS, certainty_text, split_strength_key, strength_text
from kclaims.model import Quote, Source
from kclaims.vocabulary import CERTAINTIES

WORD_ALONE = ("no-evidence-found", "not-assessed")  # nothing counts: the claim rests on the article's word
# the order a scorecard lists an article's claims in: contradicted (most certain first), conflicting,
# its word alone, then supported from the least certain up
CLAIM_ORDER = (tuple(f"contradicted-{c}" for c in CERTAINTIES) + ("conflicting",) + WORD_ALONE
               + tuple(f"supported-{c}" for c in reversed(CERTAINTIES)))
CLAIM_RANK = {key: rank for rank, key in enumerate(CLAIM_ORDER)}
_VERDICT_OF = {key: split_strength_key(key)[0] for key in CLAIM_ORDER}


@dataclass(frozen=True, slots=True)
class Against:
    """A contradicted claim and the strongest counted study that contradicts it."""

    row: ClaimRow
    source_id: str | None


@dataclass(slots=True)
class Scorecard:
    """How the claims one article makes stand."""

    article: str
    source: Source | None
    rows: list[ClaimRow]
    against: list[Against]
    keys: dict[str, int] = field(repr=False)  # its claims by verdict-and-certainty key, counted once (`tally`)
    verdicts: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.verdicts = verdict_counts(self.keys)

    def count(self, key: str) -> int:
        """How many of its claims have this verdict-and-certainty key ("supported-low", "conflicting")."""
        return self.keys.get(key, 0)

    def verdict_count(self, verdict: str) -> int:
        return self.verdicts.get(verdict, 0)

    @property
    def word_alone(self) -> int:
        return sum(self.verdict_count(verdict) for verdict in WORD_ALONE)


def verdict_counts(keys: Mapping[str, int]) -> dict[str, int]:
    """Claims by verdict, from their counts by verdict-and-certainty key."""
    verdicts: dict[str, int] = {}
    for key, count in keys.items():
        verdict = _VERDICT_OF.get(key) or split_strength_key(key)[0]
        verdicts[verdict] = verdicts.get(verdict, 0) + count
    return verdicts


def tally(rows: Iterable[ClaimRow]) -> dict[str, int]:
    """How many of the claims have each verdict-and-certainty key."""
    return Counter(row.strength.key for row in rows)


def articles_of(rows: Iterable[ClaimRow]) -> list[str]:
    """Every article the claims are made in, in the order first met."""
    return list(dict.fromkeys(q.source for row in rows for q in row.claim.made_in))


def scorecard(article: str, rows: Iterable[ClaimRow], sources: Mapping[str, Source]) -> Scorecard:
    """The scorecard of one article over the given claims (those it does not make are ignored)."""
    return _card(article, [row for row in rows if any(q.source == article for q in row.claim.made_in)], sources, {})


def _card(article: str, made: list[ClaimRow], sources: Mapping[str, Source],
          known_against: dict[int, str | None], keys: dict[str, int] | None = None) -> Scorecard:
    """`made`: the article's claims; with `keys` (their `tally`), in CLAIM_ORDER already."""
    if keys is None:
        made.sort(key=lambda row: CLAIM_RANK[row.strength.key])
        keys = tally(made)
    contradicted = takewhile(lambda row: row.strength.verdict == "contradicted", made)  # they come first
    against = [Against(row, _strongest_against(row, sources, known_against)) for row in contradicted]
    return Scorecard(article, sources.get(article), made, against, keys)


def _strongest_against(row: ClaimRow, sources: Mapping[str, Source], found: dict[int, str | None]) -> str | None:
    """The strongest study against a contradicted claim, worked out once however many articles make it
    (it grades the claim again)."""
    if id(row) not in found:  # the rows outlive this dict: their ids stay theirs
        found[id(row)] = strongest_against(row, sources)
    return found[id(row)]


def strongest_against(row: ClaimRow, sources: Mapping[str, Source]) -> str | None:
    """The strongest counted study that contradicts the claim (None if none does): kept with its
    label (`Strength.against`), else worked out by grading the claim again."""
    if row.strength.against is not None:
        return row.strength.against
    return strongest(_contradicting(row, sources), sources, row)


def scorecards(rows: list[ClaimRow], sources: Mapping[str, Source]) -> list[Scorecard]:
    """A scorecard for every article the claims are made in: the most contradicted first, then by name
    (`scorecard_order`)."""
    ranks: list[list[ClaimRow]] = [[] for _ in CLAIM_ORDER]  # the claims in CLAIM_ORDER, each rank as given:
    for row in rows:                                         # each article's then need no sorting
        ranks[CLAIM_RANK[row.strength.key]].append(row)
    made: dict[str, list[ClaimRow]] = {}  # one pass over the claims, not one per article,
    counts: dict[str, dict[str, int]] = {}  # counting each article's claims by key, a rank at a time
    for key, ranked in zip(CLAIM_ORDER, ranks):
        in_rank: list[str] = []
        for row in ranked:
            for article in _articles(row.claim.made_in):
                found = made.get(article)
                if found is None:
                    made[article], counts[article] = [row], {}
                else:
                    found.append(row)
                in_rank.append(article)
        for article, count in Counter(in_rank).items():  # (counted in C)
            counts[article][key] = count
    known: dict[int, str | None] = {}
    cards = [_card(article, found, sources, known, counts[article]) for article, found in made.items()]
    return sorted(cards, key=lambda c: scorecard_order(c.article, c.source, c.verdicts))


def scorecard_order(article: str, source: Source | None, verdicts: Mapping[str, int]) -> tuple:
    """Where an article's scorecard goes: the most contradicted claims first, then the most
    conflicting, then by name."""
    return (-verdicts.get("contradicted", 0), -verdicts.get("conflicting", 0),
            short_cite(source, article).casefold(), article)


def _articles(quotes: list[Quote]) -> Iterable[str]:
    """The articles the quotes are from, each once, in order (most claims have one or two)."""
    if len(quotes) == 1:
        return (quotes[0].source,)
    if len(quotes) == 2:
        first, second = quotes[0].source, quotes[1].source
        return (first,) if first == second else (first, second)
    return dict.fromkeys(q.source for q in quotes)


def _contradicting(row: ClaimRow, sources: Mapping[str, Source]) -> list[str]:
    body = claim_bodies(row, sources).get("contradicts")
    return body.body if body else []


def supported_counts(card: Scorecard) -> dict[str, int]:
    """Supported claims by certainty, high to very low."""
    return {c: card.count(f"supported-{c}") for c in CERTAINTIES}


def contradicted_counts(card: Scorecard) -> dict[str, int]:
    return {c: card.count(f"contradicted-{c}") for c in CERTAINTIES}


def scorecard_record(card: Scorecard) -> dict:
    """The scorecard as plain JSON values (`source show --json`)."""
    return {
        "article": card.article,
        "claims": len(card.rows),
        "supported": supported_counts(card),
        "conflicting": card.count("conflicting"),
        "contradicted": contradicted_counts(card),
        "word_alone": {key: card.count(key) for key in WORD_ALONE},
        "contradicted_claims": [{"claim": a.row.claim.id, "certainty": a.row.strength.certainty,
                                 "strongest_against": a.source_id} for a in card.against],
        "by_claim": [{"claim": row.claim.id, "verdict": row.strength.verdict, "certainty": row.strength.certainty}
                     for row in card.rows],
    }


def counts_phrase(card: Scorecard, symbols: bool = True) -> str:
    """"12 claims: 5 supported (1 ⊕⊕⊕⊕ high, 4 ⊕⊕◯◯ low), 1 conflicting, 2 contradicted (...), 4 on its word alone"."""
    parts = []
    for verdict, counts in (("supported", supported_counts(card)), ("contradicted", contradicted_counts(card))):
        total = sum(counts.values())
        if verdict == "contradicted" and card.count("conflicting"):
            parts.append(f"{card.count('conflicting')} conflicting")
        if total:
            each = ", ".join(f"{n} {certainty_text(c, symbols)}" for c, n in counts.items() if n)
            parts.append(f"{total} {verdict} ({each})")
    if card.word_alone:
        parts.append(f"{card.word_alone} on its word alone")
    noun = "claim" if len(card.rows) == 1 else "claims"
    return f"{len(card.rows)} {noun}: " + (", ".join(parts) or "none")


def against_phrase(item: Against, sources: Mapping[str, Source], symbols: bool = True,
                   phrases: dict[str, str] | None = None) -> str:
    """"contradicted, ⊕⊕◯◯ low: Statement (claim-id); strongest against: Abdallah 2022 (abdallah2022, n=158)".
    `phrases` keeps each study's `source_phrase` once made (a study is the strongest against many claims)."""
    row = item.row
    text = f"{strength_text(row.strength.verdict, row.strength.certainty, symbols)}: {row.claim.statement} ({row.claim.id})"
    if item.source_id:
        phrase = phrases.get(item.source_id) if phrases is not None else None
        if phrase is None:
            phrase = source_phrase(item.source_id, sources)
            if phrases is not None:
                phrases[item.source_id] = phrase
        text += f"; strongest against: {phrase}"
    return text


def source_phrase(source_id: str, sources: Mapping[str, Source]) -> str:
    """"Abdallah 2022 (abdallah2022, n=158)"."""
    source = sources.get(source_id)
    extra = f", n={source.n}" if source and source.n else ""
    return f"{short_cite(source, source_id)} ({source_id}{extra})"


def scorecard_lines(card: Scorecard, sources: Mapping[str, Source], symbols: bool = True) -> list[str]:
    """The scorecard as plain lines, as `kclaims source show` prints it."""
    lines = [f"Scorecard: {counts_phrase(card, symbols)}"]
    lines += [f"  {against_phrase(item, sources, symbols)}" for item in card.against]
    return lines


def scorecard_heads(symbols: bool = True) -> list[str]:
    """The scorecard table's column heads after the article: claims, supported at each certainty, ..."""
    supported = [f"supported {CERTAINTY_SYMBOLS[c] if symbols else c}" for c in CERTAINTIES]
    return ["claims", *supported, "conflicting", "contradicted", "on its word alone"]


def scorecard_cells(card: Scorecard) -> list[int]:
    """The counts under `scorecard_heads`."""
    return cells_of(card.keys, card.verdicts)


def cells_of(keys: Mapping[str, int], verdicts: Mapping[str, int]) -> list[int]:
    """The counts under `scorecard_heads` of an article's claims counted by key (`tally`) and by
    verdict (`verdict_counts`)."""
    return [sum(keys.values()), *(keys.get(f"supported-{c}", 0) for c in CERTAINTIES), keys.get("conflicting", 0),
            verdicts.get("contradicted", 0), sum(verdicts.get(verdict, 0) for verdict in WORD_ALONE)]


SCORECARD_INTRO = ("How the claims each article makes stand: supported (by certainty), conflicting, contradicted, "
                   "or resting on its word alone (no linked study counts: no-evidence-found or not-assessed). "
                   "Articles with the most contradicted claims first.")
