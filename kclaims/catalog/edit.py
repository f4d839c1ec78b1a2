"""Changes to a catalog: add a claim, quote it, link evidence, grade it, enter a source by hand.

Each change takes the catalog's lock, loads it strictly, checks the arguments against it, edits
the one file it touches in round-trip mode and validates the result before writing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from kclaims.catalog.files import Catalog, load_catalog, parse_claims, parse_source, read_catalog_text
from kclaims.catalog.writing import catalog_lock, edit_yaml, flow_list, new_yaml_file
from kclaims.errors import BadInput
from kclaims.catalog.check import check_quote
from kclaims.catalog.layout import KeepingGaps
from kclaims.text import shorten
from kclaims.catalog.source_file import source_yaml
from kclaims.vocabulary import CERTAINTIES, CLAIM_KINDS, INDIRECTNESS, STANCES, VERDICTS
from kclaims.model import (
    Claim,
    Evidence,
    Grade,
    Invalid,
    Source,
    certainty_problem,
    check_id,
    is_windows_device,
    windows_safe,
    claim_from_dict,
    source_from_dict,
)


def add_claim(root: Path, claim: Claim, checked: bool = True) -> Claim:
    """Append a new claim to claims.yaml; its id must be new, its sources known and (checked) its
    quotes verbatim in their articles' snapshots."""
    check_claim_fields(claim)
    with catalog_lock(root):
        catalog = load_catalog(root)
        if any(c.id == claim.id for c in catalog.claims):
            raise BadInput(f"a claim with id {claim.id!r} already exists; use 'kclaims claim quote' to add words to it")
        for source_id in claim.source_ids():
            catalog.source(source_id)
        for quote in claim.made_in if checked else []:
            require_verbatim(catalog, quote.source, quote.text)
        with editing_claims(catalog) as claims:
            claims.append(claim_to_yaml(claim))
    return claim


def add_quote(root: Path, claim_id: str, source_id: str, text: str, checked: bool = True) -> bool:
    """Add an article's words for a claim; False if that exact quote was already recorded. Checked
    (the default): words that are not in the article's text snapshot are refused, naming the
    nearest passage."""
    text = required_text(text, "quote")
    with catalog_lock(root):
        catalog = load_catalog(root)
        claim = catalog.claim(claim_id)
        catalog.source(source_id)
        if checked:
            require_verbatim(catalog, source_id, text)
        if any(q.source == source_id and q.text == text for q in claim.made_in):
            return False
        with editing_claims(catalog) as claims:
            list_in(find_entry(claims, claim_id), "made_in").append({"source": source_id, "quote": text})
    return True


def add_quotes_and_claims(root: Path, source_id: str, quotes: list[tuple[str, str]],
                          claims: list[Claim]) -> list[bool]:
    """Record many of one article's quotes (claim id, words) and new claims in one write of
    claims.yaml: all or nothing. Returns, per quote, False if those exact words were already there."""
    for claim in claims:
        check_claim_fields(claim)
    with catalog_lock(root):
        catalog = load_catalog(root)
        catalog.source(source_id)
        taken = {c.id for c in catalog.claims}
        for claim in claims:
            if claim.id in taken:
                raise BadInput(f"a claim with id {claim.id!r} already exists")
            taken.add(claim.id)
        recorded = {claim_id: {(q.source, q.text) for q in catalog.claim(claim_id).made_in} for claim_id, _ in quotes}
        added = []
        with editing_claims(catalog) as document:
            for claim_id, text in quotes:
                new = (source_id, text) not in recorded[claim_id]
                if new:
                    list_in(find_entry(document, claim_id), "made_in").append({"source": source_id, "quote": text})
                    recorded[claim_id].add((source_id, text))
                added.append(new)
            document.extend(claim_to_yaml(claim) for claim in claims)
    return added


