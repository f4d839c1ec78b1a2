"""Markdown to text: markup blanked out in place, so offsets still point into the file."""

from __future__ import annotations

import re

from kclaims.extract.article import Article, Link, merged_spans

_MD_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)


_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")


_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((\S+?)(?:\s+\"[^\"\n]*\")?\)")


_MD_REFLINK = re.compile(r"\[([^\]\n]+)\]\[([^\]\n]*)\]")


_MD_FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\]")


_MD_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")


_MD_LINE_MARKUP = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>+[ \t]?|[-*+][ \t]+)", re.MULTILINE)


_MD_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$", re.MULTILINE)


_MD_RULE = re.compile(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.MULTILINE)


_MD_EMPHASIS = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S))|((?<=\S)(?:\*\*|__)|(?<=\S)[*_](?!\w))")


_MD_CODE_TICKS = re.compile(r"`+")


_MD_TAG = re.compile(r"</?[a-zA-Z][^>\n]*>")


class _Markup:
    """Markdown's replacements, each the length of what it replaces; remembers the spans it wrote
    that are not the article's words (blanked markup, "[1]" for a footnote mark)."""

    def __init__(self) -> None:
        self.inserted: list[tuple[int, int]] = []
        self.links: list[Link] = []

    def blank(self, match: re.Match[str]) -> str:
        self.inserted.append(match.span())
        return re.sub(r"[^\n]", " ", match.group(0))

    def _keep(self, match: re.Match[str], kept: str, tail: str = "") -> str:
        """`kept` (the article's words) moved to the match's start, then `tail` and padding."""
        self.inserted.append((match.start() + len(kept), match.end()))
        replaced = kept + tail
        return replaced + " " * (len(match.group(0)) - len(replaced))

    def link(self, match: re.Match[str]) -> str:
        anchor = match.group(1)
        self.links.append(Link(match.start(), match.start() + len(anchor), match.group(2)))
        return self._keep(match, anchor)

    def reference_link(self, match: re.Match[str]) -> str:
        """`[words][3]` reads as "words[3]": a numbered reference link is a citation marker."""
        anchor, label = match.group(1), match.group(2)
        return self._keep(match, anchor, f"[{label}]" if label.isdigit() else "")

    def footnote(self, match: re.Match[str]) -> str:
        return self._keep(match, "", f"[{match.group(1)}]")

    def autolink(self, match: re.Match[str]) -> str:
        self.inserted += [(match.start(), match.start() + 1), (match.end() - 1, match.end())]
        return f" {match.group(1)} "


def markdown_to_text(markdown: str) -> Article:
    """Markdown with its markup replaced by spaces, so the text keeps the file's offsets;
    links keep their text (and are returned with their URL), footnote marks become [n]."""
    markup = _Markup()
    text = _MD_FENCE.sub(markup.blank, markdown)
    text = _MD_IMAGE.sub(markup.blank, text)
    text = _MD_LINK.sub(markup.link, text)
    text = _MD_REFLINK.sub(markup.reference_link, text)
    text = _MD_FOOTNOTE.sub(markup.footnote, text)
    text = _MD_AUTOLINK.sub(markup.autolink, text)
    for pattern in (_MD_RULE, _MD_LINE_MARKUP, _MD_CLOSING_HASHES, _MD_EMPHASIS, _MD_CODE_TICKS, _MD_TAG):
        text = pattern.sub(markup.blank, text)
    return Article(text, "markdown", markup.links, merged_spans(markup.inserted))
