"""A Markdown report a colleague reads on GitHub: summary tables, claims by topic, bibliography.

Every text from the catalog passes through `inline` (or `block`), which backslash-escapes
Markdown's punctuation, so a statement can neither break a table nor inject HTML, links or math.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache, partial
from itertools import chain
from typing import TYPE_CHECKING, TypeVar

from kclaims.model import Source
from kclaims.catalog.query import ClaimRow
from kclaims.export.view import (
    NO_TOPIC,
    REPORT_TITLE,
    STANCE_HEADINGS,
    STRENGTH_ORDER,
    VERDICT_CAVEAT,
    Bibliography,
    EvidenceItem,
    TopicGroup,
    TopicTally,
    authors_text,
    catalog_summary,
    container,
    count_stance,
    evidence_items,
    group_by_topic,
    grade_title,
    level_text,
    link_appraisal,
    link_text,
    one_line,
    quotes_by_article,
    source_link,
    strength_counts,
    strength_meaning,
    strength_title,
    topic_strength_counts,
    plain_test,
)
from kclaims.export.scorecard import (
    SCORECARD_INTRO,
    Against,
    against_phrase,
    scorecard_cells,
    scorecard_heads,
    scorecards,
)
from kclaims.grade import Level, plain_language, split_strength_key, strength_key

if TYPE_CHECKING:
    from kclaims.catalog.changes import CatalogChanges
from kclaims.export.changes import RUBRIC_NOTE, change_phrase, claim_anchor, headline

# a coloured mark beside each verdict: GitHub has no colour in Markdown, but it renders emoji
VERDICT_MARKS = {"supported": "🟢", "conflicting": "🟣", "contradicted": "🔴", "no-evidence-found": "⚪",
                 "not-assessed": "▫️"}

Piece = TypeVar("Piece", str, bytes)  # a report's text, or its UTF-8 bytes read back from a spool
_SPECIAL = re.compile(r"[\\`*_\[\]<>|#~&$]")  # Markdown's punctuation, escaped by a backslash
_plain = plain_test("\\`*_[]<>|#~&$")
_ESCAPES = str.maketrans({char: "\\" + char for char in "\\`*_[]<>|#~&$"})
_URL_SPECIAL = re.compile(r"[ ()<>\\]")
BLOCK = "\n\n"  # Markdown's blocks are separated by a blank line
# An article is cited (with its title) by every claim it makes: its reference is made once. A bound,
# so the memory stays flat however large the catalog (a few MB); 4,096 was too few for the 10,000
# articles of the 100,000-claim bench catalog, whose claims come in no order of article: 60% of the
# citations were made again (a worker's share of the sections: 0.63 s of CPU in `_made_in` against
# 0.35 s with this bound).
ARTICLES_REMEMBERED = 16_384
_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=>])")


def inline(text: str | None) -> str:
    """Catalog text made safe inside a Markdown paragraph, table cell, heading or link text."""
    if text and _plain(text):
        return text
    text = one_line(text)
    return text.translate(_ESCAPES) if _SPECIAL.search(text) else text  # most texts have none: a search is quicker


def block(text: str | None) -> str:
    """Like `inline`, and also safe at the start of a line (no list, heading or quote marker)."""
    text = inline(text)
    if not _LINE_START.match(text):
        return text
    return _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", text)


def url(address: str) -> str:
    """A link target that cannot end the link early."""
    if not _URL_SPECIAL.search(address):
        return address
    for char, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"), ("\\", "%5C")):
        address = address.replace(char, code)
    return address


@lru_cache(maxsize=64)  # a dozen verdicts and certainties, marked once per claim
def strength_mark(key: str) -> str:
    """"🟢 **supported, ⊕⊕⊕◯ moderate**": a verdict and certainty as every Markdown report shows them."""
    verdict, _ = split_strength_key(key)
    return f"{VERDICT_MARKS.get(verdict, '')} **{strength_title(key)}**".strip()


def export_markdown(rows: list[ClaimRow], sources: list[Source], since: CatalogChanges | None = None) -> str:
    """The whole report as GitHub-flavoured Markdown, ending in a newline; with `since`, a section
    on what changed since that revision follows the scorecard."""
    return "".join(markdown_chunks(rows, sources, since))


def markdown_chunks(rows: list[ClaimRow], sources: list[Source], since: CatalogChanges | None = None) -> Iterator[str]:
    """`export_markdown`'s text in pieces, as they are made: a claim or a bibliography entry at a
    time, so the report is never held whole (the summaries at the top take one pass over the claims)."""
    by_id = Bibliography(sources)
    cite_article = article_citer(by_id)
    yield from report_pieces(rows, by_id, catalog_summary(rows, sources),
                             lambda group: (claim_section(row, by_id, cite_article) for row in group.rows), since)


def report_pieces(rows: list[ClaimRow], by_id: Bibliography, summary: str,
                  claims_text: Callable[[TopicGroup], Iterable[Piece]],
                  since: CatalogChanges | None = None) -> Iterator[str | Piece]:
    """The report around its claims: `claims_text(group)` gives the sections (`claim_section`) of
    the claims shown in full under a topic, in order."""
    counts = strength_counts(rows)
    topics = ((group.topic, claims_text(group), [also_links(group.also)] if group.also else None)
              for group in group_by_topic(rows))
    yield from report_around(summary, _scorecard_pieces(rows, by_id), since,
                             summary_blocks(counts, topic_strength_counts(rows), len(rows)), topics,
                             bibliography_pieces(by_id, None))


TopicPieces = tuple[str, Iterable[Piece], Iterable[Piece] | None]  # a topic, its claims' sections, its links to claims shown elsewhere (if any)


def report_around(summary: str, scorecard: Iterable[str], since: CatalogChanges | None, summaries: list[str],
                  topics: Iterable[TopicPieces], bibliography: Iterable[str | Piece]) -> Iterator[str | Piece]:
    """The report in its order, its parts made by the caller (from the rows, or counted as they
    passed: streamed.py): the summary sentence, the scorecard's pieces (`scorecard_table`), the
    summaries' blocks (`summary_blocks`), each topic's texts (its sections may be UTF-8 bytes, in
    pieces of any size) and the bibliography's pieces (`bibliography_pieces`)."""
    yield f"# {REPORT_TITLE}{BLOCK}{block(summary)}{BLOCK}> {inline(VERDICT_CAVEAT)}"
    yield from scorecard
    if since is not None:
        yield BLOCK + changes_markdown(since, level=2)
    yield BLOCK + BLOCK.join(summaries)
    yield BLOCK + "## Claims by topic"
    shown = False
    for topic, sections, also in topics:
        shown = True
        yield from _topic_pieces(topic, sections, also)
    if not shown:
        yield BLOCK + "No claims match."
    yield from bibliography
    yield "\n"


