"""Changes to a catalog: add a claim, quote it, link evidence, grade it, enter a source by hand.

Each change takes the catalog's lock, loads it strictly, checks the arguments against it, edits
the one file it touches in round-trip mode and validates the result before writing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from kclaims.catalog.files import (
    Catalog,
    catalog_lock,
    edit_yaml,
    flow_list,
    load_catalog,
    new_yaml_file,
    parse_claims,
    parse_source,
    read_catalog_text,
)
from kclaims.errors import BadInput
from kclaims.catalog.source_file import source_yaml
from kclaims.vocabulary import CERTAINTIES, CLAIM_KINDS, STANCES, VERDICTS
from kclaims.model import (
    Claim,
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


def add_claim(root: Path, claim: Claim) -> Claim:
    """Append a new claim to claims.yaml; its id must be new and its sources known."""
    _check_claim_fields(claim)
    with catalog_lock(root):
        catalog = load_catalog(root)
        if any(c.id == claim.id for c in catalog.claims):
            raise BadInput(f"a claim with id {claim.id!r} already exists; use 'kclaims claim quote' to add words to it")
        for source_id in claim.source_ids():
            catalog.source(source_id)
        with _editing_claims(catalog) as claims:
            claims.append(_claim_to_yaml(claim))
    return claim


def add_quote(root: Path, claim_id: str, source_id: str, text: str) -> bool:
    """Add an article's words for a claim; False if that exact quote was already recorded."""
    text = _required_text(text, "quote")
    with catalog_lock(root):
        catalog = load_catalog(root)
        claim = catalog.claim(claim_id)
        catalog.source(source_id)
        if any(q.source == source_id and q.text == text for q in claim.made_in):
            return False
        with _editing_claims(catalog) as claims:
            _list_in(_find(claims, claim_id), "made_in").append({"source": source_id, "quote": text})
    return True


def add_quotes_and_claims(root: Path, source_id: str, quotes: list[tuple[str, str]],
                          claims: list[Claim]) -> list[bool]:
    """Record many of one article's quotes (claim id, words) and new claims in one write of
    claims.yaml: all or nothing. Returns, per quote, False if those exact words were already there."""
    for claim in claims:
        _check_claim_fields(claim)
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
        with _editing_claims(catalog) as document:
            for claim_id, text in quotes:
                new = (source_id, text) not in recorded[claim_id]
                if new:
                    _list_in(_find(document, claim_id), "made_in").append({"source": source_id, "quote": text})
                    recorded[claim_id].add((source_id, text))
                added.append(new)
            document.extend(_claim_to_yaml(claim) for claim in claims)
    return added


def link_evidence(root: Path, claim_id: str, source_id: str, stance: str, note: str = "") -> bool:
    """Link a source to a claim with a stance; an existing link to the same source is updated.
    Returns True when a new link was made, False when one was changed."""
    if stance not in STANCES:
        raise BadInput(f"stance {stance!r} is not one of: {', '.join(STANCES)}")
    with catalog_lock(root):
        catalog = load_catalog(root)
        claim = catalog.claim(claim_id)
        catalog.source(source_id)
        existing = next((i for i, e in enumerate(claim.evidence) if e.source == source_id), None)
        with _editing_claims(catalog) as claims:
            evidence = _list_in(_find(claims, claim_id), "evidence")
            if existing is None:
                evidence.append(_evidence_entry(source_id, stance, note))
            else:
                evidence[existing]["stance"] = stance
                if note:
                    evidence[existing]["note"] = note
    return existing is None


def set_grade(root: Path, claim_id: str, verdict: str, certainty: str | None, because: str) -> Grade | None:
    """Record a curator's verdict and certainty beside the computed ones; the reason is required.
    A rubric-1 `label` is replaced. Returns the grade it replaced, if any, so the caller can say so."""
    if verdict not in VERDICTS:
        raise BadInput(f"verdict {verdict!r} is not one of: {', '.join(VERDICTS)}")
    if certainty is not None and certainty not in CERTAINTIES:
        raise BadInput(f"certainty {certainty!r} is not one of: {', '.join(CERTAINTIES)}")
    because = _required_text(because, "because")
    problem = certainty_problem(verdict, certainty)
    if problem:
        raise BadInput(problem.replace(f"remove 'certainty: {certainty}'", "leave out --certainty")
                       .replace("needs its certainty", "needs --certainty"))
    fields = {"verdict": verdict, **({"certainty": certainty} if certainty else {}), "because": because}
    with catalog_lock(root):
        catalog = load_catalog(root)
        previous = catalog.claim(claim_id).grade
        with _editing_claims(catalog) as claims:
            entry = _find(claims, claim_id)
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
        path = catalog.sources_dir / f"{source.id}.yaml"
        catalog.sources_dir.mkdir(exist_ok=True)
        new_yaml_file(path, source_yaml(source))
        parse_source(read_catalog_text(path), path)
    return source


# --- helpers ---------------------------------------------------------------------------------


def _check_claim_fields(claim: Claim) -> None:
    try:
        claim_from_dict(_plain_claim(claim))
    except Invalid as error:
        raise BadInput(error.message) from None
    if claim.kind not in CLAIM_KINDS:
        raise BadInput(f"kind {claim.kind!r} is not one of: {', '.join(CLAIM_KINDS)}")


def _required_text(text: str | None, name: str) -> str:
    if not text or not text.strip():
        raise BadInput(f"'{name}' must not be empty")
    return text.strip()


class _editing_claims:
    """Context manager: the `claims:` list of claims.yaml, validated and written on exit."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._context: Any = None

    def __enter__(self) -> Any:
        path = self.catalog.claims_path
        self._context = edit_yaml(path, lambda text: parse_claims(text, path, strict=True))
        document = self._context.__enter__()
        if document is None:
            raise BadInput("has no 'claims:' list; add 'claims: []' first", path)
        if document.get("claims") is None:  # `claims:` with nothing under it yet
            document["claims"] = []
        return document["claims"]

    def __exit__(self, *exc: Any) -> Any:
        return self._context.__exit__(*exc)


def _list_in(entry: Any, key: str) -> Any:
    """The list under `key` of a claim mapping, made if missing or left empty (`evidence:`)."""
    if entry.get(key) is None:
        entry[key] = []
    return entry[key]


def _find(claims: Any, claim_id: str) -> Any:
    for entry in claims:
        if isinstance(entry, dict) and entry.get("id") == claim_id:
            return entry
    raise BadInput(f"no claim with id {claim_id!r}")


def _evidence_entry(source_id: str, stance: str, note: str) -> dict[str, str]:
    entry = {"source": source_id, "stance": stance}
    if note:
        entry["note"] = note
    return entry


def _plain_claim(claim: Claim) -> dict[str, Any]:
    data: dict[str, Any] = {"id": claim.id, "statement": claim.statement, "kind": claim.kind,
                            "topics": list(claim.topics)}
    data["made_in"] = [{"source": q.source, "quote": q.text} for q in claim.made_in]
    data["evidence"] = [_evidence_entry(e.source, e.stance, e.note) for e in claim.evidence]
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


def _claim_to_yaml(claim: Claim) -> dict[str, Any]:
    data = _plain_claim(claim)
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
