"""Claims, sources and the rules that make a catalog entry valid.

The model knows nothing about files: `claim_from_dict` and `source_from_dict` take plain data
(as loaded from YAML) and return objects, or raise `Invalid` naming the key path at fault, so
the catalog can turn that path into a line number.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from kclaims.text import shorten
from kclaims.vocabulary import (
    CERTAINTIES,
    CLAIM_KINDS,
    INDIRECTNESS,
    POPULATIONS,
    RISKS_OF_BIAS,
    RUBRIC1_LABELS,
    SOURCE_KINDS,
    STANCES,
    VERDICTS,
)


ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,79}")  # always used with fullmatch
ID_RULE = "lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 80 characters"

# Device names Windows will not open as files, whatever the case and whatever follows a dot.
WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"{port}{n}" for port in ("com", "lpt") for n in "0123456789"),
                             "conin$", "conout$"})
RESERVED_SUFFIX = "-src"


def is_windows_device(name: str) -> bool:
    """Whether Windows reserves `name` (or `name` plus any extension) for a device: "CON", "aux.bib"."""
    return name.split(".", 1)[0].rstrip(" ").casefold() in WINDOWS_DEVICES


def windows_safe(source_id: str) -> str:
    """`source_id`, or with RESERVED_SUFFIX after its first part if Windows reserves it: "con" ->
    "con-src", "aux.2019" -> "aux-src.2019"."""
    if not is_windows_device(source_id):
        return source_id
    head, dot, tail = source_id.partition(".")
    return f"{head}{RESERVED_SUFFIX}{dot}{tail}"

CLAIM_KEYS = ("id", "statement", "kind", "topics", "made_in", "evidence", "searched", "grade", "note")
SOURCE_KEYS = (
    "id", "key", "kind", "entry_type", "title", "authors", "author_parts", "editor_parts", "year", "journal", "site",
    "publisher", "date", "volume", "issue", "pages", "pmid", "pmcid", "doi", "url", "publication_types", "mesh",
    "population", "design", "retracted", "retrieved", "references", "n", "risk_of_bias", "includes", "extra",
    "note",
)
# A person's name in parts, as CSL and BibTeX take it; an organisation is one `literal`.
NAME_PARTS = ("family", "given", "particle", "suffix", "literal")
NameParts = dict[str, str]

KeyPath = tuple[str | int, ...]
_DIGITS = re.compile(r"[0-9]+")  # ASCII only (r"\d" and str.isdigit() take any script's digits)
_YEAR_DIGITS = re.compile(r"[0-9]{1,9}")  # longer strings of digits would overflow int()'s safety limit


class Invalid(ValueError):
    """A value breaks a rule; `where` is the key path inside the document."""

    def __init__(self, message: str, where: KeyPath = ()):
        super().__init__(message)
        self.message = message
        self.where = where


@dataclass(slots=True)
class Quote:
    source: str
    text: str


@dataclass(slots=True)
class Evidence:
    source: str
    stance: str
    note: str = ""
    indirect: list[str] = field(default_factory=list)  # how the source differs from the claim (INDIRECTNESS)
    certainty: str | None = None  # the GRADE certainty a review itself reports for this outcome


@dataclass(slots=True)
class Search:
    """A literature search run for a claim: the rubric's difference between 'no evidence found'
    and 'not assessed'."""

    on: str
    database: str
    query: str
    screened: int | None = None
    relevant: int | None = None

    def describe(self) -> str:
        counts = [f"{self.screened} screened" if self.screened is not None else "",
                  f"{self.relevant} relevant" if self.relevant is not None else ""]
        tally = ", ".join(c for c in counts if c)
        return f"searched {self.database} on {self.on} for '{self.query}'" + (f": {tally}" if tally else "")


@dataclass(slots=True)
class Grade:
    """A curator's verdict and certainty, with the reason (required). `label` is a rubric-1 grade
    still read from an old catalog; `kclaims check` asks to replace it with verdict and certainty."""

    because: str
    verdict: str | None = None
    certainty: str | None = None
    label: str | None = None


@dataclass(slots=True)
class Claim:
    id: str
    statement: str
    kind: str
    topics: list[str] = field(default_factory=list)
    made_in: list[Quote] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    grade: Grade | None = None
    note: str | None = None
    searched: list[Search] = field(default_factory=list)

    def source_ids(self) -> set[str]:
        """Every source this claim names, as an article making it or as evidence."""
        return {q.source for q in self.made_in} | {e.source for e in self.evidence}


@dataclass(slots=True)
class Source:
    id: str
    kind: str = "journal-article"
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    site: str | None = None
    publisher: str | None = None
    date: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None
    url: str | None = None
    publication_types: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)
    population: str = "unknown"
    design: int | None = None
    retracted: bool = False
    retrieved: str | None = None
    references: dict[str, str] = field(default_factory=dict)
    note: str | None = None
    n: int | None = None  # participants analysed (a review: in all the studies it pools)
    risk_of_bias: str | None = None  # RISKS_OF_BIAS, as the paper's own or a review's assessment says
    includes: list[str] = field(default_factory=list)  # a review: the catalog sources it pools
    # From a bibliography file (BibTeX, RIS, CSL-JSON): the citation key exactly as written (the id
    # is its file-safe form), the entry type as written ("inproceedings"), the names in parts
    # (`authors` stays the short "Surname Initials" form every reader knows), and every other
    # field by its BibTeX name, decoded to Unicode (booktitle, address, isbn, abstract, ...).
    key: str | None = None
    entry_type: str | None = None
    author_parts: list[NameParts] = field(default_factory=list)
    editor_parts: list[NameParts] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)

    def study_keys(self) -> set[str]:
        """Identifiers that make two source records the same study."""
        keys = set()
        if self.pmid:
            keys.add(f"pmid:{self.pmid}")
        if self.pmcid:
            keys.add(f"pmcid:{self.pmcid.upper()}")
        if self.doi:
            keys.add(f"doi:{self.doi.lower()}")
        return keys

    def first_author_surname(self) -> str | None:
        if not self.authors:
            return None
        return self.authors[0].split()[0]


# --- compact rows, for the parsed-file cache (plain tuples marshal and load fast) ------------

SOURCE_FIELDS = tuple(Source.__dataclass_fields__)


def source_to_row(source: Source) -> tuple:
    return tuple(getattr(source, name) for name in SOURCE_FIELDS)


def source_from_row(row: tuple) -> Source:
    return Source(*row)


def claim_to_row(claim: Claim) -> tuple:
    """A claim as plain tuples for the cache. Words that recur across claims (kinds, topics, source
    ids, stances) are interned, so marshal stores and loads each once: 100,000 claims hold them once."""
    intern = sys.intern
    grade = (claim.grade.because, claim.grade.verdict, claim.grade.certainty, claim.grade.label) if claim.grade else None
    return (claim.id, claim.statement, intern(claim.kind), [intern(topic) for topic in claim.topics],
            tuple((intern(q.source), q.text) for q in claim.made_in),
            tuple((intern(e.source), intern(e.stance), e.note, tuple(map(intern, e.indirect)), e.certainty)
                  for e in claim.evidence), grade,
            claim.note, tuple((s.on, s.database, s.query, s.screened, s.relevant) for s in claim.searched))


def claim_from_row(row: tuple) -> Claim:
    claim_id, statement, kind, topics, made_in, evidence, grade, note, searched = row
    return Claim(claim_id, statement, kind, topics, [Quote(*q) for q in made_in],
                 [Evidence(s, stance, n, list(indirect), c) for s, stance, n, indirect, c in evidence],
                 Grade(*grade) if grade else None, note, [Search(*s) for s in searched])


# --- validation helpers -------------------------------------------------------------------


def _require_mapping(data: Any, where: KeyPath, what: str) -> dict:
    if not isinstance(data, dict):
        raise Invalid(f"{what} must be a mapping of keys to values, not {_type_name(data)}", where)
    return data


def _type_name(value: Any) -> str:
    if value is None:
        return "empty"
    return {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list",
            dict: "a mapping"}.get(type(value), type(value).__name__)


def _text(data: dict, key: str, where: KeyPath, required: bool = False) -> str | None:
    value = data.get(key)
    if type(value) is str and value:  # the common case, first: every catalog load checks each text
        return value
    if value is None or value == "":
        if required:
            raise Invalid(f"'{key}' is required", where + (key,))
        return None
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        raise Invalid(f"'{key}' must be text, not {_type_name(value)}", where + (key,))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _choice(data: dict, key: str, choices: tuple[str, ...], where: KeyPath, default: str | None = None) -> str:
    value = data.get(key, default)
    if value is None:
        raise Invalid(f"'{key}' is required (one of: {', '.join(choices)})", where + (key,))
    if value not in choices:
        raise Invalid(f"'{key}' is {value!r}; expected one of: {', '.join(choices)}", where + (key,))
    return value


def _text_list(data: dict, key: str, where: KeyPath) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        raise Invalid(f"'{key}' must be a list, e.g. [{value}]", where + (key,))
    if not isinstance(value, list):
        raise Invalid(f"'{key}' must be a list, not {_type_name(value)}", where + (key,))
    for i, item in enumerate(value):
        if not isinstance(item, (str, int)) or isinstance(item, bool):
            raise Invalid(f"'{key}' item must be text, not {_type_name(item)}", where + (key, i))
    return [str(item) for item in value]


def check_id(value: Any, where: KeyPath, key: str = "id") -> str:
    """Return `value` if it is a valid slug id, else raise Invalid."""
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise Invalid(f"'{key}' {value!r} is not a valid id ({ID_RULE})", where + (key,))
    return value


def _list_of_mappings(data: dict, key: str, where: KeyPath) -> list[tuple[KeyPath, dict]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(f"'{key}' must be a list, not {_type_name(value)}", where + (key,))
    return [(where + (key, i), _require_mapping(item, where + (key, i), f"each '{key}' entry"))
            for i, item in enumerate(value)]


# --- claims ---------------------------------------------------------------------------------


def claim_from_dict(data: Any, where: KeyPath = ()) -> Claim:
    """Build a Claim from loaded YAML data, or raise Invalid at the first broken rule."""
    data = _require_mapping(data, where, "a claim")
    _reject_unknown_types(data, where)
    claim_id = check_id(data.get("id"), where)
    made_in = [
        Quote(check_id(q.get("source"), w, "source"), _text(q, "quote", w, required=True) or "")
        for w, q in _list_of_mappings(data, "made_in", where)
    ]
    evidence = [_evidence(e, w) for w, e in _list_of_mappings(data, "evidence", where)]
    return Claim(
        id=claim_id,
        statement=_text(data, "statement", where, required=True) or "",
        kind=_choice(data, "kind", CLAIM_KINDS, where),
        topics=[_topic(t, where) for t in _text_list(data, "topics", where)],
        made_in=made_in,
        evidence=evidence,
        grade=_grade(data.get("grade"), where + ("grade",)),
        note=_text(data, "note", where),
        searched=[_search(s, w) for w, s in _list_of_mappings(data, "searched", where)],
    )


def _evidence(data: dict, where: KeyPath) -> Evidence:
    indirect = _text_list(data, "indirect", where)
    for i, way in enumerate(indirect):
        if way not in INDIRECTNESS:
            raise Invalid(f"'indirect' item {way!r} is not one of: {', '.join(INDIRECTNESS)}", where + ("indirect", i))
    certainty = data.get("certainty")
    return Evidence(check_id(data.get("source"), where, "source"), _choice(data, "stance", STANCES, where),
                    _text(data, "note", where) or "", indirect,
                    None if certainty is None else _choice(data, "certainty", CERTAINTIES, where))


def _search(data: dict, where: KeyPath) -> Search:
    if True in data and "on" not in data:  # YAML 1.1 (PyYAML) reads the key `on` as the boolean true
        data = {("on" if key is True else key): value for key, value in data.items()}
    return Search(on=_text(data, "on", where, required=True) or "",
                  database=_text(data, "database", where, required=True) or "",
                  query=_text(data, "query", where, required=True) or "",
                  screened=_count(data.get("screened"), "screened", where, allow_zero=True),
                  relevant=_count(data.get("relevant"), "relevant", where, allow_zero=True))


def _count(value: Any, key: str, where: KeyPath, allow_zero: bool = False) -> int | None:
    if value is None:
        return None
    lowest = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
        what = "a whole number" + (" (0 or more)" if allow_zero else " above 0")
        raise Invalid(f"'{key}' must be {what}, not {value!r}", where + (key,))
    return value


def _topic(value: str, where: KeyPath) -> str:
    if not ID_PATTERN.fullmatch(value):
        raise Invalid(f"topic {value!r} is not a valid slug ({ID_RULE})", where + ("topics",))
    return value


def _grade(data: Any, where: KeyPath) -> Grade | None:
    if data is None:
        return None
    data = _require_mapping(data, where, "'grade'")
    because = _text(data, "because", where)
    if not because:
        raise Invalid("a grade needs 'because': say why it differs from or adds to the computed verdict",
                      where + ("because",))
    if "verdict" not in data and "label" in data:  # rubric 1: still read; `check` asks to update it
        return Grade(because, label=_choice(data, "label", RUBRIC1_LABELS, where))
    verdict = _choice(data, "verdict", VERDICTS, where)
    certainty = None if data.get("certainty") is None else _choice(data, "certainty", CERTAINTIES, where)
    problem = certainty_problem(verdict, certainty)
    if problem:
        raise Invalid(problem, where + ("certainty",))
    return Grade(because, verdict, certainty)


def certainty_problem(verdict: str, certainty: str | None) -> str | None:
    """Why a verdict and certainty cannot go together (rubric 2: only supported and contradicted
    carry a certainty, and they always do), or None."""
    if verdict in ("supported", "contradicted") and certainty is None:
        return f"a '{verdict}' grade needs its certainty: one of {', '.join(CERTAINTIES)}"
    if verdict not in ("supported", "contradicted") and certainty is not None:
        return f"a '{verdict}' grade has no certainty: remove 'certainty: {certainty}'"
    return None


def _reject_unknown_types(data: dict, where: KeyPath) -> None:
    for key, value in data.items():
        if not isinstance(key, str):
            raise Invalid(f"key {key!r} must be text", where)
        if isinstance(value, (set, tuple, bytes)):
            raise Invalid(f"'{key}' has an unsupported value type", where + (key,))


# --- sources --------------------------------------------------------------------------------


def source_from_dict(data: Any, where: KeyPath = ()) -> Source:
    """Build a Source from loaded YAML data, or raise Invalid at the first broken rule."""
    data = _require_mapping(data, where, "a source")
    _reject_unknown_types(data, where)
    return Source(
        id=check_id(data.get("id"), where),
        kind=_choice(data, "kind", SOURCE_KINDS, where, default="journal-article"),
        title=_text(data, "title", where),
        authors=_text_list(data, "authors", where),
        year=_year(data.get("year"), where),
        journal=_text(data, "journal", where),
        site=_text(data, "site", where),
        publisher=_text(data, "publisher", where),
        date=_text(data, "date", where),
        volume=_text(data, "volume", where),
        issue=_text(data, "issue", where),
        pages=_text(data, "pages", where),
        pmid=_pmid(data.get("pmid"), where),
        pmcid=_pmcid(data.get("pmcid"), where),
        doi=_text(data, "doi", where),
        url=_url(data, where),
        publication_types=_text_list(data, "publication_types", where),
        mesh=_text_list(data, "mesh", where),
        population=_choice(data, "population", POPULATIONS, where, default="unknown"),
        design=_design(data.get("design"), where),
        retracted=_bool(data, "retracted", where),
        retrieved=_text(data, "retrieved", where),
        references=_references(data.get("references"), where + ("references",)),
        note=_text(data, "note", where),
        n=_count(data.get("n"), "n", where),
        risk_of_bias=None if data.get("risk_of_bias") is None else _choice(data, "risk_of_bias", RISKS_OF_BIAS, where),
        includes=_includes(data, where),
        key=_text(data, "key", where),
        entry_type=_text(data, "entry_type", where),
        author_parts=_names(data, "author_parts", where),
        editor_parts=_names(data, "editor_parts", where),
        extra=_extra(data.get("extra"), where + ("extra",)),
    )


def _names(data: dict, key: str, where: KeyPath) -> list[NameParts]:
    names = []
    for at, item in _list_of_mappings(data, key, where):
        name = {}
        for part in item:
            if part not in NAME_PARTS:
                raise Invalid(f"name part {part!r} is not one of: {', '.join(NAME_PARTS)}", at + (part,))
            text = _text(item, part, at)
            if text:
                name[part] = text
        if not name.get("family") and not name.get("literal"):
            raise Invalid("a name needs 'family' (a person) or 'literal' (an organisation)", at)
        names.append(name)
    return names


def _extra(value: Any, where: KeyPath) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"'extra' must map a field name to its text, not {_type_name(value)}", where)
    extra = {}
    for name, text in value.items():
        if not isinstance(name, str) or isinstance(text, (dict, list, bool)) or text is None:
            raise Invalid(f"'extra' field {name!r} must be text", where + (str(name),))
        extra[name] = text.isoformat() if isinstance(text, (dt.date, dt.datetime)) else str(text)
    return extra


def _url(data: dict, where: KeyPath) -> str | None:
    """A web address kclaims can open and link: http or https only (never javascript:, file: ...)."""
    url = _text(data, "url", where)
    if url is not None and not re.match(r"(?i)https?://[^\s/]", url):
        raise Invalid(f"'url' must be a web address starting http:// or https://, not {shorten(url)!r}",
                      where + ("url",))
    return url


def _includes(data: dict, where: KeyPath) -> list[str]:
    ids = _text_list(data, "includes", where)
    for i, source_id in enumerate(ids):
        if not ID_PATTERN.fullmatch(source_id):
            raise Invalid(f"'includes' item {source_id!r} is not a source id ({ID_RULE})", where + ("includes", i))
    return ids


def _year(value: Any, where: KeyPath) -> int | None:
    if value is None or value == "":
        return None
    # ASCII digits only: str.isdigit() also passes '²⁰²⁰', which int() then refuses
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not _YEAR_DIGITS.fullmatch(str(value)):
        raise Invalid(f"'year' must be a year like 2016, not {value!r}", where + ("year",))
    year = int(value)
    if not 1000 <= year <= 2999:
        raise Invalid(f"'year' {year} is not a plausible year", where + ("year",))
    return year


def _pmid(value: Any, where: KeyPath) -> str | None:
    if value is None or value == "":
        return None
    text = str(value)
    if isinstance(value, bool) or not _DIGITS.fullmatch(text) or text.startswith("0"):
        raise Invalid(f"'pmid' must be digits like \"16894061\", not {value!r}", where + ("pmid",))
    return text


def _pmcid(value: Any, where: KeyPath) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).upper()
    if not re.fullmatch(r"PMC[0-9]+", text):
        raise Invalid(f"'pmcid' must look like PMC4810965, not {value!r}", where + ("pmcid",))
    return text


def _design(value: Any, where: KeyPath) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise Invalid(f"'design' must be an evidence level from 1 to 5 (or empty), not {value!r}",
                      where + ("design",))
    return value


def _bool(data: dict, key: str, where: KeyPath) -> bool:
    value = data.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Invalid(f"'{key}' must be true or false, not {value!r}", where + (key,))
    return value


def _references(value: Any, where: KeyPath) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"'references' must map a marker to a source id, not {_type_name(value)}", where)
    return {str(marker): check_id(target, where, str(marker)) for marker, target in value.items()}
