"""What the top of a whole-catalog report needs of its claims, counted as they pass a chunk at a time
(export/streamed.py): how many claims have each verdict and certainty, overall and by topic, how
each article's claims stand, and the lines of its contradicted claims. The report of 100,000 claims
then holds these counts, not the claims: they grow with the topics and the articles (about 500
bytes an article). The lines are text the report prints, one a contradicted claim: each chunk's are
written to its spool file (`lines_to_spool`), and the tallies keep where they lie.

A chunk's tallies are made where its claims are (a worker), and merged in the claims' order, so
every count and every line's place is what the summaries over all the rows would give
(markdown.report_pieces; the tests hold the two reports to the same text).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter

from kclaims.catalog.query import ClaimRow
from kclaims.export.scorecard import CLAIM_ORDER, CLAIM_RANK
from kclaims.export.view import NO_TOPIC, STRENGTH_ORDER, TopicTally, topic_strength_counts

_KEYS = len(CLAIM_ORDER)
_CONTRADICTED_RANKS = sum(1 for key in CLAIM_ORDER if key.startswith("contradicted-"))  # they come first

Place = tuple[int, int, int]  # a spool file (its number), and where in it some text starts and ends
_NO_COUNTS = array("I", [0] * _KEYS)


@dataclass(slots=True)
class ReportTallies:
    """The counts a report's top is made of (see the module's docstring). Each article's counts are a
    row of `counts` (by CLAIM_RANK), in the order the articles were first met."""

    claims: int = 0
    by_key: Counter[str] = field(default_factory=Counter)
    by_topic: dict[str, TopicTally] = field(default_factory=dict)
    articles: dict[str, int] = field(default_factory=dict)  # article -> where its row of `counts` starts
    counts: array = field(default_factory=lambda: array("I"))
    # where each article's contradicted claims' lines lie, four numbers a rank: the rank (of CLAIM_ORDER)
    # and the Place of its lines of that rank (an array: a fifth of the memory of tuples)
    lines_at: dict[str, array] = field(default_factory=dict)
    _held: dict[str, list[list[bytes]]] = field(default_factory=dict, init=False, repr=False)  # until `lines_to_spool`

    def add(self, rows: Iterable[ClaimRow], against_line: Callable[[ClaimRow], str]) -> None:
        """Count the claims (in the catalog's order, after those counted so far); `against_line`
        makes a contradicted claim's line in the scorecard (held until `lines_to_spool`)."""
        rows = list(rows)
        self.claims += len(rows)
        self.by_key.update(row.strength.key for row in rows)
        self._add_topics(topic_strength_counts(rows))
        for row in rows:
            rank = CLAIM_RANK[row.strength.key]
            line = against_line(row).encode("utf-8") if rank < _CONTRADICTED_RANKS else None
            for article in dict.fromkeys(quote.source for quote in row.claim.made_in):
                self.counts[self._row_of(article) + rank] += 1
                if line is not None:
                    held = self._held.get(article)
                    if held is None:
                        held = self._held[article] = [[] for _ in range(_CONTRADICTED_RANKS)]
                    held[rank].append(line)

    def lines_to_spool(self, spool: int, start: int) -> list[bytes]:
        """The contradicted claims' lines counted so far, to be written one after the other from
        `start` in spool file number `spool`: the tallies keep where each article's lie, not them."""
        pieces = []
        for article, held in self._held.items():
            at = self.lines_at.get(article)
            if at is None:
                at = self.lines_at[article] = array("Q")
            for rank, lines in enumerate(held):
                if lines:
                    text = b"\n".join(lines)
                    at.extend((rank, spool, start, start + len(text)))
                    pieces.append(text)
                    start += len(text)
        self._held.clear()
        return pieces

    def merge(self, later: ReportTallies) -> None:
        """Add the tallies of the claims that come after these (their lines spooled)."""
        if later._held:
            raise ValueError("the later tallies' lines are not spooled (lines_to_spool)")
        self.claims += later.claims
        self.by_key.update(later.by_key)
        self._add_topics(later.by_topic)
        counts, theirs = self.counts, later.counts
        for article, their_row in later.articles.items():
            row = self._row_of(article)
            for rank in range(_KEYS):
                counts[row + rank] += theirs[their_row + rank]
        for article, lines_at in later.lines_at.items():
            mine = self.lines_at.get(article)
            if mine is None:
                self.lines_at[article] = lines_at
            else:
                mine.extend(lines_at)

    def keys(self, article: str) -> dict[str, int]:
        """The article's claims by verdict-and-certainty key, as `scorecard.tally` counts them."""
        row = self.articles[article]
        return {key: count for key, count in zip(CLAIM_ORDER, self.counts[row:row + _KEYS]) if count}

    def lines(self, article: str, read: Callable[[Place], bytes]) -> Iterator[str]:
        """The lines of the article's contradicted claims, in the scorecard's order (by rank, each
        rank's in the claims' order), read back from the spool files by `read`."""
        at = self.lines_at.get(article, ())
        for _, spool, start, end in sorted(zip(*[iter(at)] * 4), key=itemgetter(0)):  # (stable: chunks in order)
            yield from read((spool, start, end)).decode("utf-8").split("\n")

    def _row_of(self, article: str) -> int:
        row = self.articles.get(article)
        if row is None:
            row = self.articles[article] = len(self.counts)
            self.counts.extend(_NO_COUNTS)
        return row

    def _add_topics(self, by_topic: dict[str, TopicTally]) -> None:
        for topic, theirs in by_topic.items():
            tally = self.by_topic.get(topic)
            if tally is None:
                self.by_topic[topic] = TopicTally(Counter(theirs.by_key), theirs.claims)
            else:
                tally.by_key.update(theirs.by_key)
                tally.claims += theirs.claims

    def strength_counts(self) -> dict[str, int]:
        """How many claims have each verdict and certainty (zero included), in STRENGTH_ORDER
        (`view.strength_counts`)."""
        return {key: self.by_key.get(key, 0) for key in STRENGTH_ORDER}

    def topic_rows(self) -> dict[str, TopicTally]:
        """The summary's rows, topics A to Z and claims without one last (`topic_strength_counts`)."""
        return {topic: self.by_topic[topic] for topic in sorted(self.by_topic, key=lambda t: (t == NO_TOPIC, t))}
