"""A fast writer of new source files that gives exactly the text ruamel's round-trip dumper gives.

Importing a library writes thousands of new `sources/<id>.yaml` files; ruamel's dumper (events,
serializer, emitter) took most of that time. New files hold only mappings, lists, strings,
integers, booleans and nulls, so this writer lays them out directly with the same rules: the
indentation `files._round_trip` sets (mapping 2, sequence 4 with the dash at 2), inline lists
where the data asks for them, and ruamel's choice of scalar style (plain, 'single', "double").

Where a value falls outside what it mirrors exactly (control characters, line breaks, characters
outside the Basic Multilingual Plane, a line long enough that ruamel would wrap it, a key ruamel
would write in its long form, a float), `dump` returns None and the caller uses ruamel (and checks
what it wrote). One difference is deliberate: a text such as `yes`, which ruamel (YAML 1.2) leaves
unquoted and PyYAML (YAML 1.1, which loads the catalog) reads as true, is quoted, so the file loads. A test
compares the two writers on real records and on generated strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# ruamel wraps a line past its width (files._round_trip sets 4096); keep well inside it
MAX_LINE = 4000
MAX_SIMPLE_KEY = 120  # ruamel writes a key of 128 or more characters in the explicit `? key` form

# Characters every style here can write as they are: printable ASCII and the BMP's printable rest,
# without the byte-order mark and the Unicode line and paragraph separators (which are line breaks).
_UNSAFE = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
# Plain is refused by a leading indicator, a document marker, spaces at either end, `:` followed by a
# space or the end (after the first character), or `#` after a space; in block context also by a
# leading `-`, `?` or `:` followed by a space (or alone); inline, by a leading `- `, a lone `?` or `:`,
# and by `,[]{}` anywhere. (ruamel's Emitter.analyze_scalar, for YAML 1.2.)
_NOT_PLAIN = r"""^[#,\[\]{}&*!|>'"%@`]|^---|^\.\.\.|^ | $|.:(?: |$)| #"""
_NOT_BLOCK_PLAIN = re.compile(_NOT_PLAIN + r"|^[-?:](?: |$)")
_NOT_FLOW_PLAIN = re.compile(_NOT_PLAIN + r"|^-(?: |$)|^[?:]$|[,\[\]{}]")

# Whether a plain scalar with this text reads back as a string; None if the YAML libraries disagree
# The common case, settled in one match: a word-like text no rule above touches (no `:` or `#`,
# nothing special at either end) that a plain scalar can hold in block and inline context alike.
_SIMPLE = re.compile(r"[A-Za-z0-9(][A-Za-z0-9 ().;/'\-]*[A-Za-z0-9).]|[A-Za-z0-9]")

Resolve = Callable[[str], bool | None]


def dump(data: dict[str, Any], is_flow: Callable[[Any], bool], reads_as_string: Resolve) -> str | None:
    """The YAML text of `data` as the round-trip dumper writes it, or None where it cannot say.
    `is_flow(value)` tells which lists are written inline; `reads_as_string` is the resolver's check."""
    writer = _Writer(is_flow, reads_as_string)
    try:
        writer.mapping(data, 0)
    except _Unsure:
        return None
    return "".join(writer.out)


class _Unsure(Exception):
    """A value this writer does not mirror exactly: use ruamel."""


# How each short text was written, per resolver, in block and in inline context: a library's
# names, journals and keywords recur
_WRITTEN: dict[Resolve, tuple[dict[str, str], dict[str, str]]] = {}
_REMEMBERED_LENGTH = 80
_REMEMBERED_TEXTS = 100_000


class _Writer:
    # The hot path of an import: each method lays out whole lines itself rather than call a helper
    # per line or per scalar (a library of 10,000 entries writes 600,000 scalars).

    def __init__(self, is_flow: Callable[[Any], bool], reads_as_string: Resolve):
        self.is_flow = is_flow
        self.reads_as_string = reads_as_string
        self.out: list[str] = []
        self.block, self.flow = _WRITTEN.setdefault(reads_as_string, ({}, {}))

    def mapping(self, data: dict, indent: int, first_prefix: str | None = None) -> None:
        """Each `key: value` line at `indent`; the first line after `first_prefix` (a list's dash)."""
        lead, block = " " * indent, self.block
        for key, value in data.items():
            if type(key) is not str or len(key) >= MAX_SIMPLE_KEY:
                raise _Unsure
            head = f"{first_prefix if first_prefix is not None else lead}{block.get(key) or self.scalar(key, False)}:"
            first_prefix = None
            if type(value) is str:
                line = f"{head} {block.get(value) or self.scalar(value, False)}\n"
                if len(line) > MAX_LINE + 1:  # (as `line` counts it: without the line break)
                    raise _Unsure
                self.out.append(line)
            else:
                self.entry(head, value, indent)

    def entry(self, head: str, value: Any, indent: int) -> None:
        if isinstance(value, dict):
            if not value:
                self.line(f"{head} {{}}")
                return
            self.line(head)
            self.mapping(value, indent + 2)
        elif isinstance(value, list):
            if not value or self.is_flow(value):
                self.line(f"{head} [{', '.join([self.scalar(item, True) for item in value])}]")
                return
            self.line(head)
            self.sequence(value, indent + 2)
        elif value is None:
            self.line(head)
        else:
            self.line(f"{head} {self.scalar(value, False)}")

    def sequence(self, items: list, indent: int) -> None:
        dash = " " * indent + "- "
        for item in items:
            if isinstance(item, dict) and item:
                self.mapping(item, indent + 2, first_prefix=dash)
            elif isinstance(item, (dict, list)) or item is None:
                raise _Unsure  # nested lists, empty mappings and nulls in lists: not in new source files
            else:
                self.line(f"{dash}{self.scalar(item, False)}")

    def line(self, text: str) -> None:
        if len(text) > MAX_LINE:
            raise _Unsure
        self.out.append(text + "\n")

    def scalar(self, value: Any, flow: bool) -> str:
        if type(value) is str:
            written_as = self.flow if flow else self.block
            written = written_as.get(value)
            if written is None:
                written = self.string(value, flow)
                if len(value) <= _REMEMBERED_LENGTH:
                    if len(written_as) >= _REMEMBERED_TEXTS:
                        written_as.clear()
                    written_as[value] = written
            return written
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if not isinstance(value, str):
            raise _Unsure  # floats, dates and other types: ruamel's representers decide
        return self.string(value, flow)

    def string(self, text: str, flow: bool) -> str:
        if _SIMPLE.fullmatch(text) and self._reads_as_string(text):
            return text
        if _UNSAFE.search(text):
            raise _Unsure
        if text and self._plain_allowed(text, flow):
            return text
        if "'" in text:  # ruamel prefers double quotes over doubling a single quote
            return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"'{text}'"

    def _plain_allowed(self, text: str, flow: bool) -> bool:
        if (_NOT_FLOW_PLAIN if flow else _NOT_BLOCK_PLAIN).search(text):
            return False
        return self._reads_as_string(text)

    def _reads_as_string(self, text: str) -> bool:
        # Where the libraries disagree (`yes`: a string to ruamel, true to PyYAML), quote it: ruamel
        # would write it bare, and the file would not load as the record it holds.
        return self.reads_as_string(text) is True