def article_citer(by_id: Bibliography) -> Callable[[str], str]:
    """How a claim cites an article that makes it (with its title): each article's reference made
    once, until ARTICLES_REMEMBERED are kept and they are let go together (a dict: an LRU cache's
    links would take a fifth more memory)."""
    cited: dict[str, str] = {}

    def cite(article: str) -> str:
        text = cited.get(article)
        if text is None:
            if len(cited) >= ARTICLES_REMEMBERED:
                cited.clear()
            text = cited[article] = _source_ref(by_id, article, with_title=True)
        return text

    return cite


# --- scorecard ------------------------------------------------------------------------------------


def scorecard_section(rows: list[ClaimRow], sources: Bibliography) -> list[str]:
    """"Which articles hold up" as Markdown blocks: one table row per article, then each article's
    contradicted claims."""
    return "".join(_scorecard_pieces(rows, sources)).split(BLOCK)[1:]


def _scorecard_pieces(rows: list[ClaimRow], sources: Bibliography) -> Iterator[str]:
    line_of = partial(against_line, sources=sources, phrases={})
    cards = scorecards(rows, sources)
    return scorecard_table(lambda contradicted_only: (
        (article_ref(card.article, card.source, sources), scorecard_cells(card), (line_of(item) for item in card.against))
        for card in cards if card.against or not contradicted_only))


