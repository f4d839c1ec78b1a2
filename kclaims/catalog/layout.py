"""Keep the blank lines and comments that separate claims where they are while a claim changes.

ruamel.yaml attaches the gap after a claim (a blank line, often a section comment) to the deepest
last key or item of that claim. Appending a key, adding an item at the end of a list or removing
the last one would move the gap inside the claim or drop it. So an edit takes each claim's tail
off first (`detach_tail`) and puts it back on whatever is last afterwards (`attach_tail`).

Duck-typed over ruamel's round-trip containers (`.ca` comment attributes); files.py makes them.
"""

from __future__ import annotations

from typing import Any

from kclaims.catalog.writing import round_trip_value


def _is_block(node: Any) -> bool:
    """A non-empty block-style mapping or list (flow ones, `[a, b]` and `{k: v}`, are leaves here)."""
    if not isinstance(node, (dict, list)) or not node or not hasattr(node, "ca"):
        return False
    flow = getattr(getattr(node, "fa", None), "flow_style", None)
    return not (callable(flow) and flow())


def _last(node: Any) -> tuple[Any, Any]:
    """The last key (or index) of a container and its value."""
    if isinstance(node, dict):
        key = list(node)[-1]
        return key, node[key]
    return len(node) - 1, node[-1]


def _slot(node: Any) -> int:
    return 2 if isinstance(node, dict) else 0  # a mapping's post-value comment; a list item's comment


def detach_tail(node: Any) -> Any:
    """Remove and return the comment token(s) at the end of `node` (the gap before whatever follows),
    merged into one token; None when there is none."""
    if not _is_block(node):
        return None
    key, value = _last(node)
    found = [detach_tail(value)]
    entry = node.ca.items.get(key)
    if entry and len(entry) > _slot(node) and entry[_slot(node)] is not None:
        found.append(entry[_slot(node)])
        entry[_slot(node)] = None
    end = getattr(node.ca, "end", None)
    if end:  # whole lines after the block; as a post-value comment it must first end the last line
        end[0].value = "\n" + "".join(" " * token.column + token.value if token.value.startswith("#") else token.value
                                       for token in end)
        found.append(end[0])
        node.ca.end = None
    tokens = [token for token in found if token is not None]
    if not tokens:
        return None
    first = tokens[0]
    first.value = "".join(token.value for token in tokens)
    return first


def attach_tail(node: Any, token: Any) -> None:
    """Put `token` (from `detach_tail`) after the last key or item of `node`, however deep."""
    if token is None or not _is_block(node):
        return
    key, value = _last(node)
    if isinstance(value, (dict, list)) and value and not hasattr(value, "ca"):  # a value this edit added
        node[key] = value = round_trip_value(value)
    if _is_block(value):
        attach_tail(value, token)
        return
    if isinstance(value, (dict, list)) and not value and hasattr(value, "fa"):
        value.fa.set_flow_style()  # `evidence: []`, with the gap after it (not between key and value)
    width = 4 if isinstance(node, dict) else 2
    entry = node.ca.items.setdefault(key, [None] * width)
    entry[_slot(node)] = token


def _joined(before: Any, after: Any) -> Any:
    """The gap left where a claim was removed: the comments of both gaps (a section heading before
    the removed claim stays before the next one), else the removed claim's gap."""
    if before is None or "#" not in before.value:
        return after
    if after is None or "#" not in after.value:
        return before
    before.value = before.value + after.value[1:]  # the second gap's first newline ended a line now gone
    return before


def _lead(node: Any, token: Any) -> None:
    """Put the comment lines of a removed first claim's gap (a section heading) before the first item
    of `node`, after any comment already there. Its first line ended the removed claim: it goes."""
    if token is None or "#" not in token.value or not hasattr(node, "ca"):
        return
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    lines = token.value.splitlines(keepends=True)[1:]
    tokens = [CommentToken(line.lstrip(" "), CommentMark(len(line) - len(line.lstrip(" ")))) for line in lines]
    if node.ca.comment is None:
        node.ca.comment = [None, None]
    node.ca.comment += [None] * (2 - len(node.ca.comment))
    if node.ca.comment[1] is None:
        node.ca.comment[1] = []
    node.ca.comment[1].extend(tokens)  # in place: the parent key holds the same list


class KeepingGaps:
    """Detach every claim's tail on entry; on `restore`, give each surviving claim its tail back, and
    the tail of a removed claim to the claim before it (so a section comment stays before the next);
    a removed first claim's, to the head of the list."""

    def __init__(self, claims: Any):
        self.claims = claims
        self.tails = [(entry, detach_tail(entry)) for entry in claims]

    def restore(self) -> None:
        surviving = {id(entry) for entry in self.claims}
        tails: dict[int, tuple[Any, Any]] = {}
        previous: Any = None
        leading: Any = None  # the gaps of removed claims before the first surviving one
        for entry, token in self.tails:
            if id(entry) in surviving:
                tails[id(entry)] = (entry, token)
                previous = entry
            elif previous is not None:
                tails[id(previous)] = (previous, _joined(tails[id(previous)][1], token))
            else:
                leading = _joined(leading, token)
        if previous is not None:
            _lead(self.claims, leading)
        for entry, token in tails.values():
            attach_tail(entry, token)
