"""Catalog lint: everything that makes a catalog untrustworthy, each with the file and line."""

from __future__ import annotations

import difflib
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kclaims.catalog.files import Catalog, compose_yaml, line_at, load_catalog, locate_line, read_catalog_text
from kclaims.errors import BadInput, Problem
from kclaims.grade import is_retracted
from kclaims.model import Claim, KeyPath
from kclaims.text import NEGATIONS, STOPWORDS, normalise_quote_text, shorten

if TYPE_CHECKING:
    import yaml

_WORD = re.compile(r"[a-z0-9]+")
_SIGNATURE_STOPWORDS = STOPWORDS - NEGATIONS


def check_catalog(root: Path) -> list[Problem]:
    """Every problem in the catalog at `root`, in file order; empty when it is clean. A file that
    cannot be read or parsed is one problem among the others, and the check goes on."""
    catalog = load_catalog(root, strict=False)
    locate = _Locator(catalog)
    problems = list(catalog.problems)
    problems += _duplicate_claim_ids(catalog, locate)
    problems += _dangling_ids(catalog, locate)
    problems += _unmade_claims(catalog, locate)
    snapshots = _SnapshotReader(catalog)
    problems += _drifted_quotes(catalog, locate, snapshots)
    problems += snapshots.problems
    problems += _unverifiable_quotes(catalog)
    problems += _retracted_support(catalog, locate)
    problems += _near_duplicates(catalog, locate)
    problems += _dangling_references(catalog)
    problems += _dangling_includes(catalog)
    problems += _includes_loops(catalog)
    problems += _links_twice(catalog, locate)
    problems += _rubric1_grades(catalog, locate)
    problems += _duplicate_studies(catalog)
    return sorted(problems, key=lambda p: (str(p.path), p.line or 0))


class _Locator:
    """Line numbers in claims.yaml, parsed only when a problem needs one."""

    def __init__(self, catalog: Catalog):
        self.path = catalog.claims_path
        self.positions = dict(zip(map(id, catalog.claims), catalog.claim_positions))
        self.tree: yaml.Node | None = None

    def problem(self, claim: Claim, where: KeyPath, message: str) -> Problem:
        if self.tree is None:
            try:
                self.tree = compose_yaml(read_catalog_text(self.path))
            except BadInput:  # changed since it was loaded: the problem stands, without its line
                pass
        return Problem(self.path, line_at(self.tree, ("claims", self.positions[id(claim)], *where)), message)


def _duplicate_claim_ids(catalog: Catalog, locate: _Locator) -> list[Problem]:
    first: dict[str, Claim] = {}
    problems = []
    for claim in catalog.claims:
        if claim.id in first:
            problems.append(locate.problem(claim, ("id",), f"duplicate claim id {claim.id!r} (ids must be unique)"))
        first.setdefault(claim.id, claim)
    return problems


def _dangling_ids(catalog: Catalog, locate: _Locator) -> list[Problem]:
    problems = []
    for claim in catalog.claims:
        for i, quote in enumerate(claim.made_in):
            if quote.source not in catalog.sources:
                problems.append(locate.problem(claim, ("made_in", i, "source"),
                                               f"claim {claim.id!r} quotes unknown source {quote.source!r}"))
        for i, item in enumerate(claim.evidence):
            if item.source not in catalog.sources:
                problems.append(locate.problem(claim, ("evidence", i, "source"),
                                               f"claim {claim.id!r} links unknown source {item.source!r}"))
    return problems


def _unmade_claims(catalog: Catalog, locate: _Locator) -> list[Problem]:
    return [locate.problem(claim, ("id",), f"claim {claim.id!r} is made by no article (add a made_in quote)")
            for claim in catalog.claims if not claim.made_in]


def _drifted_quotes(catalog: Catalog, locate: _Locator, snapshots: _SnapshotReader) -> list[Problem]:
    problems = []
    for claim in catalog.claims:
        for i, quote in enumerate(claim.made_in):
            text = snapshots.get(quote.source)
            if text is not None and normalise_quote_text(quote.text) not in text:
                problems.append(locate.problem(
                    claim, ("made_in", i, "quote"),
                    f"quote of claim {claim.id!r} is not verbatim in sources/{quote.source}.txt: "
                    f"{shorten(quote.text)!r}"))
    return problems