# an article's row of the scorecard: how it is named (`article_ref`), its counts (`cells_of`), the
# lines of its contradicted claims (`against_line`), in the scorecard's order
CardRow = tuple[str, list[int], Iterable[str]]


def scorecard_table(cards: Callable[[bool], Iterable[CardRow]]) -> Iterator[str]:
    """The scorecard section, each block after a blank line, a table row at a time; `cards` gives the
    rows in the scorecard's order (`scorecard.scorecard_order`), each made when it is taken, or only
    those of articles with contradicted claims. It is called twice, for the table and then for the
    contradicted claims' lines, so that no row is held from one to the other."""
    yield BLOCK + "## Which articles hold up"
    rows = iter(cards(False))
    first = next(rows, None)
    if first is None:
        yield BLOCK + "No claim records the article that makes it."
        return
    heads = scorecard_heads()
    yield f"{BLOCK}{inline(SCORECARD_INTRO)}{BLOCK}| article | " + " | ".join(heads) + " |\n|---|" + "---:|" * len(heads)
    contradicted = False
    for ref, cells, _ in chain((first,), rows):
        yield f"\n| {ref} | " + " | ".join(str(n) if n else "·" for n in cells) + " |"
        contradicted = contradicted or bool(cells[_CELLS_CONTRADICTED])
    if contradicted:
        yield BLOCK + "Contradicted claims, each with the strongest study against it:\n"
        for ref, cells, lines in cards(True):
            if cells[_CELLS_CONTRADICTED]:
                yield f"\n- {ref}:\n" + "\n".join(lines)


_CELLS_CONTRADICTED = scorecard_heads().index("contradicted")  # where `cells_of` puts the contradicted claims


def article_ref(article: str, source: Source | None, sources: Bibliography) -> str:
    """How the scorecard names an article: linked to its bibliography entry, if it is in the catalog."""
    if source is None:
        return f"`{article}` (not in the catalog)"
    return f"[{inline(sources.name_of(source))}](#source-{article})"


def against_line(item: Against, sources: Bibliography, phrases: dict[str, str] | None = None) -> str:
    """A contradicted claim's line in the scorecard, under each article that makes it (`phrases` as
    `against_phrase` takes it)."""
    return f"  - [{inline(against_phrase(item, sources, phrases=phrases))}](#claim-{item.row.claim.id})"


# --- summary ---------------------------------------------------------------------------------------


def summary_blocks(counts: dict[str, int], by_topic: dict[str, TopicTally], claims: int) -> list[str]:
    """The summary's blocks: the claims by verdict and certainty (`strength_counts`), by topic too
    (`topic_strength_counts`), and how many there are."""
    by_strength = ["| verdict and certainty | claims | meaning |", "|---|---:|---|"]
    by_strength += [f"| {strength_mark(key)} | {counts[key]} | {inline(strength_meaning(key))} |"
                    for key in STRENGTH_ORDER]
    return ["## Summary", "### Claims by verdict and certainty", "\n".join(by_strength),
            "### Claims by topic, verdict and certainty", _matrix(by_topic, counts, claims),
            "A claim with several topics is counted in each of their rows; the last row counts every claim once."]


def _matrix(by_topic: dict[str, TopicTally], counts: dict[str, int], claims: int) -> str:
    lines = ["| topic | " + " | ".join(strength_title(key) for key in STRENGTH_ORDER) + " | total |",
             "|---|" + "---:|" * (len(STRENGTH_ORDER) + 1)]
    for topic, cell in by_topic.items():
        cells = [str(cell.by_key[key]) if cell.by_key[key] else "·" for key in STRENGTH_ORDER]
        lines.append(f"| [{inline(topic)}](#{_topic_anchor(topic)}) | " + " | ".join(cells) + f" | {cell.claims} |")
    lines.append("| **all claims** | " + " | ".join(f"**{counts[key]}**" for key in STRENGTH_ORDER)
                 + f" | **{claims}** |")
    return "\n".join(lines)


def _topic_anchor(topic: str) -> str:
    return "topic-none" if topic == NO_TOPIC else f"topic-{topic}"


# --- claims ----------------------------------------------------------------------------------------


