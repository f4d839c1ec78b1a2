"""Pure parsers for NCBI answers: PubMed efetch XML and the PMC ID converter's JSON.

No I/O here: each function takes the body a service sent and returns records (`Source` objects
with an empty id; `sources.py` names them). Tested against recorded responses in tests/data/.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from kclaims.grade import RETRACTED_TYPE
from kclaims.model import Source

_MONTHS = {name: f"{i:02d}" for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
# MeSH check tags and descriptors that say who or what was studied; see docs/sources.md.
HUMANS, ANIMALS = "Humans", "Animals"
IN_VITRO_DESCRIPTORS = ("In Vitro Techniques", "Cells, Cultured")


class PayloadError(ValueError):
    """A service's answer could not be read (truncated, not XML/JSON, or an error document)."""


def population_from_mesh(mesh: list[str]) -> str:
    """human | animal | mixed | in-vitro | unknown, from the MeSH headings of a record."""
    humans, animals = HUMANS in mesh, ANIMALS in mesh
    if humans and animals:
        return "mixed"
    if humans:
        return "human"
    if animals:
        return "animal"
    if any(term in mesh for term in IN_VITRO_DESCRIPTORS):
        return "in-vitro"
    return "unknown"


# --- efetch (db=pubmed, retmode=xml) -------------------------------------------------------


def parse_efetch(body: str | bytes) -> list[Source]:
    """Every PubmedArticle and PubmedBookArticle in an efetch answer, in document order."""
    root = _xml_root(body)
    if root.tag == "eFetchResult" or root.tag == "ERROR":
        raise PayloadError(f"efetch answered with an error: {_clean(''.join(root.itertext()))[:200]}")
    if root.tag != "PubmedArticleSet":
        raise PayloadError(f"expected a PubmedArticleSet, got <{root.tag}>")
    records = []
    for element in root:
        if element.tag == "PubmedArticle":
            records.append(_article(element))
        elif element.tag == "PubmedBookArticle":
            records.append(_book_article(element))
    return records


def _xml_root(body: str | bytes) -> ET.Element:
    try:
        return ET.fromstring(body)
    except ET.ParseError as error:
        raise PayloadError(f"not well-formed XML ({error})") from None


def _article(element: ET.Element) -> Source:
    citation = element.find("MedlineCitation")
    article = citation.find("Article") if citation is not None else None
    if citation is None or article is None:
        raise PayloadError("a PubmedArticle without MedlineCitation/Article")
    journal = article.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    pub_date = issue.find("PubDate") if issue is not None else None
    ids = _article_ids(element.find("PubmedData/ArticleIdList"))
    publication_types = _texts(article, "PublicationTypeList/PublicationType")
    mesh = _texts(citation, "MeshHeadingList/MeshHeading/DescriptorName")
    year, date = _pub_date(pub_date)
    if year is None:
        year, date = _pub_date(article.find("ArticleDate"))
    return Source(
        id="",
        kind="journal-article",
        title=_title(article.find("ArticleTitle")) or _title(article.find("VernacularTitle")),
        authors=_authors(article.find("AuthorList")),
        year=year,
        journal=_text(journal, "Title"),
        date=date,
        volume=_text(issue, "Volume"),
        issue=_text(issue, "Issue"),
        pages=expand_pages(_text(article, "Pagination/MedlinePgn")),
        pmid=_text(citation, "PMID"),
        pmcid=ids.get("pmc"),
        doi=_lower(ids.get("doi") or _elocation_doi(article)),
        publication_types=publication_types,
        mesh=mesh,
        population=population_from_mesh(mesh),
        retracted=RETRACTED_TYPE in publication_types or _has_correction(citation, "RetractionIn"),
    )


def _book_article(element: ET.Element) -> Source:
    document = element.find("BookDocument")
    if document is None:
        raise PayloadError("a PubmedBookArticle without BookDocument")
    book = document.find("Book")
    ids = _article_ids(document.find("ArticleIdList"))
    chapter = _title(document.find("ArticleTitle"))
    year, date = _pub_date(book.find("PubDate") if book is not None else None)
    publication_types = _texts(document, "PublicationType")
    mesh = _texts(document, "MeshHeadingList/MeshHeading/DescriptorName")
    authors = _authors(document.find("AuthorList")) or _authors(book.find("AuthorList") if book is not None else None)
    return Source(
        id="",
        kind="book-chapter" if chapter else "book",
        title=chapter or _title(book.find("BookTitle") if book is not None else None),
        authors=authors,
        year=year,
        journal=_title(book.find("BookTitle")) if chapter and book is not None else None,
        publisher=_text(book, "Publisher/PublisherName"),
        date=date,
        pmid=_text(document, "PMID"),
        pmcid=ids.get("pmc"),
        doi=_lower(ids.get("doi")),
        publication_types=publication_types,
        mesh=mesh,
        population=population_from_mesh(mesh),
        retracted=RETRACTED_TYPE in publication_types,
    )


