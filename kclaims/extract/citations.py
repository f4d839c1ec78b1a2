"""Citation markers in a sentence: [1], [1,2], [1-3], (Author, 2004), superscripts."""

from __future__ import annotations

import re

_NUMBERED = re.compile(r"\[(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]")


_AUTHOR_YEAR = re.compile(
    r"\(((?:[A-Z][A-Za-z'’-]+(?:\s+(?:et\s+al\.?|and|&)\s*(?:[A-Z][A-Za-z'’-]+)?)?,?\s+(?:19|20)\d{2}[a-z]?"
    r"(?:;\s*)?)+)\)"
)


_SUPERSCRIPTS = re.compile(r"(?<=[\w.,;:)\]”’\"])([¹²³⁴⁵⁶⁷⁸⁹⁰]+(?:[,–-][¹²³⁴⁵⁶⁷⁸⁹⁰]+)*)")


_ANY_SUPERSCRIPT = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]")


_SUPERSCRIPT_DIGITS = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")


def find_citations(sentence: str) -> list[str]:
    """Citation markers in a sentence: numbers of [1], [1,2], [2-4] and superscripts; the
    author-year citations of (Cook and Wellman, 2004; Lui et al., 2008)."""
    found: list[str] = []
    if "[" in sentence:
        for match in _NUMBERED.finditer(sentence):
            found.extend(_expand_numbers(match.group(1)))
    if _ANY_SUPERSCRIPT.search(sentence):
        for match in _SUPERSCRIPTS.finditer(sentence):
            found.extend(_expand_numbers(match.group(1).translate(_SUPERSCRIPT_DIGITS)))
    if "(" in sentence:
        for match in _AUTHOR_YEAR.finditer(sentence):
            found.extend(part.strip() for part in match.group(1).split(";") if part.strip())
    return list(dict.fromkeys(found))


def _expand_numbers(text: str) -> list[str]:
    numbers: list[str] = []
    for part in re.split(r"\s*,\s*", text.strip()):
        low, dash, high = _range(part)
        if dash and low.isdigit() and high.isdigit() and 0 < int(high) - int(low) < 50:
            numbers.extend(str(n) for n in range(int(low), int(high) + 1))
        elif part.isdigit():
            numbers.append(str(int(part)))
    return numbers


def _range(part: str) -> tuple[str, str, str]:
    match = re.fullmatch(r"(\d+)\s*([–-])\s*(\d+)", part)
    return (match.group(1), match.group(2), match.group(3)) if match else (part, "", "")
