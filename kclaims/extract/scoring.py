"""Scoring a sentence as a claim: the cue groups that fire, the catalog's words, penalties."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kclaims.extract import cues
from kclaims.extract.citations import find_citations
from kclaims.extract.index import ClaimIndex
from kclaims.extract.sentences import STEM_CACHE, stem, words
from kclaims.text import STOPWORDS


class _CueTable:
    """The cue and penalty phrases as stem tuples, indexed by their first stem."""

    def __init__(self) -> None:
        self.groups = {name: (weight, kind) for name, weight, kind, _ in cues.CUE_GROUPS}
        self.groups.update({name: (weight, None) for name, weight, _ in cues.PENALTIES})
        self.penalty_names = {name for name, _, _ in cues.PENALTIES}
        entries = [(name, phrase) for name, _, _, phrases in cues.CUE_GROUPS for phrase in phrases]
        entries += [(name, phrase) for name, _, phrases in cues.PENALTIES for phrase in phrases]
        entries += [(BOILERPLATE, phrase) for phrase in cues.BOILERPLATE if words(phrase)]
        self.boilerplate_symbols = tuple(p for p in cues.BOILERPLATE if not words(p))
        # first stem -> [(the phrase's stems, group, phrase)]
        self.by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = defaultdict(list)
        for name, phrase in entries:
            stems = tuple(stem(w) for w in words(phrase))
            self.by_first[stems[0]].append((stems, name, phrase))
        for entries_here in self.by_first.values():
            entries_here.sort(key=lambda entry: -len(entry[0]))  # longest first

    def is_boilerplate(self, line: str) -> bool:
        stems = [stem(w) for w in words(line)]
        return BOILERPLATE in self.fired(stems) or any(symbol in line for symbol in self.boilerplate_symbols)

    def fired(self, stems: list[str]) -> dict[str, list[str]]:
        """Group -> the phrases of that group found in the sentence. Longer phrases win: a
        phrase overlapping one already found in its group ("been shown to" after "has been
        shown") is not listed again."""
        found: dict[str, list[str]] = {}
        covered: dict[str, int] = {}  # group -> the first token after its last match
        by_first = self.by_first
        for i, first in enumerate(stems):
            for phrase_stems, group, phrase in by_first.get(first, ()):
                size = len(phrase_stems)
                if size > 1 and tuple(stems[i:i + size]) != phrase_stems:
                    continue
                if covered.get(group, 0) > i:
                    continue
                covered[group] = i + size
                phrases = found.setdefault(group, [])
                if phrase not in phrases:
                    phrases.append(phrase)
        return {group: found[group] for group in (*self.groups, BOILERPLATE) if group in found}


BOILERPLATE = "boilerplate"


_TABLE: _CueTable | None = None


def cue_table() -> _CueTable:
    global _TABLE
    if _TABLE is None:
        _TABLE = _CueTable()
    return _TABLE


@dataclass(slots=True)
class _Scored:
    score: float
    cues: list[str]
    kind_votes: dict[str, float]
    stems: set[str]
    all_stems: list[str]
    citations: list[str]


def score_sentence(sentence: str, model: ClaimIndex) -> _Scored | None:
    """The sentence's score and the cues that fired; None for boilerplate and fragments."""
    table = cue_table()
    tokens = words(sentence)
    if len(tokens) < cues.MIN_WORDS:
        return None
    cache = STEM_CACHE
    stems = [cache[w] if w in cache else stem(w) for w in tokens]
    matched = table.fired(stems)
    if BOILERPLATE in matched or any(symbol in sentence for symbol in table.boilerplate_symbols):
        return None
    score = 0.0
    fired: list[str] = []
    votes: defaultdict[str, float] = defaultdict(float)
    for group, phrases in matched.items():
        if group in table.penalty_names:
            continue
        weight, kind = table.groups[group]
        score += weight
        fired.extend(f"{group}: {p}" for p in phrases)
        if kind:
            votes[kind] += len(phrases)
    content = {s for w, s in zip(tokens, stems) if w not in STOPWORDS and len(w) > 2}
    score += _catalog_cues(tokens, stems, content, model, fired)
    citations = find_citations(sentence)
    if citations:
        score += cues.CITATION_WEIGHT
        fired.append("citation: " + ", ".join(citations))
    for group, phrases in matched.items():
        if group in table.penalty_names:
            score += table.groups[group][0]
            fired.extend(f"{group}: {p}" for p in phrases)
    if sentence.rstrip().endswith("?"):
        score += cues.QUESTION_WEIGHT
        fired.append("question")
    return _Scored(round(score, 2), fired, dict(votes), content, stems, citations)


def _catalog_cues(tokens: list[str], stems: list[str], content: set[str], model: ClaimIndex,
                  fired: list[str]) -> float:
    score = 0.0
    surface = dict(zip(stems, tokens))
    subject = sorted(content & model.subject)
    if subject:
        score += cues.SUBJECT_WEIGHT
        fired.append("subject: " + ", ".join(surface[s] for s in subject))
    known = sorted(content & model.vocabulary)
    if known:
        score += min(cues.VOCABULARY_CAP, cues.VOCABULARY_WEIGHT * len(known))
        fired.append("catalog words: " + ", ".join(surface[s] for s in known))
    return score
