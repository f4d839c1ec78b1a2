"""The bodies of evidence behind a claim's certainty, read back from the reasons grade.py gives.

A Summary of Findings needs what `kclaims.grade` decided for each direction: which studies were
counted, which formed the body that set the certainty, and each step down with the studies that
caused it. grade.py says all of it in `Strength.reasons`, one line per step, in a fixed wording;
this module reads those lines back (the decisions themselves are grade.py's, never recomputed) and
looks up, in the sources and the claim's links, who caused each step. tests/test_sof.py holds the
wording to this reader on every rubric path, so a change of wording fails loudly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from kclaims.catalog.query import ClaimRow
from kclaims.grade import CERTAINTY_WORDS, STANCE_DIRECTION, source_level, stance_word
from kclaims.model import Source

CERTAINTY_OF_WORDS = {words: certainty for certainty, words in CERTAINTY_WORDS.items()}
DOWNGRADES = ("risk of bias", "indirectness", "imprecision", "inconsistency")
_WORDS = "|".join(CERTAINTY_OF_WORDS)
_START = re.compile(rf"^(supporting|contradicting): start ({_WORDS}): \d+ [^:]+: (.*)$")
_OUTSIDE = re.compile(r"^(supporting|contradicting): not in the body \(starts lower\): (\S+) \(")
_DOWN = re.compile(r"^(supporting|contradicting): (risk of bias|indirectness|imprecision) -1: (.*)$")
_REPORTED = re.compile(r"^(supporting|contradicting): risk of bias and imprecision: not downgraded, .*\((.*)\)$")
_FINAL = re.compile(rf"^(supporting|contradicting): ({_WORDS}) - \d+ = ({_WORDS})")


@dataclass(frozen=True, slots=True)
class Downgrade:
    """One step down: why (GRADE's domain), what grade.py said, and the sources that caused it."""

    domain: str
    why: str
    source_ids: tuple[str, ...]


@dataclass(slots=True)
class Body:
    """One direction's counted evidence: the body that set its certainty, the other counted links,
    the certainty it started from and ended at, and each step down."""

    stance: str
    start: str
    certainty: str
    body: list[str]
    others: list[str] = field(default_factory=list)
    downgrades: list[Downgrade] = field(default_factory=list)
    reported: list[str] = field(default_factory=list)  # links whose review reported the certainty

    @property
    def counted(self) -> list[str]:
        return self.body + self.others


def claim_bodies(row: ClaimRow) -> dict[str, Body]:
    """The counted evidence of each direction that has any ("supports", "contradicts"), with the
    steps down grade.py took (and inconsistency, when one side outweighed the other)."""
    bodies: dict[str, Body] = {}
    words = {stance_word(stance): stance for stance in STANCE_DIRECTION}
    for reason in row.strength.reasons:
        _read_line(reason, words, bodies)
    for body in bodies.values():
        if body.certainty == "":
            body.certainty = body.start
    _inconsistency(row, bodies)
    return bodies


def _read_line(reason: str, words: dict[str, str], bodies: dict[str, Body]) -> None:
    if found := _START.match(reason):
        items = [item.split(" (", 1)[0] for item in found.group(3).split("; ")]
        stance = words[found.group(1)]
        bodies[stance] = Body(stance, CERTAINTY_OF_WORDS[found.group(2)], "", items)
    elif found := _OUTSIDE.match(reason):
        bodies[words[found.group(1)]].others.append(found.group(2))
    elif found := _DOWN.match(reason):
        body = bodies[words[found.group(1)]]
        body.downgrades.append(Downgrade(found.group(2), found.group(3), tuple(body.body)))
    elif found := _REPORTED.match(reason):
        bodies[words[found.group(1)]].reported = found.group(2).split(", ")
    elif found := _FINAL.match(reason):
        bodies[words[found.group(1)]].certainty = CERTAINTY_OF_WORDS[found.group(3)]


def _inconsistency(row: ClaimRow, bodies: dict[str, Body]) -> None:
    """One side outweighed the other by two steps or more: grade.py took a step for inconsistency,
    caused by the outweighed side's studies."""
    decision = row.strength.reasons[0] if row.strength.reasons else ""
    if "inconsistency -1" not in decision or len(bodies) != 2:
        return
    winner = next(s for s, v in STANCE_DIRECTION.items() if v == row.strength.verdict)
    loser = next(s for s in bodies if s != winner)
    bodies[winner].downgrades.append(Downgrade("inconsistency", decision.split(": ", 1)[1], tuple(bodies[loser].body)))


def caused_by(downgrade: Downgrade, row: ClaimRow, sources: Mapping[str, Source]) -> tuple[str, ...]:
    """The sources that caused a step down: those marked at high risk, the indirect links, the links
    whose participants fell short (those recording n), or the studies of the outweighed side."""
    links = {e.source: e for e in row.claim.evidence}
    ids = downgrade.source_ids
    if downgrade.domain == "risk of bias":
        return tuple(i for i in ids if i in sources and sources[i].risk_of_bias == "high")
    if downgrade.domain == "indirectness":
        return tuple(i for i in ids if i in links and links[i].indirect)
    if downgrade.domain == "imprecision":
        return tuple(i for i in ids if i in sources and sources[i].n)
    return ids


def participants(source_ids: list[str], sources: Mapping[str, Source]) -> int | None:
    """The participants the given studies record in all; None when none records n."""
    recorded = [sources[i].n or 0 for i in source_ids if i in sources and sources[i].n]
    return sum(recorded) if recorded else None


def strongest(source_ids: list[str], sources: Mapping[str, Source], row: ClaimRow) -> str | None:
    """The strongest of the given studies: the best design for this claim's kind, then the most participants."""
    def rank(source_id: str) -> tuple[int, int, int]:
        source = sources.get(source_id)
        if source is None:
            return (9, 0, 0)
        level = source_level(source, row.claim.kind).level or 9
        return (level, -(source.n or 0), source_ids.index(source_id))

    return min(source_ids, key=rank) if source_ids else None

