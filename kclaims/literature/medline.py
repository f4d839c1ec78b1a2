"""PubMed's MEDLINE text format in (.nbib, "Send to: Citation manager", `efetch rettype=medline`): the
same record as the PubMed XML gives (authors, journal, date, identifiers, publication types, MeSH,
population, retraction), plus the full names, abstract, ISSN and keywords. Pure: no files, no network.
"""

from __future__ import annotations

import re

from kclaims.literature.bibtex import BibEntry, BibRead
from kclaims.literature.ids import normalize_doi, normalize_pmcid, normalize_pmid
from kclaims.literature.names import comma_name, short_names
from kclaims.literature.pubmed import expand_pages, population_from_mesh
from kclaims.model import Source

_TAG = re.compile(r"^([A-Z][A-Z0-9]{0,3})\s*-\s?(.*)$")
_MONTHS = {m: f"{i:02d}" for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                                "oct", "nov", "dec"), start=1)}
RETRACTED = "Retracted Publication"


def read_medline(text: str) -> BibRead:
    """Records from MEDLINE text: one per `PMID-` block."""
    result = BibRead()
    for line, tags in _records(text.lstrip("\ufeff")):
        record = _record(tags)
        if record.pmid is None:
            result.warnings.append((line, "a MEDLINE record without a PMID, skipped"))
            continue
        result.entries.append(BibEntry(f"pmid{record.pmid}", line, record))
    return result


def _records(text: str) -> list[tuple[int, list[tuple[str, str]]]]:
    """(line, [(tag, value), ...]) per record; continuation lines (six spaces) joined to their tag."""
    records: list[tuple[int, list[tuple[str, str]]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _TAG.match(line)
        if match and match.group(1) == "PMID":
            records.append((number, []))
        if not records or not line.strip():
            continue
        tags = records[-1][1]
        if match:
            tags.append((match.group(1), match.group(2).strip()))
        elif tags and line.startswith(" "):
            tags[-1] = (tags[-1][0], f"{tags[-1][1]} {line.strip()}")
    return records


def _record(tags: list[tuple[str, str]]) -> Source:
    def all_of(tag: str) -> list[str]:
        return [value for name, value in tags if name == tag and value]

    def first(tag: str) -> str | None:
        return next(iter(all_of(tag)), None)

    year, date = _date(first("DP") or "")
    names = [comma_name(n) for n in all_of("FAU")] or [{"literal": a} for a in all_of("AU")]
    names += [{"literal": group} for group in all_of("CN")]
    mesh = [re.split(r"/", term.lstrip("*"), maxsplit=1)[0] for term in all_of("MH")]
    types = all_of("PT")
    extra = {"abstract": first("AB"), "issn": "; ".join(dict.fromkeys(re.sub(r"\s*\(.*\)", "", i) for i in all_of("IS")))
             or None, "keywords": "; ".join(all_of("OT")) or None, "language": first("LA")}
    return Source(
        id="", kind="journal-article", title=first("TI") or first("BTI"), authors=short_names(names), year=year,
        journal=first("JT") or first("TA"), date=date, volume=first("VI"), issue=first("IP"),
        pages=expand_pages(first("PG")), pmid=normalize_pmid(first("PMID") or ""),
        pmcid=normalize_pmcid(first("PMC") or ""), doi=_doi(all_of("LID") + all_of("AID")),
        publication_types=types, mesh=mesh, population=population_from_mesh(mesh),
        retracted=RETRACTED in types or any(c.startswith("Retraction in") for c in all_of("RIN")),
        entry_type="article", author_parts=[n for n in names if n],
        extra={name: value for name, value in extra.items() if value},
    )


def _doi(ids: list[str]) -> str | None:
    for value in ids:
        if value.endswith("[doi]"):
            doi = normalize_doi(value[:-5].strip())
            if doi:
                return doi
    return None


def _date(text: str) -> tuple[int | None, str | None]:
    """"2006 Aug 15" -> 2006, "2006-08-15"; "2020 Feb" -> "2020-02"; "2019 Winter" -> 2019, None."""
    match = re.match(r"(\d{4})(?:\s+([A-Za-z]{3})[a-z]*(?:\s+(\d{1,2}))?)?", text.strip())
    if not match:
        return None, None
    month = _MONTHS.get((match.group(2) or "").lower())
    if not month:
        return int(match.group(1)), None
    day = f"-{int(match.group(3)):02d}" if match.group(3) else ""
    return int(match.group(1)), f"{match.group(1)}-{month}{day}"
