"""The Markdown report of a whole catalog read a chunk of claims at a time (catalog/chunks.py): what
`kclaims export --format md` does when nothing is filtered, so the command never holds the claims,
the sources, or the report.

Each chunk's claim sections are made in a worker process (kclaims/workers.py) and kept in a spool
file, topic by topic, with the links each other topic gives to its claims, and so are slices of the
bibliography; the sources are read one at a time from the sources' pack (catalog/source_pack.py),
made by the first report after a source file changed (where it cannot be made, they are held).
Each worker also counts what the report's top needs of its chunk (tallies.py: claims by verdict
and certainty, by topic, by article) and writes the scorecard's lines of its contradicted claims to
its spool; the command merges the counts and keeps where each topic's texts and each article's
lines lie in the spools. What it holds grows with the topics and the articles (about 500 bytes an
article: 5 MB at 100,000 claims) and the pack's index (12 bytes a source), not with the claims. The
report is then put together in its order by `markdown.report_around`, as the in-memory report is:
the text is exactly `markdown_chunks`'s (the tests hold it to that).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, BinaryIO, cast

from kclaims.catalog.chunks import ClaimChunks
from kclaims.catalog.query import ClaimRow
from kclaims.catalog.source_pack import DamagedPack
from kclaims.export.markdown import (CardRow, TopicPieces, against_line, also_links, article_citer, article_ref,
                                     bibliography_lines, bibliography_pieces, claim_section, report_around,
                                     scorecard_table, summary_blocks)
from kclaims.export.scorecard import Against, cells_of, scorecard_order, strongest_against, verdict_counts
from kclaims.export.tallies import Place, ReportTallies
from kclaims.export.view import (NO_TOPIC, Bibliography, PackedBibliography, arrangement_rules, home_topic,
                                 summary_sentence)
from kclaims.workers import forks, in_order_from_workers

Segment = tuple[str, int, int]  # a topic, and where its texts (sections, or links) lie in a chunk's spool file: start, end


@dataclass(frozen=True, slots=True)
class MadeChunk:
    """A chunk's sections, written to `spool` topic by topic (each topic's claims in file order, as
    `segments` say), then its links to claims under their other topics (`also_links`, as
    `also_segments` say), then the scorecard's lines of its contradicted claims, and what the
    report's top counts of its claims (`tallies`, which say where those lines lie)."""

    spool: str
    tallies: ReportTallies
    linked: list[int | str]  # the sources its claims link as evidence: where each is in the bibliography's order, or its id if it is not there
    segments: list[Segment]
    also_segments: list[Segment]
    labels: dict[str, Any]  # the labels its claims were graded with where none was kept (`ClaimChunks.rows`)


@dataclass(frozen=True, slots=True)
class _Job:
    chunks: ClaimChunks
    bibliography: Bibliography
    folder: str
    cite_article: Callable[[str], str]  # `article_citer`: each worker fills its own copy


_job: _Job | None = None  # what the workers make sections for: set before they fork, read by `_make`


BIBLIOGRAPHY_SLICE = 10_000  # entries made by one worker task: about a chunk of claims' work
# Labels graded by the workers (the claims citing an edited source, or all after a new rubric) are
# kept by the command for the next one, up to this many (about 1 KB each); the rest are graded
# again, until a command that loads the catalog keeps them.
LABELS_KEPT = 20_000


def markdown_from_chunks(chunks: ClaimChunks) -> Iterator[str | bytes]:
    """`markdown.markdown_chunks` over the whole catalog, every source in the bibliography; the
    sections made by the workers come as UTF-8 bytes, as they were kept. Each worker reads the chunks
    it makes from the cache (`ClaimChunks.rows`), so the command never holds the claims. Their tallies
    are merged as the workers hand them over, and the report's top is written while they make the
    bibliography."""
    global _job
    try:
        bibliography = _bibliography(chunks)
        in_bibliography = len(bibliography)
        tasks = [*((CLAIMS, number) for number in range(len(chunks))),
                 *((BIBLIOGRAPHY, start) for start in range(0, in_bibliography, BIBLIOGRAPHY_SLICE))]
        with ExitStack() as stack:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="kclaims-report-"))
            _job = _Job(chunks, bibliography, folder, article_citer(bibliography))
            made = stack.enter_context(in_order_from_workers(_make, tasks, worth_it_from=2, pieces=len(tasks)))
            if forks(len(tasks), worth_it_from=2):  # the workers have their copy of what only they need:
                chunks.release_stamps()  # the tallies take the memory it held
                bibliography.forget_order()
            gathered = _gathered(islice(made, len(chunks)), in_bibliography)  # (the bibliography's slices come after)
            chunks.keep_labels(gathered.labels)
            chunks.release_stamps()  # (made here: every section is made, the summaries need only the tallies)
            spool = stack.enter_context(_Spool(gathered.spools))
            tallies = gathered.tallies
            if chunks.pack is not None:
                chunks.pack.keep_few()  # the command looks each article up once: the workers' caches are not wanted here
            summary = summary_sentence(tallies.claims, len(tallies.articles), gathered.linked_count(),
                                       len(chunks.sources))
            entries = (block for slice_made in made for block in _blocks(slice_made.spool))  # made while the top is written
            yield from report_around(summary, _scorecard(tallies, bibliography, spool), None,
                                     summary_blocks(tallies.strength_counts(), tallies.topic_rows(), tallies.claims),
                                     gathered.topics(spool), bibliography_pieces(bibliography, entries))
    except DamagedPack:
        raise chunks.pack_gone() from None
    finally:
        _job = None
        if chunks.pack is not None:
            chunks.pack.close()


