"""The JSON contract users script against: `{"kclaims": SCHEMA_VERSION, "claims": [...], "sources": [...]}`.

Every `--json` output and `export --format json` serialise through `envelope` here.
Change a key only with a new SCHEMA_VERSION; docs/json.md lists the keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from json.encoder import encode_basestring  # CPython's C function (ensure_ascii=False), where it has one
from typing import Any

from kclaims.grade import source_level
from kclaims.model import Evidence, Grade, Search, Source
from kclaims.catalog.query import ClaimRow

SCHEMA_VERSION = 3  # 3: every --json in the envelope; `source show` claims as records; diff's changed_claims
# 2: rubric 2's strength {verdict, certainty, reasons}, appraisal keys


def claim_record(row: ClaimRow) -> dict[str, Any]:
    """One claim as the contract shapes it."""
    claim = row.claim
    return {
        "id": claim.id,
        "statement": claim.statement,
        "kind": claim.kind,
        "topics": list(claim.topics),
        "quotes": [{"source": q.source, "text": q.text} for q in claim.made_in],
        "evidence": [evidence_record(e) for e in claim.evidence],
        "strength": {"verdict": row.strength.verdict, "certainty": row.strength.certainty,
                     "reasons": list(row.strength.reasons)},
        "grade": grade_record(claim.grade) if claim.grade else None,
        "searched": [searched_record(s) for s in claim.searched],
        "note": claim.note,
    }


def searched_record(search: Search) -> dict[str, Any]:
    """A search recorded for a claim: when, where, what was asked and what it found."""
    return {"on": search.on, "database": search.database, "query": search.query, "screened": search.screened,
            "relevant": search.relevant}


def evidence_record(item: Evidence) -> dict[str, Any]:
    """One link: source, stance, note, and the appraisal keys it records (indirect, certainty)."""
    record: dict[str, Any] = {"source": item.source, "stance": item.stance, "note": item.note}
    if item.indirect:
        record["indirect"] = list(item.indirect)
    if item.certainty:
        record["certainty"] = item.certainty
    return record


def grade_record(grade: Grade) -> dict[str, Any]:
    """A curator's grade: verdict, certainty and why; an old rubric-1 grade keeps its `label`."""
    if grade.label:
        return {"verdict": None, "certainty": None, "label": grade.label, "because": grade.because}
    return {"verdict": grade.verdict, "certainty": grade.certainty, "because": grade.because}


def source_record(source: Source) -> dict[str, Any]:
    """One source as the contract shapes it; `design` and `level` are for a clinical claim."""
    level = source_level(source)
    return {
        "id": source.id,
        "kind": source.kind,
        "title": source.title,
        "authors": list(source.authors),
        "year": source.year,
        "journal": source.journal or source.site,
        "pmid": source.pmid,
        "pmcid": source.pmcid,
        "doi": source.doi,
        "url": source.url,
        "design": level.design,
        "level": level.level,
        "retracted": source.retracted or level.design == "retracted",
        "n": source.n,
        "risk_of_bias": source.risk_of_bias,
        "includes": list(source.includes),
    }


def document(rows: list[ClaimRow], sources: list[Source] | None) -> dict[str, Any]:
    """The parts of `export`, `list --json` and `show --json`; `sources` None leaves the key out."""
    out: dict[str, Any] = {"claims": [claim_record(r) for r in rows]}
    if sources is not None:
        out["sources"] = [source_record(s) for s in sources]
    return out


def export_json(rows: list[ClaimRow], sources: list[Source] | None) -> str:
    """The contract as indented UTF-8 JSON text ending in a newline."""
    return "".join(json_chunks(rows, sources))


def json_chunks(rows: list[ClaimRow], sources: list[Source] | None) -> Iterator[str]:
    """`export_json`'s text a record at a time: each record is made, written and let go in turn."""
    parts: dict[str, Any] = {"claims": JsonArray(rows, claim_text)}
    if sources is not None:
        parts["sources"] = JsonArray(map(source_record, sources))
    return envelope_chunks(parts)