def _article_ids(id_list: ET.Element | None) -> dict[str, str]:
    ids: dict[str, str] = {}
    for item in id_list.findall("ArticleId") if id_list is not None else []:
        kind, value = item.get("IdType"), _clean(item.text)
        if kind and value and kind not in ids:
            ids[kind] = value
    if "pmc" in ids:
        ids["pmc"] = "PMC" + ids["pmc"].upper().removeprefix("PMC")
    return ids


def _elocation_doi(article: ET.Element) -> str | None:
    for item in article.findall("ELocationID"):
        if item.get("EIdType") == "doi" and item.get("ValidYN", "Y") == "Y":
            return _clean(item.text)
    return None


def _has_correction(citation: ET.Element, ref_type: str) -> bool:
    return any(c.get("RefType") == ref_type for c in citation.findall("CommentsCorrectionsList/CommentsCorrections"))


def _authors(author_list: ET.Element | None) -> list[str]:
    """'Surname Initials' for people, the group name for collective authors."""
    authors = []
    for author in author_list.findall("Author") if author_list is not None else []:
        if author.get("ValidYN", "Y") != "Y":
            continue
        collective = _text(author, "CollectiveName")
        surname = _text(author, "LastName")
        if surname:
            initials = _text(author, "Initials") or initials_of(_text(author, "ForeName"))
            authors.append(f"{surname} {initials}".strip())
        elif collective:
            authors.append(collective)
    return authors


def initials_of(given: str | None) -> str:
    """'Carlos A.' -> 'CA'; 'Jean-Pierre' -> 'JP'."""
    if not given:
        return ""
    return "".join(part[0] for part in re.split(r"[\s.\-]+", given) if part and part[0].isalpha()).upper()


def _pub_date(element: ET.Element | None) -> tuple[int | None, str | None]:
    """The year and an ISO date (YYYY, YYYY-MM or YYYY-MM-DD) of a PubDate-like element."""
    if element is None:
        return None, None
    year_text = _text(element, "Year")
    if not year_text:
        match = re.match(r"\s*(\d{4})", _text(element, "MedlineDate") or "")
        return (int(match.group(1)), match.group(1)) if match else (None, None)
    date = year_text
    month = _month(_text(element, "Month"))
    if month:
        date += f"-{month}"
        day = _text(element, "Day")
        if day and day.isdigit():
            date += f"-{int(day):02d}"
    return int(year_text), date


def _month(text: str | None) -> str | None:
    if not text:
        return None
    if text.isdigit() and 1 <= int(text) <= 12:
        return f"{int(text):02d}"
    return _MONTHS.get(text[:3].lower())


def expand_pages(pages: str | None) -> str | None:
    """PubMed shortens page ranges ('856-64'); write them out ('856-864')."""
    if not pages:
        return pages
    match = re.fullmatch(r"(\d+)-(\d+)", pages)
    if match and len(match.group(2)) < len(match.group(1)):
        first, last = match.groups()
        return f"{first}-{first[:len(first) - len(last)]}{last}"
    return pages


def _title(element: ET.Element | None) -> str | None:
    """Title text without inline markup, spaces collapsed, PubMed's closing full stop dropped."""
    if element is None:
        return None
    text = _clean("".join(element.itertext()))
    if text and text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    return text or None


def _text(element: ET.Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path)
    return _clean("".join(found.itertext())) or None if found is not None else None


def _texts(element: ET.Element, path: str) -> list[str]:
    values = []
    for found in element.findall(path):
        value = _clean("".join(found.itertext()))
        if value and value not in values:
            values.append(value)
    return values


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _lower(text: str | None) -> str | None:
    return text.lower() if text else None


# --- PMC ID converter (format=json) --------------------------------------------------------


@dataclass(frozen=True)
class IdLink:
    """One article's identifiers as the ID converter knows them; `error` when it knows none."""

    pmcid: str | None
    pmid: str | None
    doi: str | None
    error: str | None = None


def parse_idconv(payload: Any) -> list[IdLink]:
    """The records of an ID converter answer (the JSON already decoded)."""
    if not isinstance(payload, dict):
        raise PayloadError("the ID converter did not answer with a JSON object")
    if payload.get("status") == "error":
        raise PayloadError(f"the ID converter refused the request: {unquote(str(payload.get('message', '')))}")
    records = payload.get("records") or []
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        raise PayloadError("the ID converter's records are not a list of JSON objects")
    links = []
    for record in records:
        pmcid = record.get("pmcid") or _requested_pmcid(record)
        error = record.get("errmsg") or (None if record.get("status", "ok") != "error" else "unknown to PMC")
        links.append(IdLink(
            pmcid=("PMC" + str(pmcid).upper().removeprefix("PMC").split(".")[0]) if pmcid else None,
            pmid=str(record["pmid"]) if record.get("pmid") else None,
            doi=str(record["doi"]).lower() if record.get("doi") else None,
            error=str(error) if error else None,
        ))
    return links


def _requested_pmcid(record: dict) -> str | None:
    requested = str(record.get("requested-id") or "")
    return requested if requested.upper().startswith("PMC") else None
