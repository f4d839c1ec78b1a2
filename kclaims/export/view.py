"""What every human-readable report shares: grouping by topic, counts, evidence rows, citations, links.

The Markdown and HTML exporters and the evidence map read a catalog through these functions, so
the reports agree on what a claim's evidence is, how a source is cited and where it links.
Pure: writing a report to disk is `kclaims.export.output`.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from kclaims.catalog.query import ClaimRow
from kclaims.grade import (
    INDIRECT_POPULATIONS,
    STRENGTH_KEYS,
    VERDICT_WHEN,
    Level,
    certainty_text,
    plain_language,
    source_level,
    split_strength_key,
    strength_text,
)
from kclaims.model import Claim, Grade, Source
from kclaims.vocabulary import STANCES

if TYPE_CHECKING:
    from kclaims.catalog.source_pack import SourcePack

NO_TOPIC = "(no topic)"
STANCE_HEADINGS = (("supports", "Supported by"), ("contradicts", "Contradicted by"), ("mentions", "Mentioned by"))
REPORT_TITLE = "Claims and the evidence behind them"
VERDICT_CAVEAT = ("A verdict rates the evidence linked to a claim, not the truth of the claim. Certainty is "
                  "GRADE's: ⊕⊕⊕⊕ high (the evidence shows), ⊕⊕⊕◯ moderate (probably), ⊕⊕◯◯ low (may), "
                  "⊕◯◯◯ very low (very uncertain). Design levels: 1 systematic review or meta-analysis, "
                  "2 randomized trial, 3 other clinical study, 4 case report or series, 5 narrative review or "
                  "opinion. Animal and in-vitro work is level 5 for a clinical claim and level 3 for a mechanism "
                  "claim, where it is the right kind of evidence.")
_URL_SAFE_DOI = re.compile(r"[A-Za-z0-9_.~/:;()-]*")  # what `quote` leaves as it is, with the DOI's safe characters
STRENGTH_ORDER = STRENGTH_KEYS  # supported from most certain down, then the troubled ones: every report's order


@dataclass(slots=True)  # not frozen: a report makes one per link, and a frozen one takes 4x as long to make
class EvidenceItem:
    """One linked source as a claim's report shows it: the stance, the note, the level for this claim."""

    stance: str
    note: str
    source_id: str
    source: Source | None
    level: Level | None
    indirect: tuple[str, ...] = ()
    certainty: str | None = None  # as the review reports it for this outcome


@dataclass(frozen=True, slots=True)
class TopicGroup:
    """A topic's section: the claims shown in full there, and those shown in full under another topic."""

    topic: str
    rows: list[ClaimRow]
    also: list[ClaimRow]


def home_topic(claim: Claim) -> str:
    """The topic a claim is shown in full under: its first (NO_TOPIC if it has none)."""
    return claim.topics[0] if claim.topics else NO_TOPIC


def group_by_topic(rows: list[ClaimRow]) -> list[TopicGroup]:
    """Topics A to Z (claims without one last); a claim is shown under its first topic, cross-referenced elsewhere."""
    home: dict[str, list[ClaimRow]] = {}
    also: dict[str, list[ClaimRow]] = {}
    for row in rows:
        home.setdefault(home_topic(row.claim), []).append(row)
        for other in row.claim.topics[1:]:
            also.setdefault(other, []).append(row)
    names = sorted(set(home) | set(also), key=lambda t: (t == NO_TOPIC, t))
    return [TopicGroup(name, home.get(name, []), also.get(name, [])) for name in names]


def topics_of(rows: Iterable[ClaimRow]) -> list[str]:
    """Every topic the claims carry, A to Z, with NO_TOPIC last if a claim has none."""
    found = {t for row in rows for t in (row.claim.topics or [NO_TOPIC])}
    return sorted(found, key=lambda t: (t == NO_TOPIC, t))


def strength_counts(rows: Iterable[ClaimRow]) -> dict[str, int]:
    """How many claims have each verdict and certainty (zero included), in STRENGTH_ORDER."""
    counts = Counter(row.strength.key for row in rows)
    return {key: counts.get(key, 0) for key in STRENGTH_ORDER}


def topic_strength_matrix(rows: list[ClaimRow]) -> dict[str, dict[str, list[ClaimRow]]]:
    """topic -> verdict and certainty -> the claims there; a claim with two topics counts in both rows."""
    matrix: dict[str, dict[str, list[ClaimRow]]] = {
        topic: {key: [] for key in STRENGTH_ORDER} for topic in topics_of(rows)}
    for row in rows:
        for topic in row.claim.topics or [NO_TOPIC]:
            matrix[topic][row.strength.key].append(row)
    return matrix