def export_sources_json(sources: list[Source], claims: list[ClaimRow] | None = None,
                        scorecard: dict | None = None) -> str:
    """`source list --json` and `source show --json`: the sources (and, for one source, the claims
    that name it, as claim records) in the same envelope."""
    out: dict[str, Any] = {"sources": [source_record(s) for s in sources]}
    if claims is not None:
        out["claims"] = [claim_record(r) for r in claims]
    if scorecard is not None:
        out["scorecard"] = scorecard  # an article's: kclaims.export.scorecard.scorecard_record
    return envelope(**out)


def envelope(**parts: Any) -> str:
    """Every command's --json: `{"kclaims": SCHEMA_VERSION, **parts}` as indented UTF-8 JSON text
    ending in a newline. A top-level `claims` is always claim records, `sources` source records."""
    return "".join(envelope_chunks(parts))


def envelope_chunks(parts: Mapping[str, Any]) -> Iterator[str]:
    """`envelope`'s text in pieces. A part given as a `JsonArray`, or as an iterator (a generator, a
    `map`) rather than a list, is written an item at a time, so a long one is never held whole."""
    separator = "{\n  "
    for key, value in {"kclaims": SCHEMA_VERSION, **parts}.items():
        yield f"{separator}{encode_basestring(key)}: "
        separator = ",\n  "
        if isinstance(value, Iterator):
            value = JsonArray(value)
        if isinstance(value, JsonArray):
            yield from value.chunks(INDENT)
        else:
            yield json_text(value, INDENT)
    yield "\n}\n"


class JsonArray:
    """A JSON array whose items are written one at a time as the text is wanted: each by `write(item,
    pad)` (default `json_text`), so only one item's text is held."""

    def __init__(self, items: Iterable[Any], write: Callable[[Any, str], str] | None = None):
        self.items = items
        self.write = write or json_text

    def chunks(self, pad: str = "") -> Iterator[str]:
        """The array as indented JSON text placed at `pad`, an item at a time."""
        inner = pad + INDENT
        separator = "[\n" + inner
        for item in self.items:
            yield separator + self.write(item, inner)
            separator = ",\n" + inner
        yield "[]" if separator.startswith("[") else "\n" + pad + "]"


# --- indented JSON, fast -----------------------------------------------------------------------------
# json.dumps(indent=2) runs the pure-Python encoder (CPython 3.11's C encoder cannot indent): at
# 10,000 claims it took longer than loading the catalog. `json_text` writes the same text, with
# the C string encoder escaping every string; what it does not know, json.dumps writes.

INDENT = "  "


