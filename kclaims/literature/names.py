"""People's names in parts (family, given, particle, suffix, or a literal for an organisation):
read from BibTeX and biblatex, written back to BibTeX, and shortened to the catalog's "Surname
Initials" form that `Source.authors` keeps for every reader.
"""

from __future__ import annotations

import re

from kclaims.literature.latex import latex_to_text, text_to_latex
from kclaims.model import NameParts

_BIBLATEX_PART = re.compile(r"^\s*(family|given|prefix|suffix|useprefix|familyi|giveni|prefixi|suffixi)\s*=",
                            re.IGNORECASE)
_BIBLATEX_KEYS = {"family": "family", "given": "given", "prefix": "particle", "suffix": "suffix"}


def bibtex_names(value: str) -> list[NameParts]:
    """A BibTeX name list ("Zarate, Jr, Carlos A. and {World Health Organization} and others") in parts.
    `value` is raw LaTeX: names are split and parsed before their parts are decoded."""
    from bibtexparser.middlewares.names import InvalidNameError, split_multiple_persons_names

    try:
        names = split_multiple_persons_names(value)
    except InvalidNameError:
        names = [value]
    parts = [_one_name(name) for name in names if name.strip() and name.strip().lower() != "others"]
    return [p for p in parts if p]


def _one_name(name: str) -> NameParts:
    from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

    name = name.strip()
    simple = _simple_name(name)
    if simple is not None:
        return simple
    if _is_one_group(name):
        return _clean({"literal": latex_to_text(name)})
    pieces = _split_commas(name)
    if any(_BIBLATEX_PART.match(piece) for piece in pieces):
        return _biblatex_name(pieces)
    try:
        parsed = parse_single_name_into_parts(name, strict=False)
    except InvalidNameError:
        return _clean({"literal": latex_to_text(name)})
    parts = _clean({"family": latex_to_text(" ".join(parsed.last)), "given": latex_to_text(" ".join(parsed.first)),
                    "particle": latex_to_text(" ".join(parsed.von)), "suffix": latex_to_text(" ".join(parsed.jr))})
    if "family" not in parts:  # "{}" or a lone particle: keep what there is as written
        return _clean({"literal": latex_to_text(name)})
    return parts


# "Family, Given Q." or "Given Q. Family": capitalised words only, no braces, escapes or particles,
# the form most names in a library take; bibtexparser's parser would give the same parts
_PLAIN_WORD = r"[A-Z][A-Za-z0-9'.-]*"
_SIMPLE_INVERTED = re.compile(rf"({_PLAIN_WORD}),\s*({_PLAIN_WORD}(?:\s+{_PLAIN_WORD})*)")
_SIMPLE_NATURAL = re.compile(rf"((?:{_PLAIN_WORD}\s+)+)({_PLAIN_WORD})")


def _simple_name(name: str) -> NameParts | None:
    """The parts of a name in the common plain form, without the full parser; None for any other."""
    if "--" in name or "''" in name:  # dashes and quotes the LaTeX decoder turns into others
        return None
    inverted = _SIMPLE_INVERTED.fullmatch(name)
    if inverted:
        return {"family": inverted.group(1), "given": " ".join(inverted.group(2).split())}
    natural = _SIMPLE_NATURAL.fullmatch(name)
    if natural:
        return {"family": natural.group(2), "given": " ".join(natural.group(1).split())}
    return None


def _is_one_group(name: str) -> bool:
    """Whether the whole name is one brace group: {Barnes and Noble}."""
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for index, char in enumerate(name):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and index < len(name) - 1:
            return False
    return True


def _split_commas(name: str) -> list[str]:
    if "{" not in name:
        return name.split(",")
    pieces, depth, start = [], 0, 0
    for index, char in enumerate(name):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            pieces.append(name[start:index])
            start = index + 1
    return pieces + [name[start:]]


def _biblatex_name(pieces: list[str]) -> NameParts:
    """biblatex's extended name format: "family=Maaten, given=Laurens, prefix=van der, useprefix=true"."""
    parts: dict[str, str | None] = {}
    for piece in pieces:
        key, _, value = piece.partition("=")
        name = _BIBLATEX_KEYS.get(key.strip().lower())
        if name:
            parts[name] = latex_to_text(value.strip())
    return _clean(parts)


def _clean(parts: dict[str, str | None]) -> NameParts:
    return {key: value for key, value in parts.items() if value}


def short_name(parts: NameParts) -> str:
    """The catalog's short form: "van der Maaten L", "Zarate Jr. CA"; an organisation as written."""
    if "literal" in parts:
        return parts["literal"]
    surname = " ".join(p for p in (parts.get("particle"), parts.get("family"), parts.get("suffix")) if p)
    initials = "".join(w[0] for w in re.split(r"[\s.\-~]+", parts.get("given", "")) if w and w[0].isalpha()).upper()
    return " ".join(p for p in (surname, initials) if p)


def bibtex_name(parts: NameParts) -> str:
    """One name for a BibTeX name list, that `bibtex_names` reads back into the same parts."""
    if "literal" in parts:
        return "{" + (text_to_latex(parts["literal"]) or "") + "}"
    family = _name_part(parts.get("family", ""), whole=True)
    head = " ".join(p for p in (_name_part(parts.get("particle", "")), family) if p)
    tail = [_name_part(parts[p]) for p in ("suffix", "given") if parts.get(p)]
    if parts.get("suffix") and not parts.get("given"):
        tail.append("")
    return ", ".join([head, *tail])


def _name_part(text: str, whole: bool = False) -> str:
    """A part escaped; braced when BibTeX would split it differently (a lower-case word inside a
    family name, a comma, an "and")."""
    escaped = text_to_latex(text) or ""
    words = text.split()
    risky = "," in text or any(w.lower() == "and" for w in words) or (whole and any(w[:1].islower() for w in words))
    return "{" + escaped + "}" if risky and escaped else escaped


def short_names(names: list[NameParts]) -> list[str]:
    return [n for n in map(short_name, names) if n]


def comma_name(text: str) -> NameParts:
    """A name written "Family, Given[, Suffix]" (RIS, MEDLINE's FAU) in parts; without a comma, a literal
    (RIS and MEDLINE put organisations there whole)."""
    pieces = [p.strip() for p in text.split(",")]
    if len(pieces) < 2 or not pieces[0]:
        return {"literal": text.strip()} if text.strip() else {}
    parts = {"family": pieces[0], "given": pieces[1]}
    if len(pieces) > 2 and pieces[2]:
        parts["suffix"] = pieces[2]
    return _clean(dict(parts))
