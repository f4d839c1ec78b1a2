"""What the top of a whole-catalog report needs of its claims, counted as they pass a chunk at a time
(export/streamed.py): how many claims have each verdict and certainty, overall and by topic, how
each article's claims stand, and the lines of its contradicted claims. The report of 100,000 claims
then holds these counts, not the claims: the counts grow with the topics and the articles, the
lines with the contradicted claims (they are text the report prints).

A chunk's tallies are made where its claims are (a worker), and merged in the claims' order, so
every count and every line's place is what the summaries over all the rows would give
(markdown.report_pieces; the tests hold the two reports to the same text).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from kclaims.catalog.query import ClaimRow
from kclaims.export.scorecard import CLAIM_ORDER, CLAIM_RANK
from kclaims.export.view import NO_TOPIC, STRENGTH_ORDER, TopicTally, topic_strength_counts

_CONTRADICTED_RANKS = sum(1 for key in CLAIM_ORDER if key.startswith("contradicted-"))  # they come first


@dataclass(slots=True)
class ArticleTally:
    """How an article's claims stand: how many of them have each key (by CLAIM_RANK), and the lines
    of its contradicted ones, a list per rank, each in the claims' order (as UTF-8: half the memory
    of text holding a ⊕)."""

    counts: list[int] = field(default_factory=lambda: [0] * len(CLAIM_ORDER))
    against: list[list[bytes]] | None = None  # None while it has no contradicted claim

    def keys(self) -> dict[str, int]:
        """Its claims by verdict-and-certainty key, as `scorecard.tally` counts them."""
        return {key: count for key, count in zip(CLAIM_ORDER, self.counts) if count}

    def lines(self) -> Iterator[str]:
        """The lines of its contradicted claims, in the scorecard's order."""
        for in_rank in self.against or ():
            for line in in_rank:
                yield line.decode("utf-8")


@dataclass(slots=True)
class ReportTallies:
    """The counts a report's top is made of (see the module's docstring)."""

    claims: int = 0
    by_key: Counter[str] = field(default_factory=Counter)
    by_topic: dict[str, TopicTally] = field(default_factory=dict)
    articles: dict[str, ArticleTally] = field(default_factory=dict)  # in the order first met

    def add(self, rows: Iterable[ClaimRow], against_line: Callable[[ClaimRow], str]) -> None:
        """Count the claims (in the catalog's order, after those counted so far); `against_line`
        makes a contradicted claim's line in the scorecard."""
        rows = list(rows)
        self.claims += len(rows)
        self.by_key.update(row.strength.key for row in rows)
        self._add_topics(topic_strength_counts(rows))
        articles = self.articles
        for row in rows:
            rank = CLAIM_RANK[row.strength.key]
            line = against_line(row).encode("utf-8") if rank < _CONTRADICTED_RANKS else None
            for article in dict.fromkeys(quote.source for quote in row.claim.made_in):
                tally = articles.get(article)
                if tally is None:
                    tally = articles[article] = ArticleTally()
                tally.counts[rank] += 1
                if line is not None:
                    if tally.against is None:
                        tally.against = [[] for _ in range(_CONTRADICTED_RANKS)]
                    tally.against[rank].append(line)

    def merge(self, later: ReportTallies) -> None:
        """Add the tallies of the claims that come after these."""
        self.claims += later.claims
        self.by_key.update(later.by_key)
        self._add_topics(later.by_topic)
        for article, theirs in later.articles.items():
            tally = self.articles.get(article)
            if tally is None:
                self.articles[article] = theirs
                continue
            tally.counts = [mine + more for mine, more in zip(tally.counts, theirs.counts)]
            if theirs.against is not None:
                if tally.against is None:
                    tally.against = theirs.against
                else:
                    for in_rank, more_lines in zip(tally.against, theirs.against):
                        in_rank.extend(more_lines)

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