def link_evidence(root: Path, claim_id: str, source_id: str, stance: str, note: str = "",
                  indirect: list[str] | None = None, certainty: str | None = None) -> Evidence | None:
    """Link a source to a claim with a stance (and the rubric's appraisal keys: how the source is
    indirect, the certainty a review reports). Linking a source again replaces its link, in place:
    stance, note, indirect and certainty are what this call gives. Returns the link it replaced."""
    if stance not in STANCES:
        raise BadInput(f"stance {stance!r} is not one of: {', '.join(STANCES)}")
    for way in indirect or []:
        if way not in INDIRECTNESS:
            raise BadInput(f"--indirect {way!r} is not one of: {', '.join(INDIRECTNESS)}")
    if certainty is not None and certainty not in CERTAINTIES:
        raise BadInput(f"--certainty {certainty!r} is not one of: {', '.join(CERTAINTIES)}")
    fields = evidence_entry(source_id, stance, note.strip(), indirect or [], certainty)
    with catalog_lock(root):
        catalog = load_catalog(root)
        claim = catalog.claim(claim_id)
        catalog.source(source_id)
        existing = next((i for i, e in enumerate(claim.evidence) if e.source == source_id), None)
        with editing_claims(catalog) as claims:
            evidence = list_in(find_entry(claims, claim_id), "evidence")
            if existing is None:
                evidence.append(fields)
            else:
                replace_keys(evidence[existing], fields)
    return None if existing is None else claim.evidence[existing]


def replace_keys(entry: Any, fields: dict[str, Any]) -> None:
    """Make a round-trip mapping hold exactly `fields`: changed keys in place (comments beside them
    stay), keys not given removed, new ones appended."""
    for key in [k for k in entry if k not in fields]:
        del entry[key]
    for key, value in fields.items():
        entry[key] = value


def set_grade(root: Path, claim_id: str, verdict: str, certainty: str | None, because: str) -> Grade | None:
    """Record a curator's verdict and certainty beside the computed ones; the reason is required.
    A rubric-1 `label` is replaced. Returns the grade it replaced, if any, so the caller can say so."""
    if verdict not in VERDICTS:
        raise BadInput(f"verdict {verdict!r} is not one of: {', '.join(VERDICTS)}")
    if certainty is not None and certainty not in CERTAINTIES:
        raise BadInput(f"certainty {certainty!r} is not one of: {', '.join(CERTAINTIES)}")
    because = required_text(because, "because")
    problem = certainty_problem(verdict, certainty)
    if problem:
        raise BadInput(problem.replace(f"remove 'certainty: {certainty}'", "leave out --certainty")
                       .replace("needs its certainty", "needs --certainty"))
    fields = {"verdict": verdict, **({"certainty": certainty} if certainty else {}), "because": because}
    with catalog_lock(root):
        catalog = load_catalog(root)
        previous = catalog.claim(claim_id).grade
        with editing_claims(catalog) as claims:
            entry = find_entry(claims, claim_id)
            grade = entry.get("grade")
            if isinstance(grade, dict):  # a round-trip mapping: change it in place
                _regrade_in_place(grade, verdict, certainty, because)
            else:
                entry["grade"] = fields
    return previous


def new_source(root: Path, fields: dict[str, Any]) -> Source:
    """Write sources/<id>.yaml for a source entered by hand; the id must be new, and a file name on
    every system (not a Windows device name such as con or aux)."""
    source_id = str(fields.get("id") or "")
    if is_windows_device(source_id):
        raise BadInput(f"{source_id!r} cannot be a file name on Windows (a device name): "
                       f"choose another id, e.g. {windows_safe(source_id.lower())}")
    data = {key: value for key, value in fields.items() if value not in (None, "", [])}
    data.setdefault("retrieved", dt.date.today().isoformat())
    try:
        source = source_from_dict(data)
    except Invalid as error:
        raise BadInput(error.message) from None
    with catalog_lock(root):
        catalog = load_catalog(root)
        if source.id in catalog.sources:
            raise BadInput(f"a source with id {source.id!r} already exists")
        unknown = [i for i in source.includes if i not in catalog.sources]
        if unknown:
            raise BadInput(f"'includes' names {unknown[0]!r}, which is not another source of the catalog")
        path = catalog.sources_dir / f"{source.id}.yaml"
        catalog.sources_dir.mkdir(exist_ok=True)
        new_yaml_file(path, source_yaml(source))
        parse_source(read_catalog_text(path), path)
    return source


def require_verbatim(catalog: Catalog, source_id: str, text: str) -> None:
    """BadInput, with the nearest passage, when the words are not in the source's text snapshot
    (a source without a snapshot cannot be checked, and passes)."""
    result = check_quote(catalog, source_id, text)
    if result.found is False:
        raise BadInput(f"these words are not in sources/{source_id}.txt; the nearest passage is "
                       f"{shorten(result.nearest, 160)!r} (copy the words exactly, or pass --unchecked)")


# --- helpers ---------------------------------------------------------------------------------


