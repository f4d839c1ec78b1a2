"""The catalog's claims as a word index: vocabulary, subject words, and the best-matching claim."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from kclaims.catalog.check import statement_signature
from kclaims.extract import cues
from kclaims.extract.sentences import content_stems, stem
from kclaims.model import Claim
from kclaims.text import NEGATIONS, fold_quote

# A quote this long that differs from the sentence by a few characters still counts as verbatim.
NEAR_VERBATIM_MIN_CHARS = 30


NEAR_VERBATIM_SCORE = 90.0


NEAR_VERBATIM_COVER = 0.7  # share of a quote's (idf-weighted) words a sentence needs before rapidfuzz looks


# Two statements whose content words (check.statement_signature) overlap this much, with the same
# negations, say nearly the same thing: extraction suggests `kclaims claim merge`. 0.8 lets one word
# in five differ ("... PTSD symptoms" / "... PTSD symptoms in veterans"); a person decides.
NEAR_DUPLICATE_SHARE = 0.8
NEAR_DUPLICATE_MIN_WORDS = 3  # a claim of fewer words is inside too many sentences to be their duplicate


_NOT = frozenset(stem(word) for word in NEGATIONS)


def near_signature(statement: str) -> frozenset[str]:
    """`statement_signature` stemmed, so "reduces" and "reduced" are one word."""
    return frozenset(stem(word) for word in statement_signature(statement))


@dataclass(frozen=True, slots=True)
class Match:
    claim: str
    score: float  # 0-100


class ClaimIndex:
    """What extraction learns from a catalog: its subject, its vocabulary, its topics, and an
    index of every claim's statement and quotes for matching."""

    def __init__(self, claims: list[Claim]):
        self.claims = {claim.id: claim for claim in claims}
        statements = [content_stems(c.statement) for c in claims]
        counts: dict[str, int] = defaultdict(int)
        for stems in statements:
            for s in stems:
                counts[s] += 1
        threshold = max(2, math.ceil(cues.SUBJECT_MIN_SHARE * len(claims)))
        self.subject = {s for s, n in counts.items() if n >= threshold}
        topic_words = {stem(w) for c in claims for t in c.topics for w in t.split("-") if len(w) > 2}
        self.vocabulary = (set(counts) | topic_words) - self.subject
        self.topics = sorted({t for c in claims for t in c.topics})
        self.topic_stems = {t: tuple(stem(w) for w in t.split("-")) for t in self.topics}
        self._index_texts(claims)
        self._index_signatures(claims)

    def _index_signatures(self, claims: list[Claim]) -> None:
        self.signatures = {claim.id: near_signature(claim.statement) for claim in claims}
        self.by_signature_word: dict[str, list[str]] = defaultdict(list)
        for claim_id, signature in self.signatures.items():
            for word in signature:
                self.by_signature_word[word].append(claim_id)

    def near_duplicates(self, statement: str, exclude: str | None = None, sentence: bool = False) -> list[str]:
        """The claims whose statements say nearly what `statement` says (NEAR_DUPLICATE_SHARE of
        their content words shared, the same negations), most alike first. For an article's
        `sentence`, which words around a claim ("A trial has shown that ..."), the share is of the
        claim's words only."""
        signature = near_signature(statement)
        shared: dict[str, int] = defaultdict(int)
        for word in signature:
            for claim_id in self.by_signature_word.get(word, ()):
                shared[claim_id] += 1
        alike = []
        for claim_id, count in shared.items():
            other = self.signatures[claim_id]
            share = count / len(other if sentence else signature | other)
            if sentence and len(other) < NEAR_DUPLICATE_MIN_WORDS:
                continue
            if claim_id != exclude and share >= NEAR_DUPLICATE_SHARE and signature & _NOT == other & _NOT:
                alike.append((-share, claim_id))
        return [claim_id for _, claim_id in sorted(alike)]

    def _index_texts(self, claims: list[Claim]) -> None:
        self.texts: list[tuple[str, str, bool]] = []  # (claim id, text, is a quote)
        for claim in claims:
            self.texts.append((claim.id, claim.statement, False))
            self.texts.extend((claim.id, q.text, True) for q in claim.made_in)
        self.folded = [fold_quote(text) for _, text, _ in self.texts]
        self.is_quote = [quote for _, _, quote in self.texts]
        stems = [content_stems(text) for _, text, _ in self.texts]
        df: dict[str, int] = defaultdict(int)
        for text_stems in stems:
            for s in text_stems:
                df[s] += 1
        total = max(1, len(self.texts))
        self.idf = {s: math.log(1 + total / n) for s, n in df.items()}
        self.unknown_idf = math.log(1 + total)  # a word no claim uses
        common = total / 2
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, text_stems in enumerate(stems):
            for s in text_stems:
                if df[s] <= common:
                    self.postings[s].append(i)
        self.inverse_norms = [1.0 / (sum(self.idf[s] for s in text_stems if df[s] <= common) or 1.0)
                              for text_stems in stems]

    def match(self, sentence: str, stems: set[str]) -> Match | None:
        """The claim this sentence most likely restates, with a 0-100 score, or None below the threshold."""
        best = self.best(sentence, stems, floor=cues.MATCH_THRESHOLD)
        return best if best is not None and best.score >= cues.MATCH_THRESHOLD else None

    def best(self, sentence: str, stems: set[str], floor: float = 0.0) -> Match | None:
        """The best-scoring claim whatever its score (None if no claim shares a content word).

        Score: 100 when one of the claim's quotes is in the sentence word for word; a rapidfuzz
        partial ratio of 90-99 when one nearly is; else the idf-weighted word overlap, as the
        geometric mean of how much of the claim text the sentence covers and how much of the
        sentence the claim text covers (0-100)."""
        idf, postings = self.idf, self.postings
        overlap = [0.0] * len(self.texts)
        touched: set[int] = set()
        sentence_norm = 0.0
        for s in stems:
            weight = idf.get(s)
            if weight is None:
                sentence_norm += self.unknown_idf
                continue
            sentence_norm += weight
            docs = postings.get(s)
            if docs:
                touched.update(docs)
                for i in docs:
                    overlap[i] += weight
        if not touched:
            return None
        inverse_norms, is_quote = self.inverse_norms, self.is_quote
        least_cover = (floor / 100) ** 2  # the word score is at most 100 * sqrt(cover)
        inverse_sentence = 1.0 / (sentence_norm or 1.0)
        best, best_score = -1, -1.0
        folded: str | None = None
        for i in touched:
            o = overlap[i]
            cover = o * inverse_norms[i]
            if cover < least_cover:
                continue
            share = o * inverse_sentence
            score = 100.0 * (cover * (share if share < 1.0 else 1.0)) ** 0.5
            if cover >= NEAR_VERBATIM_COVER and is_quote[i]:  # most of the quote's words are there
                folded = folded if folded is not None else fold_quote(sentence)
                verbatim = self._verbatim(i, folded)
                score = verbatim if verbatim > score else score
            if score > best_score:
                best, best_score = i, score
        if best < 0:
            return None
        return Match(self.texts[best][0], round(best_score, 1))

    def _verbatim(self, i: int, folded: str) -> float:
        """100 if the quote is in the sentence; 90-99 if nearly (rapidfuzz); else 0."""
        quote = self.folded[i]
        if quote in folded:
            return 100.0
        if len(quote) < NEAR_VERBATIM_MIN_CHARS:
            return 0.0
        from rapidfuzz import fuzz

        return min(fuzz.partial_ratio(quote, folded, score_cutoff=NEAR_VERBATIM_SCORE), 99.0)
