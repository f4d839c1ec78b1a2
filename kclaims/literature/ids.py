"""Recognise and normalise scholarly identifiers: PMIDs, PMCIDs, DOIs and web URLs.

Every public function is pure (no network, no I/O). Normalised forms:

- PMID: decimal digits, 1-9 of them, no leading zero ("16894061").
- PMCID: "PMC" + digits, without a version suffix ("PMC4810965").
- DOI: lower-cased, without any "doi:" or resolver prefix ("10.1001/archpsyc.63.8.856").
- URL: scheme and host lower-cased, fragment dropped, everything else kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from kclaims.errors import BadInput
from kclaims.text import shorten

EXPECTED_FORMS = (
    "a PMID like 16894061, a PMCID like PMC4810965, a DOI like 10.1001/archpsyc.63.8.856, "
    "or a PubMed, PMC, doi.org or web URL"
)

# [0-9] rather than \d: \d also matches non-ASCII digits such as "１２３".
_PMID_RE = re.compile(r"[1-9][0-9]{0,8}")
_PMCID_RE = re.compile(r"pmc([1-9][0-9]{0,8})(?:\.[0-9]+)?", re.IGNORECASE)
# Crossref's DOI pattern; \S+ rather than Crossref's stricter suffix class so that
# early Wiley DOIs such as 10.1002/(SICI)1097-4636(199601)30:1<1::AID-JBM1>3.0.CO;2-V pass.
_DOI_RE = re.compile(r"10\.[0-9]{4,9}/\S+")

_PMID_LABEL_RE = re.compile(r"pmid\s*:?\s*", re.IGNORECASE)
_PMCID_LABEL_RE = re.compile(r"pmcid\s*:?\s*", re.IGNORECASE)
_DOI_LABEL_RE = re.compile(r"doi\s*:?\s*", re.IGNORECASE)
_SCHEME_RE = re.compile(r"https?://", re.IGNORECASE)
_WHITESPACE_RE = re.compile(r"\s")

_NCBI_HOSTS = frozenset({"www.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov"})
_EUROPEPMC_HOSTS = frozenset({"europepmc.org", "www.europepmc.org"})
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})

# (hosts, path pattern whose group 1 is the identifier)
_Routes = tuple[tuple[frozenset[str], re.Pattern[str]], ...]
_PMID_ROUTES: _Routes = (
    (frozenset({"pubmed.ncbi.nlm.nih.gov"}), re.compile(r"/([0-9]+)/?")),
    (_NCBI_HOSTS, re.compile(r"/pubmed/([0-9]+)/?")),
    (_EUROPEPMC_HOSTS, re.compile(r"/(?:article|abstract)/MED/([0-9]+)/?", re.IGNORECASE)),
)
# PMC article URLs may go on to a PDF or figure of the same article: still that article.
_PMCID_ROUTES: _Routes = (
    (_NCBI_HOSTS, re.compile(r"/pmc/articles/(PMC[0-9.]+)(?:/.*)?", re.IGNORECASE)),
    (frozenset({"pmc.ncbi.nlm.nih.gov"}), re.compile(r"/articles/(PMC[0-9.]+)(?:/.*)?", re.IGNORECASE)),
    (
        _EUROPEPMC_HOSTS,
        re.compile(r"/(?:(?:article|abstract)/PMC/|articles/)(PMC[0-9.]+)/?", re.IGNORECASE),
    ),
)
_DOI_ROUTES: _Routes = ((_DOI_HOSTS, re.compile(r"/(.+)")),)

# Characters that end a candidate in free text: whitespace, quotes, angle and curly brackets
# (BibTeX braces, HTML tags). Early Wiley DOIs containing "<" are therefore cut short in prose.
_FIND_RE = re.compile(
    r"""
      (?P<url>https?://[^\s<>"'{}]+)
    | (?<![\w.-])(?P<doi>10\.[0-9]{4,9}/[^\s<>"'{}]+)
    | \bpmid\s*:?\s*(?P<pmid>[0-9]+)\b
    | \b(?P<pmcid>pmc[0-9]+(?:\.[0-9]+)?)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
_TRAILING_PUNCTUATION = ".,;:!?"
_CLOSING_BRACKETS = {")": "(", "]": "["}


@dataclass(frozen=True)
class Identifier:
    """A normalised identifier.

    ``str()`` gives a form that ``parse_identifier`` reads back to the same Identifier:
    "pmid:16894061", "PMC4810965", "doi:10.1001/archpsyc.63.8.856", or the URL itself.
    """

    kind: str  # "pmid" | "pmcid" | "doi" | "url"
    value: str

    def __str__(self) -> str:
        if self.kind in ("pmid", "doi"):
            return f"{self.kind}:{self.value}"
        return self.value


def parse_identifier(text: str) -> Identifier:
    """Parse one identifier (PMID, PMCID, DOI or URL in any accepted form); raise BadInput if it is none."""
    identifier = try_parse_identifier(text)
    if identifier is None:
        raise BadInput(f"not an identifier: {shorten(text.strip())!r} (expected {EXPECTED_FORMS})")
    return identifier


def try_parse_identifier(text: str) -> Identifier | None:
    """Like parse_identifier, but return None instead of raising."""
    text = text.strip()
    for kind, normalize in _NORMALIZERS:
        value = normalize(text)
        if value is not None:
            return Identifier(kind, value)
    return None


def normalize_pmid(text: str) -> str | None:
    """Return the PMID in a bare, "PMID: …" or PubMed / Europe PMC URL form, else None."""
    text = text.strip()
    candidate = _id_from_url(text, _PMID_ROUTES)
    if candidate is None:
        candidate = _strip_label(text, _PMID_LABEL_RE)
    return candidate if _PMID_RE.fullmatch(candidate) else None


def normalize_pmcid(text: str) -> str | None:
    """Return "PMC" + digits for a PMCID (any case, optional "PMCID:" label, version dropped) or PMC URL, else None."""
    text = text.strip()
    candidate = _id_from_url(text, _PMCID_ROUTES)
    if candidate is None:
        candidate = _strip_label(text, _PMCID_LABEL_RE)
    match = _PMCID_RE.fullmatch(candidate)
    return f"PMC{match.group(1)}" if match else None


def normalize_doi(text: str) -> str | None:
    """Return the lower-cased DOI in a bare, "doi:", or doi.org URL form, else None.

    URL-encoded characters in a doi.org URL are decoded; trailing prose punctuation
    and an unbalanced closing bracket are stripped.
    """
    text = text.strip()
    path = _id_from_url(text, _DOI_ROUTES)
    candidate = unquote(path) if path is not None else _strip_label(text, _DOI_LABEL_RE)
    candidate = _strip_trailing(candidate)
    return candidate.lower() if _DOI_RE.fullmatch(candidate) else None


def find_identifiers(text: str) -> list[Identifier]:
    """Return every identifier found in free text, in order of first appearance, without duplicates.

    Finds http(s) URLs (PubMed, PMC and doi.org ones become their identifier), bare or
    labelled DOIs, PMCIDs, and PMIDs only when labelled "PMID" or inside a PubMed URL:
    a bare run of digits in prose is not taken for a PMID.
    """
    found: list[Identifier] = []
    for match in _FIND_RE.finditer(text):
        group = match.lastgroup
        assert group is not None  # every alternative of _FIND_RE is a named group
        identifier = _parse_found(group, _strip_trailing(match[group]))
        if identifier is not None and identifier not in found:
            found.append(identifier)
    return found


def _parse_found(group: str, candidate: str) -> Identifier | None:
    if group == "pmid":
        value = normalize_pmid(candidate)
        return Identifier("pmid", value) if value else None
    return try_parse_identifier(candidate)


def _normalize_url(text: str) -> str | None:
    """Return an http(s) URL with lower-cased scheme and host and no fragment, else None."""
    if not _SCHEME_RE.match(text) or _WHITESPACE_RE.search(text):
        return None
    parts = _split(text)
    if parts is None:
        return None
    userinfo, at, hostport = parts.netloc.rpartition("@")
    netloc = userinfo + at + hostport.lower()
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, ""))


def _id_from_url(text: str, routes: _Routes) -> str | None:
    """Return group 1 of the first route whose host and path match the URL, else None."""
    lowered = text.lower()  # the host as urlsplit gives it is in here: a bare DOI or PMID is settled at once
    if not any(host in lowered for hosts, _ in routes for host in hosts) or _WHITESPACE_RE.search(text):
        return None
    # A scheme is optional for the known hosts: "doi.org/10.1001/…" is unambiguous.
    parts = _split(text if _SCHEME_RE.match(text) else "https://" + text)
    if parts is None:
        return None
    for hosts, path_re in routes:
        match = path_re.fullmatch(parts.path) if parts.hostname in hosts else None
        if match:
            return match.group(1)
    return None


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url)
        return parts if parts.hostname else None
    except ValueError:  # e.g. an unclosed "[" in an IPv6 host
        return None


def _strip_label(text: str, label_re: re.Pattern[str]) -> str:
    match = label_re.match(text)
    return text[match.end():] if match else text


def _strip_trailing(text: str) -> str:
    """Drop punctuation that sticks to an identifier in prose, and closing brackets with no opener."""
    while text:
        last = text[-1]
        opener = _CLOSING_BRACKETS.get(last)
        if last in _TRAILING_PUNCTUATION or (opener and text.count(last) > text.count(opener)):
            text = text[:-1]
        else:
            break
    return text


_NORMALIZERS = (
    ("pmid", normalize_pmid),
    ("pmcid", normalize_pmcid),
    ("doi", normalize_doi),
    ("url", _normalize_url),
)