@dataclass(slots=True)
class TopicTally:
    """A topic's row of the summary: its claims by verdict-and-certainty key, and its claims in all."""

    by_key: Counter[str] = field(default_factory=Counter)
    claims: int = 0


def topic_strength_counts(rows: Iterable[ClaimRow]) -> dict[str, TopicTally]:
    """topic -> how many claims it has of each verdict and certainty (a claim with two topics counts
    in both rows): `topic_strength_matrix` counted, without holding the claims. Topics as `topics_of`."""
    tallies: dict[str, TopicTally] = {}
    for row in rows:
        topics = row.claim.topics or [NO_TOPIC]
        key = row.strength.key
        for topic in topics:
            tally = tallies.get(topic)
            if tally is None:
                tally = tallies[topic] = TopicTally()
            tally.by_key[key] += 1
        for topic in set(topics):
            tallies[topic].claims += 1
    return {topic: tallies[topic] for topic in sorted(tallies, key=lambda t: (t == NO_TOPIC, t))}


def strength_title(key: str, symbols: bool = True) -> str:
    """"supported, ⊕⊕⊕◯ moderate" for a strength key (words only without `symbols`)."""
    return strength_text(*split_strength_key(key), symbols=symbols)


def strength_meaning(key: str) -> str:
    """What a verdict and certainty mean, as a legend says it: the rubric's rule and GRADE's wording."""
    verdict, certainty = split_strength_key(key)
    return f"{plain_language(verdict, certainty)} ({VERDICT_WHEN.get(verdict, '')})"


def grade_title(grade: Grade, symbols: bool = True) -> str:
    """A curator's grade as a phrase: "supported, ⊕⊕◯◯ low", or an old rubric-1 label said as such."""
    if grade.label:
        return f"{grade.label} (a rubric-1 label)"
    return strength_text(grade.verdict or "", grade.certainty, symbols)


def link_appraisal(item: EvidenceItem, symbols: bool = True) -> str:
    """"indirect: intervention; certainty reported by the review: ⊕⊕◯◯ low", or ""."""
    parts = [f"indirect: {', '.join(item.indirect)}"] if item.indirect else []
    if item.certainty:
        parts.append(f"certainty reported by the review: {certainty_text(item.certainty, symbols)}")
    return "; ".join(parts)


def evidence_items(row: ClaimRow, sources: Mapping[str, Source]) -> dict[str, list[EvidenceItem]]:
    """The claim's linked sources by stance (supports, contradicts, mentions), each with its level for this claim."""
    grouped: dict[str, list[EvidenceItem]] = {stance: [] for stance in STANCES}
    for item in row.claim.evidence:
        source = sources.get(item.source)
        level = source_level(source, row.claim.kind) if source else None
        grouped[item.stance].append(EvidenceItem(item.stance, item.note, item.source, source, level,
                                                 tuple(item.indirect), item.certainty))
    return grouped


def quotes_by_article(row: ClaimRow) -> dict[str, list[str]]:
    """Each article that makes the claim (in the order first quoted) with its quotes."""
    grouped: dict[str, list[str]] = {}
    for quote_ in row.claim.made_in:
        grouped.setdefault(quote_.source, []).append(quote_.text)
    return grouped


def count_stance(row: ClaimRow, stance: str) -> int:
    """How many distinct sources take `stance` on the claim."""
    return len({e.source for e in row.claim.evidence if e.stance == stance})


def source_link(source: Source) -> str | None:
    """Where a reader can find the source: its DOI, else its PubMed page, else its URL (http or https only)."""
    if source.doi:
        doi = source.doi.strip()
        return "https://doi.org/" + (doi if _URL_SAFE_DOI.fullmatch(doi) else quote(doi, safe="/:;()._-"))
    if source.pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{source.pmid}/"
    if source.url and source.url.strip().lower().startswith(("https://", "http://")):
        return source.url.strip()
    return None


def link_text(source: Source) -> str | None:
    """How the link is named: doi:…, PMID …, or the bare URL."""
    if source.doi:
        return f"doi:{source.doi.strip()}"
    if source.pmid:
        return f"PMID {source.pmid}"
    return source_link(source)