def _topic_pieces(topic: str, sections: Iterable[Piece], also: Iterable[Piece] | None) -> Iterator[str | Piece]:
    name = "No topic" if topic == NO_TOPIC else inline(topic)
    yield f'{BLOCK}<a id="{_topic_anchor(topic)}"></a>{BLOCK}### {name}'
    yield from sections
    if also is not None:
        yield BLOCK + "Also in this topic, shown under another: "
        yield from also


def also_links(rows: Iterable[ClaimRow]) -> str:
    """Links to claims under a topic they are not shown under, separated by commas."""
    return ", ".join(f"[{inline(row.claim.statement)}](#claim-{row.claim.id}) ({strength_mark(row.strength.key)})"
                     for row in rows)


def claim_section(row: ClaimRow, sources: Bibliography, cite_article: Callable[[str], str]) -> str:
    """A claim's section under its topic, after a blank line: heading, facts, verdict, reasons, where
    it is made, its evidence. `cite_article` is `article_citer(sources)`."""
    return BLOCK + BLOCK.join(_claim(row, sources, cite_article))


def _claim(row: ClaimRow, sources: Bibliography, cite_article: Callable[[str], str]) -> list[str]:
    claim = row.claim
    topics = ", ".join(inline(t) for t in claim.topics) or "none"
    facts = (f"`{claim.id}` · {claim.kind} · topics: {topics} · {row.articles} article(s), "
             f"{count_stance(row, 'supports')} for, {count_stance(row, 'contradicts')} against")
    parts = [f'<a id="claim-{claim.id}"></a>\n\n#### {inline(claim.statement)}', facts, _verdict(row)]
    parts.append("How the verdict and certainty were reached:\n\n"
                 + "\n".join(map(_reason_line, row.strength.reasons)))
    if claim.note:
        parts.append(f"Note: {inline(claim.note)}")
    parts.append(_made_in(row, cite_article))
    grouped = evidence_items(row, sources)
    for stance, heading in STANCE_HEADINGS:
        if grouped[stance] or stance != "mentions":
            parts.append(_evidence(heading, grouped[stance], sources))
    return parts


def _verdict(row: ClaimRow) -> str:
    text = _evidence_phrase(row.strength.verdict, row.strength.certainty)
    grade = row.claim.grade
    if grade:
        text += f" · curator's grade: **{inline(grade_title(grade))}**, because {inline(grade.because)}"
    if row.strength.retracted:
        text += " · **links a retracted source:** " + ", ".join(f"`{s}`" for s in row.strength.retracted)
    return text


@lru_cache(maxsize=1024)  # half the reasons are the rubric's stock sentences ("risk of bias: not downgraded, ...")
def _reason_line(reason: str) -> str:
    return f"- {block(reason)}"


@lru_cache(maxsize=64)  # a handful of verdicts and certainties, met once per claim
def _evidence_phrase(verdict: str, certainty: str | None) -> str:
    return f"Evidence: {strength_mark(strength_key(verdict, certainty))}. {inline(plain_language(verdict, certainty))}"


@lru_cache(maxsize=1024)  # levels repeat: a few designs and populations, met once per linked paper
def _level_words(level: Level | None) -> str:
    return inline(level_text(level))


def _made_in(row: ClaimRow, cite_article: Callable[[str], str]) -> str:
    articles = quotes_by_article(row)
    if not articles:
        return "**Made in:** no article recorded."
    lines = ["**Made in:**", ""]
    for source_id, quotes in articles.items():
        lines.append(f"- {cite_article(source_id)}")
        lines += [f"\n  > {block(text)}" for text in quotes]
    return "\n".join(lines)


def _evidence(heading: str, items: list[EvidenceItem], sources: Bibliography) -> str:
    if not items:
        return f"**{heading}:** no paper linked."
    lines = [f"**{heading}:**", ""]
    for item in items:
        ref = _ref_to(sources, item.source, with_title=False) if item.source else _not_in_catalog(item.source_id)
        line = f"- {ref}: {_level_words(item.level)}"
        appraisal = link_appraisal(item)
        if appraisal:
            line += f" ({inline(appraisal)})"
        if item.note:
            line += f". {inline(item.note)}"
        lines.append(line)
    return "\n".join(lines)