CLAIMS, BIBLIOGRAPHY = "claims", "bibliography"


def _bibliography(chunks: ClaimChunks) -> Bibliography:
    """Every source, in the order and with the letters, read from the sources' pack kept for the
    files as they are; else worked out now (which reads all 200,000 sources of a large catalog) and
    the pack made for the next report, and read from it; where it cannot be made (a file too new to
    trust, a cache that cannot be written), the sources held are used."""
    if chunks.pack is None:
        bibliography = Bibliography.looking_up(chunks.sources)
        stamps, lettered = chunks.source_stamps, bibliography.lettered
        records = ((source_id, cast(bytes, stamps[source_id]), lettered.get(source_id, ""), chunks.packed(source_id))
                   for source_id in bibliography.order_ids)
        if not chunks.write_pack(arrangement_rules(), records):
            return bibliography
    assert chunks.pack is not None
    return PackedBibliography(chunks.pack)


def _make(tasks: list[tuple[str, int]]) -> list[MadeChunk]:
    assert _job is not None
    try:
        return [_make_chunk(number, _job.cite_article) if task == CLAIMS else _make_entries(number)
                for task, number in tasks]
    except DamagedPack:
        raise _job.chunks.pack_gone() from None


def _make_entries(start: int) -> MadeChunk:
    """Bibliography entries from `start` in its order, a slice of them."""
    assert _job is not None
    bibliography = _job.bibliography
    lines = bibliography_lines(bibliography, bibliography.in_order(start, start + BIBLIOGRAPHY_SLICE))
    return MadeChunk(_spooled(f"bibliography-{start}", (line.encode("utf-8") for line in lines)), ReportTallies(),
                     [], [], [], {})


def _spooled(name: str, pieces: Iterable[bytes]) -> str:
    """The pieces written to a spool file, as they come."""
    assert _job is not None
    spool = os.path.join(_job.folder, f"{name}.md")
    with open(spool, "wb") as file:
        file.writelines(pieces)
    return spool


SPOOL_BLOCK = 1 << 18  # a bibliography slice is read back this much at a time


def _blocks(spool: str) -> Iterator[bytes]:
    """A spool file's text in blocks of about SPOOL_BLOCK, each ending with a line (so no block ends
    inside a character)."""
    with open(spool, "rb") as file:
        rest = b""
        while block := file.read(SPOOL_BLOCK):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            rest = block[cut:]
            if cut:
                yield block[:cut]
        if rest:
            yield rest


def _make_chunk(number: int, cite_article: Callable[[str], str]) -> MadeChunk:
    assert _job is not None
    bibliography = _job.bibliography
    by_topic: dict[str, list[bytes]] = {}  # each claim's section under the topic it is shown in
    also: dict[str, list[ClaimRow]] = {}  # the claims each other topic links to
    linked: set[str] = set()
    graded: dict[str, Any] = {}
    rows = _job.chunks.rows(number, graded)
    for row in rows:
        text = claim_section(row, bibliography, cite_article).encode("utf-8")
        by_topic.setdefault(home_topic(row.claim), []).append(text)
        for other in row.claim.topics[1:]:
            also.setdefault(other, []).append(row)
        linked.update(e.source for e in row.claim.evidence)
    tallies = ReportTallies()
    phrases: dict[str, str] = {}
    tallies.add(rows, lambda row: against_line(Against(row, strongest_against(row, bibliography)), bibliography,
                                               phrases))
    pieces = [section for sections in by_topic.values() for section in sections]
    segments, end = _segments(by_topic, 0)
    links = {topic: [also_links(linking).encode("utf-8")] for topic, linking in also.items()}
    pieces += [text for texts in links.values() for text in texts]
    also_segments, end = _segments(links, end)
    pieces += tallies.lines_to_spool(number, end)  # (a chunk's spool is the number of its chunk: `_gathered`)
    return MadeChunk(_spooled(f"claims-{number}", pieces), tallies, _placed(linked), segments, also_segments, graded)


