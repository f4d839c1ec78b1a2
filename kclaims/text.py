"""The text helpers every package shares: quote normalising, folding, one stopword list.

Pure functions of strings; nothing here imports another kclaims module.
"""

from __future__ import annotations

import re
import unicodedata

# Only typography is forgiven when comparing a quote with its snapshot.
_TYPOGRAPHY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ",
})
_SPACE = re.compile(r"\s+")
# Letters NFKD does not take apart, spelled the way an ASCII file name would.
_ASCII_SPELLING = str.maketrans({"ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
                                 "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "þ": "th", "ı": "i"})

# Words that carry no content: not vocabulary, not matched on, not in generated ids.
STOPWORDS = frozenset("""
a an the of in on for to and or but nor by with without is are was were be been being am can could
may might must shall should will would do does did done has have had having its it it's this that
these those as at from into onto than then there their them they he she his her him we our us you
your i me my which who whom whose what when where why how all any both each few more most other
some such no not only own same so too very just also about above after again against before below
between during over under until up down out off once here further while because if through per
like via one two three many much often well even still yet
""".split())
# Stopwords that still decide what a statement says: "ketamine is not addictive" is not a duplicate
# of "ketamine is addictive".
NEGATIONS = frozenset({"no", "not", "nor", "without", "never"})


def normalise_quote_text(text: str) -> str:
    """Collapse whitespace and map typographic quotes and dashes to plain ones."""
    return _SPACE.sub(" ", text.translate(_TYPOGRAPHY)).strip()


def fold_quote(text: str) -> str:
    """Case, typography and spacing ignored: how a quote is found inside a sentence."""
    return normalise_quote_text(text).casefold()


def ascii_text(text: str) -> str:
    """Lower-case ASCII, accents taken off: "Müller-Lüdenscheidt" -> "muller-ludenscheidt"."""
    text = unicodedata.normalize("NFKD", text.translate(_ASCII_SPELLING))
    return text.encode("ascii", "ignore").decode().lower()


def ascii_letters(text: str) -> str:
    """Lower-case ASCII letters and digits only: "Müller-Lüdenscheidt" -> "mullerludenscheidt"."""
    return re.sub(r"[^a-z0-9]", "", ascii_text(text))


def collapse_spaces(text: str) -> str:
    """Runs of whitespace as one space, ends trimmed."""
    return " ".join(text.split())


def squash(text: str) -> str:
    """Whitespace collapsed and case folded: for comparing headings and titles."""
    return collapse_spaces(text).casefold()


def shorten(text: str, limit: int = 80) -> str:
    """`text` cut to `limit` characters with an ellipsis, for quoting user text in a one-line message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# What a terminal would act on rather than print: escape sequences (CSI "ESC [ ... m", OSC
# "ESC ] ... BEL" that retitles windows or plants links, and the two-byte ones), then single C0 and
# C1 controls, DEL, and the bidirectional embeddings, overrides and isolates that reorder what is
# shown (U+202A-202E, U+2066-2069) so a title can read differently from its bytes.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"                      # CSI
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC up to their terminator
    r"|\x1b[ -/]*[0-~]?"                             # two-byte and nF sequences, or a lone ESC
)
# (also the BOM, a zero-width no-break space nobody means mid-text, and lone surrogates, which only a
# JSON escape can put in a str and no file can hold)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]+")


def printable(text: str, multiline: bool = False) -> str:
    """`text` safe to show on a terminal: escape sequences, control characters and bidi overrides
    removed. One line unless `multiline` (then newlines and tabs are kept; other breaks become one)."""
    if text.isprintable() and (multiline or "\n" not in text):  # the common case: nothing to do
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    else:
        text = _LINE_BREAKS.sub(" ", text)
    return strip_controls(text)


def strip_controls(text: str) -> str:
    """`text` without control characters, bidi overrides, the BOM and lone surrogates (escape
    sequences' printable tails stay: `printable` removes the whole sequence)."""
    return _CONTROLS.sub("", text)