def short_cite(source: Source | None, source_id: str) -> str:
    """First author and year, like 'Anis 1983'; an article without authors by its site; else the id."""
    if source is None:
        return source_id
    who = source.first_author_surname() or source.site or source.publisher
    if who and source.year:
        return f"{who} {source.year}"
    return who or source_id


def citation_names(sources: Iterable[Source]) -> dict[str, str]:
    """Each source's short name, with a, b, ... where two would read the same (Murrough 2013a, 2013b)."""
    cited = _cited_in_order(sources)
    names = {source_id: name for name, _, source_id in cited}
    names.update(_lettered(cited))
    return names


Cited = tuple[str, int | None, str]  # a source's short name, year and id: all a bibliography's order needs


def _cited_in_order(sources: Iterable[Source]) -> list[Cited]:
    """(short name, year, id) in bibliography order: each name worked out once, for the sort and the letters."""
    cited = [_cited(source) for source in sources]
    cited.sort(key=_order_key)
    return cited


def _cited(source: Source) -> Cited:
    return short_cite(source, source.id), source.year, source.id


def _order_key(cited: Cited) -> tuple[str, int, str]:
    """By first author (or site), then year, then id: sources sharing a short name share the first item."""
    return cited[0].split(" ")[0].casefold(), cited[1] or 0, cited[2]


class ReportArranger:
    """How a report orders its bibliography and names its sources, for the catalog that patches the
    sources' pack (catalog/pack_patching.py `Arranger`): `Bibliography`'s own rules."""

    def __init__(self) -> None:
        self.rules = arrangement_rules()

    cited = staticmethod(_cited)
    order_key = staticmethod(_order_key)
    @staticmethod
    def lettered(in_order: list[Cited]) -> dict[str, str]:
        return _lettered(in_order)  # (defined below)


def arrangement_rules() -> str:
    """A digest of the code that orders a bibliography and gives letters (this module's): an
    arrangement kept by another version of it is not used."""
    return hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:12]


def _lettered(cited: list[Cited]) -> dict[str, str]:
    """The names that need a letter to tell them apart, by source id ("Murrough 2013a")."""
    counts = Counter(name for name, _, _ in cited)
    by_name: dict[str, list[Cited]] = {}
    for entry in cited:
        if counts[entry[0]] > 1:  # most names are met once: no list for them
            by_name.setdefault(entry[0], []).append(entry)
    lettered: dict[str, str] = {}
    for name, same in by_name.items():
        if all(year for _, year, _ in same):
            lettered.update((source_id, f"{name}{chr(ord('a') + index)}")
                            for index, (_, _, source_id) in enumerate(same[:26]))
    return lettered


class Bibliography(Mapping[str, Source]):
    """A report's sources by id, in bibliography order (`order`), with the short name each is cited by.

    It holds the sources it is given, or only looks them up in a mapping that makes each when asked
    (`looking_up`: a packed table of 200,000 sources stays packed; `PackedBibliography`: read from
    the sources' pack). It keeps the order as ids and only the names that need a letter; the others
    are worked out when asked for."""

    def __init__(self, sources: Iterable[Source]):
        self._sources: Mapping[str, Source] = {source.id: source for source in sources}
        self._arrange(self._sources.values())

    @classmethod
    def looking_up(cls, sources: Mapping[str, Source]) -> Bibliography:
        """A bibliography of every source in `sources`, each looked up there when needed, never kept;
        its order and letters are worked out now, which reads every source."""
        bibliography = cls.__new__(cls)
        bibliography._sources = sources
        bibliography._arrange(sources[source_id] for source_id in sources)
        return bibliography

    def _arrange(self, sources: Iterable[Source]) -> None:
        cited = _cited_in_order(sources)
        self.order_ids = [source_id for _, _, source_id in cited]
        self.lettered = _lettered(cited)

    @property
    def order(self) -> Iterator[Source]:
        """The sources in bibliography order: by first author (or site), then year, then id."""
        if getattr(self, "_order_forgotten", False):
            raise RuntimeError("the bibliography's order was let go (forget_order)")
        return (self._sources[source_id] for source_id in self.order_ids)

    def forget_order(self) -> None:
        """Let go of the order (200,000 ids in a large report) once the processes that write the
        entries have their copy; `order` may not be asked for after."""
        self.order_ids = []
        self._order_forgotten = True

    def in_order(self, start: int, stop: int) -> Iterator[Source]:
        """The sources from place `start` up to `stop` in the order (a slice of `order`)."""
        return (self._sources[source_id] for source_id in self.order_ids[start:stop])

    def place(self, source_id: str) -> int | None:
        """Where the source is in the order (None if it is not in the bibliography); every place is
        worked out when the first is asked for."""
        places: dict[str, int] | None = getattr(self, "_places", None)
        if places is None:
            places = self._places = {source_id: place for place, source_id in enumerate(self.order_ids)}
        return places.get(source_id)

    def __getitem__(self, source_id: str) -> Source:
        return self._sources[source_id]

    def __contains__(self, source_id: object) -> bool:
        return source_id in self._sources

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)

    def get(self, source_id: str, default: Source | None = None) -> Source | None:  # type: ignore[override]
        return self._sources.get(source_id, default)  # a dict's get, not Mapping's try and except

    def name(self, source_id: str) -> str:
        source = self.get(source_id)
        return source_id if source is None else self.name_of(source)

    def name_of(self, source: Source) -> str:
        """The short name of a source of this bibliography."""
        return self.lettered.get(source.id) or short_cite(source, source.id)