def json_text(value: Any, pad: str = "") -> str:
    """`value` exactly as `json.dumps(value, ensure_ascii=False, indent=2)` writes it, each line after
    the first starting with `pad` (where a value nested in a larger document is placed)."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is dict:
        return _object_text(value, pad)
    if kind is list or kind is tuple:
        return _array_text(value, pad)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    return _dumps(value, pad)


def _object_text(value: dict, pad: str) -> str:
    if not value:
        return "{}"
    inner = pad + INDENT
    members = []
    for key, item in value.items():
        if type(key) is not str:  # json.dumps turns numbers, booleans and None into keys its own way
            return _dumps(value, pad)
        kind = type(item)  # the common kinds here, without a call: this runs for every value of every record
        if kind is str:
            members.append(f"{encode_basestring(key)}: {encode_basestring(item)}")
        elif item is None:
            members.append(f"{encode_basestring(key)}: null")
        else:
            members.append(f"{encode_basestring(key)}: {json_text(item, inner)}")
    return "{\n" + inner + (",\n" + inner).join(members) + "\n" + pad + "}"


def _array_text(value: list | tuple, pad: str) -> str:
    if not value:
        return "[]"
    inner = pad + INDENT
    items = None
    if type(value[0]) is str:
        try:
            items = list(map(encode_basestring, value))  # a list of strings (most are): all in C
        except TypeError:
            pass
    if items is None:
        items = [json_text(item, inner) for item in value]
    return "[\n" + inner + (",\n" + inner).join(items) + "\n" + pad + "]"


def claim_text(row: ClaimRow, pad: str = "") -> str:
    """`json_text(claim_record(row), pad)`, written straight from the row: `list --json` writes one per
    claim, and making each record's dicts only to walk them again took most of its time. The keys
    and their order are claim_record's; tests/test_export_streaming.py holds the two to one text."""
    claim, strength = row.claim, row.strength
    p1 = pad + INDENT
    p2 = p1 + INDENT
    p3 = p2 + INDENT
    quotes = [f'{{\n{p3}"source": {encode_basestring(q.source)},\n{p3}"text": {encode_basestring(q.text)}\n{p2}}}'
              for q in claim.made_in]
    evidence = [_evidence_text(item, p2) for item in claim.evidence]
    grade = json_text(grade_record(claim.grade), p1) if claim.grade else "null"
    searched = json_text([searched_record(s) for s in claim.searched], p1)
    return (f'{{\n{p1}"id": {encode_basestring(claim.id)},\n{p1}"statement": {encode_basestring(claim.statement)},\n'
            f'{p1}"kind": {encode_basestring(claim.kind)},\n{p1}"topics": {_strings_text(claim.topics, p1)},\n'
            f'{p1}"quotes": {_items_text(quotes, p1)},\n{p1}"evidence": {_items_text(evidence, p1)},\n'
            f'{p1}"strength": {{\n{p2}"verdict": {encode_basestring(strength.verdict)},\n'
            f'{p2}"certainty": {_string_or_null(strength.certainty)},\n'
            f'{p2}"reasons": {_strings_text(strength.reasons, p2)}\n{p1}}},\n'
            f'{p1}"grade": {grade},\n{p1}"searched": {searched},\n{p1}"note": {_string_or_null(claim.note)}\n{pad}}}')


def _evidence_text(item: Evidence, pad: str) -> str:
    """`json_text(evidence_record(item), pad)`."""
    inner = pad + INDENT
    text = (f'{{\n{inner}"source": {encode_basestring(item.source)},\n{inner}"stance": {encode_basestring(item.stance)},\n'
            f'{inner}"note": {encode_basestring(item.note)}')
    if item.indirect:
        text += f',\n{inner}"indirect": {_strings_text(item.indirect, inner)}'
    if item.certainty:
        text += f',\n{inner}"certainty": {encode_basestring(item.certainty)}'
    return text + "\n" + pad + "}"


def _strings_text(values: Iterable[str], pad: str) -> str:
    inner = pad + INDENT
    text = (",\n" + inner).join(map(encode_basestring, values))
    return "[\n" + inner + text + "\n" + pad + "]" if text else "[]"


def _items_text(texts: list[str], pad: str) -> str:
    inner = pad + INDENT
    return "[\n" + inner + (",\n" + inner).join(texts) + "\n" + pad + "]" if texts else "[]"


def _string_or_null(text: str | None) -> str:
    return "null" if text is None else encode_basestring(text)


def _dumps(value: Any, pad: str) -> str:
    """The standard library's text, placed at `pad` (a JSON string never holds a raw line break)."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + pad)


def search_record(database: str, query: str, total: int, hits: list[Any]) -> dict[str, Any]:
    """A search (`search --json`, `claim find --json`): the query as sent and each result as a source
    record (id empty, or the catalog's id when `in_catalog`) with its abstract."""
    results = []
    for hit in hits:
        record = source_record(hit.source)
        record.update({"id": hit.in_catalog, "in_catalog": hit.in_catalog is not None, "abstract": hit.abstract})
        results.append(record)
    return {"database": database, "query": query, "total": total, "results": results}
