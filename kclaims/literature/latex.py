"""LaTeX in bibliography values: decoded to Unicode on the way in (pylatexenc, the only module that
imports it), escaped and case-protected on the way out, so that what is written reads back the same.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Any

from kclaims.text import printable

# Only values with one of these need the full decoder; the rest only lose their braces (most values,
# so a 10,000-entry file is not slowed by the decoder).
_NEEDS_DECODER = re.compile(r"[\\$~]|--|``|''")
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")  # a comment in LaTeX, a percent sign in a .bib value
_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
             "_": r"\_", "~": r"\textasciitilde{}", "^": r"\^{}"}
_SPECIALS_RE = re.compile(r"[\\{}&%$#_~^]")
_CARET = "\ue000"  # `\^{}` is a caret in LaTeX and Pandoc, nothing in pylatexenc: kept past it
_DASHES_RE = re.compile(r"-(?=-)")  # "--" typed in Unicode text stays two hyphens: "-{}-"
_QUOTES_RE = re.compile(r"(`(?=`)|'(?='))")


@cache
def _converter() -> Any:
    from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


@cache
def _macros() -> Any:
    """pylatexenc's table of LaTeX macros, built once: it would build it again for every value."""
    from pylatexenc.latexwalker import get_default_latex_context_db  # type: ignore[import-untyped]

    return get_default_latex_context_db()


@lru_cache(maxsize=8192)
def _decoded(text: str) -> str:
    """pylatexenc's reading of a value (names and journals recur across a library: each read once)."""
    return _converter().latex_to_text(text, latex_context=_macros())


def latex_to_text(value: str | None) -> str | None:
    """Readable Unicode from a BibTeX value: accents, escapes, dashes, quotes and math decoded, braces
    and markup gone, whitespace collapsed, terminal controls and bidi overrides dropped."""
    if value is None:
        return None
    text = printable(value)
    if _NEEDS_DECODER.search(text):
        try:
            text = _UNESCAPED_PERCENT.sub(r"\\%", text).replace(r"\^{}", _CARET)
            text = _decoded(text).replace(_CARET, "^")
        except Exception:  # pylatexenc is lenient; a value it still cannot read is kept as written
            text = text.replace("{", "").replace("}", "")
    else:
        text = text.replace("{", "").replace("}", "")
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text or None


def text_to_latex(text: str | None, protect_case: bool = False) -> str | None:
    """A BibTeX value that `latex_to_text` reads back as `text`. With `protect_case`, words with a
    capital after their first letter (NMDA, mRNA, N-Methyl-D-Aspartate) are braced, so a style or
    Pandoc's sentence-casing keeps them as written."""
    if not text:
        return None
    if not protect_case:
        return _escape(text)
    return "".join(f"{{{_escape(word)}}}" if _needs_protection(word) else _escape(word)
                   for word in re.split(r"(\s+)", text))


def _escape(text: str) -> str:
    text = _SPECIALS_RE.sub(lambda m: _SPECIALS[m.group(0)], text)
    return _QUOTES_RE.sub(r"\1{}", _DASHES_RE.sub("-{}", text))


def _needs_protection(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return any(c.isupper() for c in letters[1:])