def _placed(source_ids: set[str]) -> list[int | str]:
    """Each source by where it is in the bibliography's order (its id if it is not there): the command
    counts them in a bitmap, not in a set of 200,000 ids."""
    assert _job is not None
    place = _job.bibliography.place
    return [source_id if (at := place(source_id)) is None else at for source_id in source_ids]


def _segments(by_topic: dict[str, list[bytes]], start: int) -> tuple[list[Segment], int]:
    """Where each topic's texts lie once written one after the other from `start`, and where they end."""
    segments: list[Segment] = []
    for topic, texts in by_topic.items():
        size = sum(map(len, texts))
        segments.append((topic, start, start + size))
        start += size
    return segments, start


@dataclass
class Gathered:
    """What the report's top needs of the claims: their tallies, where each topic's sections and its
    links to claims shown under another topic lie (`Place`s, in order), the sources they link, and
    the spool files."""

    tallies: ReportTallies = field(default_factory=ReportTallies)
    where: dict[str, list[Place]] = field(default_factory=dict)
    also: dict[str, list[Place]] = field(default_factory=dict)  # where each topic's links to claims shown elsewhere lie
    linked: bytearray = field(default_factory=bytearray)  # 1 where a source in the bibliography's order is linked
    linked_elsewhere: set[str] = field(default_factory=set)  # linked sources not in the bibliography
    spools: list[str] = field(default_factory=list)
    labels: dict[str, Any] = field(default_factory=dict)  # graded where none was kept: at most LABELS_KEPT

    def linked_count(self) -> int:
        """How many sources the claims link as evidence."""
        return len(self.linked) - self.linked.count(0) + len(self.linked_elsewhere)

    def topics(self, spool: _Spool) -> Iterator[TopicPieces]:
        """Each topic, A to Z (claims without one last), with its sections and its links to claims
        shown under another topic, read back from the spool files when the report gets to them."""
        for topic in sorted(self.where.keys() | self.also.keys(), key=lambda t: (t == NO_TOPIC, t)):
            also = self.also.get(topic)
            yield topic, map(spool.read, self.where.get(topic, ())), None if also is None else _also_text(spool, also)


def _gathered(made: Iterator[MadeChunk], sources: int) -> Gathered:
    found = Gathered(linked=bytearray(sources))
    for spool, chunk in enumerate(made):
        found.spools.append(chunk.spool)
        for place in chunk.linked:
            if isinstance(place, int):
                found.linked[place] = 1
            else:
                found.linked_elsewhere.add(place)
        if len(found.labels) < LABELS_KEPT:
            found.labels.update(chunk.labels)
        for topic, start, end in chunk.segments:
            found.where.setdefault(topic, []).append((spool, start, end))
        for topic, start, end in chunk.also_segments:
            found.also.setdefault(topic, []).append((spool, start, end))
        found.tallies.merge(chunk.tallies)
    return found


def _scorecard(tallies: ReportTallies, bibliography: Bibliography, spool: _Spool) -> Iterator[str]:
    """The scorecard from the articles' tallies: each article's source is looked up to place its card,
    and again to name it when its row is made; none is held, and the lines of its contradicted
    claims are read back from the spool files when they are written."""
    ordered = [article for _, article in sorted(
        (scorecard_order(article, bibliography.get(article), verdict_counts(tallies.keys(article))), article)
        for article in tallies.articles)]  # (the keys let go once sorted)
    return scorecard_table(lambda contradicted_only: (
        _card_row(article, tallies, bibliography, spool) for article in ordered
        if not contradicted_only or article in tallies.lines_at))


def _card_row(article: str, tallies: ReportTallies, bibliography: Bibliography, spool: _Spool) -> CardRow:
    keys = tallies.keys(article)
    return (article_ref(article, bibliography.get(article), bibliography), cells_of(keys, verdict_counts(keys)),
            tallies.lines(article, spool.read))


class _Spool:
    """The spool files, open for reading sections back by position."""

    def __init__(self, paths: list[str]):
        self.paths = paths
        self.files: list[BinaryIO] = []

    def __enter__(self) -> _Spool:
        with ExitStack() as opened:
            self.files = [opened.enter_context(open(path, "rb")) for path in self.paths]
            opened.pop_all()  # all open: __exit__ closes them
        return self

    def __exit__(self, *exc: object) -> None:
        for file in self.files:
            file.close()

    def read(self, place: Place) -> bytes:
        spool, start, end = place
        file = self.files[spool]
        file.seek(start)
        return file.read(end - start)


def _also_text(spool: _Spool, places: list[Place]) -> Iterator[bytes]:
    """A topic's links to claims shown under another, as the chunks made them, separated by commas."""
    separator = b""
    for place in places:
        yield separator + spool.read(place)
        separator = b", "