class PackedBibliography(Bibliography):
    """A bibliography read from a sources' pack (catalog/source_pack.py), which keeps the sources in
    the order with their letters: what it holds is the pack's index, 12 bytes a source."""

    def __init__(self, pack: SourcePack):
        self._sources = self._pack = pack

    @property
    def order(self) -> Iterator[Source]:
        return self._pack.in_order(0, len(self._pack))

    def forget_order(self) -> None:
        """Nothing to let go of: the order is the pack's."""

    def in_order(self, start: int, stop: int) -> Iterator[Source]:
        return self._pack.in_order(start, stop)

    def place(self, source_id: str) -> int | None:
        return self._pack.place(source_id)

    def name_of(self, source: Source) -> str:
        return self._pack.lettered_name(source.id) or short_cite(source, source.id)


def container(source: Source) -> str | None:
    """The journal, or the site or publisher an article appeared in."""
    return source.journal or source.site or source.publisher


def level_text(level: Level | None) -> str:
    """'level 2, randomized controlled trial', or why the source does not count."""
    if level is None:
        return "not in the catalog"
    if level.level is None:
        return f"does not count: {level.why}"
    text = f"level {level.level}, {level.design}"
    # only a population changes what the design alone would say (animal work for a clinical claim)
    return f"{text} ({level.why})" if level.why.startswith(INDIRECT_POPULATIONS) else text


def authors_text(source: Source, most: int = 6) -> str:
    """Authors as PubMed lists them, shortened to the first `most` and 'et al' (the caller ends the
    sentence, so the abbreviation's full stop is the sentence's)."""
    if len(source.authors) > most:
        return ", ".join(source.authors[:most]) + ", et al"
    return ", ".join(source.authors)


def one_line(text: str | None) -> str:
    """Collapse runs of whitespace (newlines in quotes and titles) to single spaces."""
    return " ".join((text or "").split())


# Every character str.split() splits on except the space, as the inside of a regular expression's
# [class]: a text with none of them, no two spaces running and none at either end is its own `one_line`.
OTHER_SPACES = "\t-\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def plain_test(specials: str) -> Callable[[str], bool]:
    """A quick test that a text is its own `one_line` and holds none of `specials`: one search in C,
    where collapsing and escaping it would make new strings. Most catalog texts pass, and a report
    escapes tens of them per claim."""
    found = re.compile(f"[{re.escape(specials)}{OTHER_SPACES}]").search

    def plain(text: str) -> bool:
        return bool(text) and text[0] != " " and text[-1] != " " and "  " not in text and not found(text)

    return plain


_ONE_LINE = plain_test("")


def is_one_line(text: str) -> bool:
    """Whether `one_line` would leave `text` as it is."""
    return not text or _ONE_LINE(text)


def catalog_summary(rows: list[ClaimRow], sources: list[Source]) -> str:
    """'12 claims made in 5 articles, linked to 20 sources; 25 sources in the bibliography.'"""
    articles = {q.source for row in rows for q in row.claim.made_in}
    linked = {e.source for row in rows for e in row.claim.evidence}
    return summary_sentence(len(rows), len(articles), len(linked), len(sources))


def summary_sentence(claims: int, articles: int, linked: int, sources: int) -> str:
    """`catalog_summary` from its counts."""
    return (f"{claims} claim{'s' if claims != 1 else ''} made in {articles} "
            f"article{'s' if articles != 1 else ''}, linked to {linked} "
            f"source{'s' if linked != 1 else ''} as evidence; {sources} sources in the bibliography.")