def _source_ref(sources: Bibliography, source_id: str, with_title: bool) -> str:
    """'[Anis 1983](#source-anis1983), *British Journal of Pharmacology* ([doi:…](https://doi.org/…))'."""
    source = sources.get(source_id)
    return _not_in_catalog(source_id) if source is None else _ref_to(sources, source, with_title)


def _not_in_catalog(source_id: str) -> str:
    return f"`{source_id}` (not in the catalog)"


def _ref_to(sources: Bibliography, source: Source, with_title: bool) -> str:
    text = f"[{inline(sources.name_of(source))}](#source-{source.id})"
    if with_title:
        if source.title:
            text += f", *{inline(source.title)}*"
    else:
        where = container(source)
        if where:
            text += f", *{inline(where)}*"
    link = source_link(source)
    if link:
        text += f" ([{inline(link_text(source))}]({url(link)}))"
    return text


# --- bibliography ----------------------------------------------------------------------------------


def bibliography_pieces(sources: Bibliography, entries: Iterable[Piece] | None) -> Iterator[str | Piece]:
    yield BLOCK + "## Bibliography" + "\n"  # and each entry on a line of its own: the first after a blank line
    if not sources:
        yield "\nNo sources."
    yield from bibliography_lines(sources, sources.order) if entries is None else entries


def bibliography_lines(bibliography: Bibliography, sources: Iterable[Source]) -> Iterator[str]:
    """Each source's bibliography entry, after a line break, as the end of the report gives them."""
    for source in sources:
        yield "\n" + _bibliography_entry(source, bibliography.name_of(source))


def _bibliography_entry(source: Source, name: str) -> str:
    pieces = [f'<a id="source-{source.id}"></a>**{inline(name)}** (`{source.id}`):']
    if source.authors:
        pieces.append(inline(authors_text(source)) + ".")
    pieces.append(f"{inline(source.title or 'Untitled')}.")
    where = container(source)
    if where:
        pieces.append(f"*{inline(where)}*{_volume_pages(source)}.")
    if source.year:
        pieces.append(f"{source.year}.")
    identifiers = _identifiers(source)
    if identifiers:
        pieces.append(" · ".join(identifiers))
    if source.retracted:
        pieces.append("**RETRACTED.**")
    return "- " + " ".join(pieces)


def _volume_pages(source: Source) -> str:
    text = f" {inline(source.volume)}" if source.volume else ""
    text += f"({inline(source.issue)})" if source.issue else ""
    text += f":{inline(source.pages)}" if source.pages else ""
    return text


def _identifiers(source: Source) -> list[str]:
    found = []
    if source.doi:
        found.append(f"[doi:{inline(source.doi)}]({url(source_link(source) or '')})")
    if source.pmid:
        found.append(f"PMID [{source.pmid}](https://pubmed.ncbi.nlm.nih.gov/{source.pmid}/)")
    if source.pmcid:
        found.append(f"[{source.pmcid}](https://pmc.ncbi.nlm.nih.gov/articles/{source.pmcid}/)")
    if source.url and not source.doi and not source.pmid:
        link = source_link(source)
        found.append(f"<{url(link)}>" if link else inline(source.url))
    return found


# --- what changed since a revision -------------------------------------------------------------------


def changes_markdown(changes: CatalogChanges, level: int = 2) -> str:
    """The changes as a Markdown section (a report's "What changed since REV")."""
    parts = [f"{'#' * level} What changed since {inline(changes.revision)}", block(headline(changes))]
    if changes.rubric_before:
        parts.append(inline(RUBRIC_NOTE))
    items = []
    for change in changes.claims:
        anchor = claim_anchor(change)
        text = inline(change_phrase(change))
        items.append(f"- [{text}](#{anchor})" if anchor else f"- {text}")
    items += [f"- source renamed: `{b}` -> `{a}`" for b, a in changes.sources_renamed]
    items += [f"- source added: `{s}`" for s in changes.sources_added]
    items += [f"- source removed: `{s}`" for s in changes.sources_removed]
    if items:
        parts.append("\n".join(items))
    return "\n\n".join(parts)
