"""Citation markers in a sentence: [1], [1,2], [1-3], (1,2), (1–3), (Author, 2004), Author (2004),
superscripts, and a number glued to a sentence's last stop ("adults.1", a superscript that lost
its markup in a text snapshot)."""

from __future__ import annotations

import re

_NUMBERED = re.compile(r"\[(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]")


# (1,2) and (1–3): a list or a range. A lone "(1)" counts only closing a clause ("pain (1).")
# since "(1) rest, (2) fluids" enumerates.
_PARENTHESISED = re.compile(r"\((\d{1,3}(?:\s*[,–-]\s*\d{1,3})+)\)|(?<=[\w.])\s?\((\d{1,3})\)(?=[.,;:]|\s*$)")


# A surname, with its particles: "Cook", "O'Brien", "van der Maaten", "de la Cruz".
_SURNAME = r"(?:(?:van|von|der|den|de|del|della|da|di|du|dos|la|le|ten|ter|al|el)\s+)*[A-Z][A-Za-z'’-]+"


_AUTHORS = rf"{_SURNAME}(?:\s+et\s+al\.?|\s+(?:and|&)\s+{_SURNAME}|(?:,\s+{_SURNAME})+,?\s+(?:and|&)\s+{_SURNAME})?"


_YEAR = r"(?:19|20)\d{2}[a-z]?"


_AUTHOR_YEAR = re.compile(rf"\(((?:{_AUTHORS},?\s+{_YEAR}(?:;\s*)?)+)\)")


_MONTHS = "(?:January|February|March|April|May|June|July|August|September|October|November|December)"


# "Smith et al. (2010) showed": the authors in the sentence, the year in parentheses.
_NARRATIVE = re.compile(rf"(?<![\w(])(?!{_MONTHS}\b)({_AUTHORS})\s+\(({_YEAR})\)")


_GLUED = re.compile(r"(?<=[a-z)][.!?])(\d{1,3}(?:[,–-]\d{1,3})*)$")


_SUPERSCRIPTS = re.compile(r"(?<=[\w.,;:)\]”’\"])([¹²³⁴⁵⁶⁷⁸⁹⁰]+(?:[,–-][¹²³⁴⁵⁶⁷⁸⁹⁰]+)*)")


_ANY_SUPERSCRIPT = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]")


_SUPERSCRIPT_DIGITS = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")


def find_citations(sentence: str) -> list[str]:
    """Citation markers in a sentence: numbers of [1], [1,2], [2-4], (1,2), (1–3), superscripts
    and a number glued to the last stop ("adults.1"); the author-year citations of (Cook and
    Wellman, 2004; Lui et al., 2008) and of "Smith et al. (2010) showed", as "Smith et al., 2010"."""
    found: list[str] = []
    if "[" in sentence:
        for match in _NUMBERED.finditer(sentence):
            found.extend(_expand_numbers(match.group(1)))
    if _ANY_SUPERSCRIPT.search(sentence):
        for match in _SUPERSCRIPTS.finditer(sentence):
            found.extend(_expand_numbers(match.group(1).translate(_SUPERSCRIPT_DIGITS)))
    if "(" in sentence:
        found.extend(_parenthesised(sentence))
    glued = _GLUED.search(sentence.rstrip())
    if glued:
        found.extend(_expand_numbers(glued.group(1).replace("–", "-")))
    return list(dict.fromkeys(found))


def _parenthesised(sentence: str) -> list[str]:
    """Numbers in parentheses and author-year citations, in the order they appear."""
    found: list[tuple[int, list[str]]] = []
    for match in _PARENTHESISED.finditer(sentence):
        found.append((match.start(), _expand_numbers(match.group(1) or match.group(2))))
    for match in _AUTHOR_YEAR.finditer(sentence):
        found.append((match.start(), [part.strip() for part in match.group(1).split(";") if part.strip()]))
    for match in _NARRATIVE.finditer(sentence):
        found.append((match.start(), [f"{match.group(1)}, {match.group(2)}"]))
    return [marker for _, markers in sorted(found, key=lambda item: item[0]) for marker in markers]


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