class _SnapshotReader:
    """The articles' text snapshots, each read once; one that exists but cannot be read (not UTF-8,
    a folder, a FIFO, too large) is a problem. A missing one is `_unverifiable_quotes`' to report."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.texts: dict[str, str | None] = {}
        self.problems: list[Problem] = []

    def get(self, source_id: str) -> str | None:
        if source_id not in self.texts:
            self.texts[source_id] = self._read(self.catalog.snapshot_path(source_id))
        return self.texts[source_id]

    def _read(self, path: Path) -> str | None:
        if not os.path.lexists(path):
            return None
        try:
            return normalise_quote_text(read_catalog_text(path))
        except BadInput as error:
            self.problems.append(Problem(path, error.line, error.message))
            return None


def _unverifiable_quotes(catalog: Catalog) -> list[Problem]:
    counts: dict[str, int] = defaultdict(int)
    for claim in catalog.claims:
        for quote in claim.made_in:
            if quote.source in catalog.sources:
                counts[quote.source] += 1
    return [Problem(catalog.sources_dir / f"{source_id}.yaml", None,
                    f"no text snapshot (sources/{source_id}.txt): {count} quote(s) from it cannot be checked; "
                    f"save the article's text there")
            for source_id, count in sorted(counts.items()) if not os.path.lexists(catalog.snapshot_path(source_id))]


def _retracted_support(catalog: Catalog, locate: _Locator) -> list[Problem]:
    problems = []
    for claim in catalog.claims:
        for i, item in enumerate(claim.evidence):
            source = catalog.sources.get(item.source)
            if source and item.stance == "supports" and is_retracted(source):
                problems.append(locate.problem(claim, ("evidence", i, "source"),
                                               f"claim {claim.id!r} is supported by retracted source {source.id!r}"))
    return problems


def _near_duplicates(catalog: Catalog, locate: _Locator) -> list[Problem]:
    by_signature: dict[frozenset[str], list[Claim]] = defaultdict(list)
    for claim in catalog.claims:
        by_signature[statement_signature(claim.statement)].append(claim)
    problems = []
    for group in by_signature.values():
        for later in group[1:]:
            problems.append(locate.problem(
                later, ("statement",),
                f"claim {later.id!r} says the same as {group[0].id!r}: merge them, or reword one"))
    return problems


def statement_signature(statement: str) -> frozenset[str]:
    """The content words of a statement, lower-cased, plural 's' dropped: equal means near-duplicate."""
    words = _WORD.findall(statement.casefold())
    return frozenset(_singular(w) for w in words if w not in _SIGNATURE_STOPWORDS)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _dangling_references(catalog: Catalog) -> list[Problem]:
    problems = []
    for source in catalog.sources.values():
        for marker, target in source.references.items():
            if target not in catalog.sources:
                path = catalog.sources_dir / f"{source.id}.yaml"
                line = _line_in_file(path, ("references", marker))
                problems.append(Problem(path, line, f"reference [{marker}] points at unknown source {target!r}"))
    return problems


def _dangling_includes(catalog: Catalog) -> list[Problem]:
    problems = []
    for source in catalog.sources.values():
        for i, target in enumerate(source.includes):
            if target not in catalog.sources or target == source.id:
                path = catalog.sources_dir / f"{source.id}.yaml"
                why = "is the review itself" if target == source.id else "is not a source in the catalog"
                problems.append(Problem(path, _line_in_file(path, ("includes", i)),
                                        f"'includes' names {target!r}, which {why}"))
    return problems


def _includes_loops(catalog: Catalog) -> list[Problem]:
    """Each loop of `includes` (a review that pools a study that, through its own `includes`, pools
    the review), once, at the first of its sources by id, on the line that names the next."""
    graph = {sid: [t for t in dict.fromkeys(s.includes) if t in catalog.sources and t != sid]
             for sid, s in catalog.sources.items()}
    problems = []
    reported: set[frozenset[str]] = set()
    for start in sorted(graph):
        loop = _shortest_loop(graph, start)
        if loop is None or frozenset(loop) in reported or min(loop) != start:
            continue
        reported.add(frozenset(loop))
        path = catalog.sources_dir / f"{start}.yaml"
        index = catalog.sources[start].includes.index(loop[1])
        chain = ", ".join(f"{a} includes {b}" for a, b in zip(loop, loop[1:]))
        problems.append(Problem(path, _line_in_file(path, ("includes", index)),
                                f"'includes' loop: {chain}: a review cannot pool a study that pools it; "
                                f"remove one of them"))
    return problems


def _shortest_loop(graph: dict[str, list[str]], start: str) -> list[str] | None:
    """The shortest path of `includes` from `start` back to it (start, ..., start), or None."""
    came_from: dict[str, str] = {}
    queue = [start]
    for here in queue:
        for target in graph[here]:
            if target == start:
                path = [here]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if target not in came_from:
                came_from[target] = here
                queue.append(target)
    return None


def _links_twice(catalog: Catalog, locate: _Locator) -> list[Problem]:
    problems = []
    for claim in catalog.claims:
        first: dict[str, int] = {}
        for i, item in enumerate(claim.evidence):
            if item.source in first:
                problems.append(locate.problem(
                    claim, ("evidence", i, "source"),
                    f"claim {claim.id!r} links source {item.source!r} twice (evidence entries {first[item.source] + 1} "
                    f"and {i + 1}): keep one link ('claim unlink' and 'claim link' change only the first)"))
            first.setdefault(item.source, i)
    return problems


def _rubric1_grades(catalog: Catalog, locate: _Locator) -> list[Problem]:
    return [locate.problem(claim, ("grade", "label"),
                           f"claim {claim.id!r} has a rubric-1 grade (label {claim.grade.label!r}): record a verdict "
                           f"and certainty instead: 'kclaims claim grade {claim.id} VERDICT --certainty CERTAINTY "
                           "--because ...' (docs/evidence.md)")
            for claim in catalog.claims if claim.grade and claim.grade.label]


def _duplicate_studies(catalog: Catalog) -> list[Problem]:
    first: dict[str, str] = {}
    problems = []
    for source_id in sorted(catalog.sources):
        for key in sorted(catalog.sources[source_id].study_keys()):
            if key in first and first[key] != source_id:
                path = catalog.sources_dir / f"{source_id}.yaml"
                field = key.split(":", 1)[0]
                line = _line_in_file(path, (field,))
                problems.append(Problem(path, line, f"same study as {first[key]!r} ({key}): merge the two sources"))
                break
            first.setdefault(key, source_id)
    return problems


def _line_in_file(path: Path, where: KeyPath) -> int | None:
    try:
        return locate_line(read_catalog_text(path), where)
    except BadInput:
        return None


@dataclass
class QuoteCheck:
    """Whether a quote is verbatim in its article's snapshot: True, False (with the nearest
    passage), or None when there is no snapshot to check it against."""

    found: bool | None
    nearest: str = ""


def check_quote(catalog: Catalog, source_id: str, text: str) -> QuoteCheck:
    """Look for the words in sources/<id>.txt, spacing and typographic quotes ignored."""
    path = catalog.snapshot_path(source_id)
    if not os.path.lexists(path):
        return QuoteCheck(None)
    snapshot = normalise_quote_text(read_catalog_text(path))
    wanted = normalise_quote_text(text)
    if wanted in snapshot:
        return QuoteCheck(True)
    return QuoteCheck(False, nearest_passage(snapshot, wanted))


def nearest_passage(snapshot: str, wanted: str) -> str:
    """The sentence-sized stretch of `snapshot` most like `wanted`."""
    pieces = [p for p in re.split(r"(?<=[.!?])\s+", snapshot) if p]
    size = max(1, len(wanted.split()))
    windows = [" ".join(pieces[i:i + 2]) for i in range(len(pieces))] if size > 25 else pieces
    folded = wanted.casefold()
    best = max(windows, key=lambda p: difflib.SequenceMatcher(None, folded, p.casefold()).ratio(), default="")
    return best