def check_claim_fields(claim: Claim) -> None:
    try:
        claim_from_dict(plain_claim(claim))
    except Invalid as error:
        raise BadInput(error.message) from None
    if claim.kind not in CLAIM_KINDS:
        raise BadInput(f"kind {claim.kind!r} is not one of: {', '.join(CLAIM_KINDS)}")


def required_text(text: str | None, name: str) -> str:
    if not text or not text.strip():
        raise BadInput(f"'{name}' must not be empty")
    return text.strip()


class editing_claims:
    """Context manager: the `claims:` list of claims.yaml, validated and written on exit. The gap
    after each claim (blank line, section comment) stays before the next, whatever the edit did."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._context: Any = None
        self._gaps: KeepingGaps | None = None

    def __enter__(self) -> Any:
        path = self.catalog.claims_path
        self._context = edit_yaml(path, lambda text: parse_claims(text, path, strict=True))
        document = self._context.__enter__()
        if document is None:
            raise BadInput("has no 'claims:' list; add 'claims: []' first", path)
        if document.get("claims") is None:  # `claims:` with nothing under it yet
            document["claims"] = []
        self._gaps = KeepingGaps(document["claims"])
        return document["claims"]

    def __exit__(self, *exc: Any) -> Any:
        if exc[0] is None and self._gaps is not None:
            self._gaps.restore()
        return self._context.__exit__(*exc)


def list_in(entry: Any, key: str) -> Any:
    """The list under `key` of a claim mapping, made if missing or left empty (`evidence:`)."""
    if entry.get(key) is None:
        entry[key] = []
    return entry[key]


def find_entry(claims: Any, claim_id: str) -> Any:
    for entry in claims:
        if isinstance(entry, dict) and entry.get("id") == claim_id:
            return entry
    raise BadInput(f"no claim with id {claim_id!r}")


def evidence_entry(source_id: str, stance: str, note: str, indirect: list[str] | None = None,
                    certainty: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"source": source_id, "stance": stance}
    if note:
        entry["note"] = note
    if indirect:
        entry["indirect"] = flow_list(list(indirect))
    if certainty:
        entry["certainty"] = certainty
    return entry


def plain_claim(claim: Claim) -> dict[str, Any]:
    data: dict[str, Any] = {"id": claim.id, "statement": claim.statement, "kind": claim.kind,
                            "topics": list(claim.topics)}
    data["made_in"] = [{"source": q.source, "quote": q.text} for q in claim.made_in]
    data["evidence"] = [evidence_entry(e.source, e.stance, e.note, e.indirect, e.certainty) for e in claim.evidence]
    if claim.grade:
        data["grade"] = _grade_entry(claim.grade)
    if claim.note:
        data["note"] = claim.note
    return data


def _regrade_in_place(grade: Any, verdict: str, certainty: str | None, because: str) -> None:
    """Change a grade's keys where they stand, so comments beside them stay; a rubric-1 `label`
    becomes `verdict` in its place."""
    if "label" in grade and "verdict" not in grade:
        grade.insert(list(grade).index("label"), "verdict", verdict)
        del grade["label"]
    else:
        grade["verdict"] = verdict
    if certainty and "certainty" not in grade:
        grade.insert(list(grade).index("verdict") + 1, "certainty", certainty)
    elif certainty:
        grade["certainty"] = certainty
    else:
        grade.pop("certainty", None)
    grade["because"] = because


def _grade_entry(grade: Grade) -> dict[str, Any]:
    if grade.label:
        return {"label": grade.label, "because": grade.because}
    return {"verdict": grade.verdict, **({"certainty": grade.certainty} if grade.certainty else {}),
            "because": grade.because}


def claim_to_yaml(claim: Claim) -> dict[str, Any]:
    data = plain_claim(claim)
    data["topics"] = flow_list(data["topics"])
    return data


def validate_new_id(value: str) -> str:
    """Return `value` if it can be a claim or source id, else raise BadInput saying the rule."""
    try:
        return check_id(value, ())
    except Invalid as error:
        raise BadInput(error.message) from None

def year_of_date(date: str) -> int:
    """The year of a YYYY, YYYY-MM or YYYY-MM-DD date that exists on the calendar."""
    padded = {4: "-01-01", 7: "-01", 10: ""}.get(len(date))
    try:
        if padded is None:
            raise ValueError
        return dt.date.fromisoformat(date + padded).year
    except ValueError:
        raise BadInput(f"--date {date!r} is not a date like 2020-09-01, 2020-09 or 2020") from None
