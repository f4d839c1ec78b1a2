"""A web page's metadata: title, site, authors and dates from meta tags, JSON-LD and the byline."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from kclaims.text import collapse_spaces

_CDATA = re.compile(r"(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>")

PLAUSIBLE_YEARS = range(1000, 3000)  # what a source's `year` may be (kclaims.model)


ARTICLE_TYPES = ("Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
                 "OpinionNewsArticle", "TechArticle", "ScholarlyArticle", "MedicalScholarlyArticle",
                 "MedicalWebPage", "Report", "SocialMediaPosting", "LiveBlogPosting")


CREDENTIALS = frozenset("ma ms msc bsc ba bs phd md do rd rdn ld ldn rn np pa pharmd dnp mph drph cde cpt cscs "
                        "facp facs mba jd psyd lcsw lpc dc dpm ibclc ccc-slp cnm mft lmft aprn fnp-bc".split())


_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—·:]\s+")


class PageMetadata:
    """The page's structured data, read once; each field asks its sources in order."""

    def __init__(self, tree: Any, url: str):
        self.tree = tree
        self.url = url
        self.meta = _meta_tags(tree)
        self.objects = _json_ld_objects(tree)
        self.article = _pick_article(self.objects)

    def title(self) -> str | None:
        for value in (self.meta.get("og:title"), self.meta.get("twitter:title"), _text(self.article.get("headline")),
                      self._document_title()):
            if value and value.strip():
                return collapse_spaces(value)
        return None

    def _document_title(self) -> str | None:
        element = self.tree.find(".//title")
        if element is None or not element.text_content().strip():
            return None
        return strip_site_name(collapse_spaces(element.text_content()), self.site(), self.url)

    def site(self) -> str | None:
        publisher = self.article.get("publisher")
        for value in (self.meta.get("og:site_name"), _name(publisher), self.meta.get("application-name")):
            if value and value.strip():
                return collapse_spaces(value)
        return None

    def authors(self) -> list[str]:
        found = _people(self.article.get("author")) or _people(self.article.get("author"), organisations=True)
        if not found:
            for key in ("author", "article:author", "parsely-author", "dc.creator", "citation_author", "byl"):
                value = self.meta.get(key)
                if value and not value.startswith(("http://", "https://")):
                    return split_authors(value)
        return found

    def published(self, html: str) -> str | None:
        values = [_text(self.article.get("datePublished"))]
        values += [self.meta.get(k) for k in ("article:published_time", "og:published_time", "datepublished",
                                              "parsely-pub-date", "pub_date", "publishdate", "date", "dc.date",
                                              "dc.date.issued", "dcterms.date", "citation_publication_date",
                                              "sailthru.date")]
        found = _first_date([v for v in values if v], self._all_dates())
        return found or self._guessed_date(html)

    def updated(self) -> str | None:
        values = [_text(self.article.get("dateModified"))]
        values += [self.meta.get(k) for k in ("article:modified_time", "og:updated_time", "datemodified",
                                              "last-modified", "dcterms.modified")]
        return _first_date([v for v in values if v], self._all_dates())

    def _all_dates(self) -> list[dt.datetime]:
        stamps = []
        for value in list(self.meta.values()) + [_text(o.get(k)) for o in self.objects
                                                  for k in ("datePublished", "dateModified")]:
            parsed = _parse_datetime(value) if value else None
            if isinstance(parsed, dt.datetime) and parsed.tzinfo is not None:
                stamps.append(parsed)
        return stamps

    def _guessed_date(self, html: str) -> str | None:
        from htmldate import find_date

        try:
            found = find_date(html, url=self.url, extensive_search=False, original_date=True)
        except Exception:  # a heuristic only: an odd page must not stop the command
            return None
        return found if _plausible(found) else None

    def language(self) -> str | None:
        root = self.tree
        for value in (root.get("lang"), root.get("{http://www.w3.org/XML/1998/namespace}lang"), root.get("xml:lang"),
                      self.meta.get("content-language"), _text(self.article.get("inLanguage")),
                      (self.meta.get("og:locale") or "").replace("_", "-")):
            if value and re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value.strip()):
                return value.strip()
        return None

    def canonical(self) -> str | None:
        for link in self.tree.iter("link"):
            if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
                return absolute_url(self.url, link.get("href"))
        value = self.meta.get("og:url")
        return absolute_url(self.url, value) if value else None


def _meta_tags(tree: Any) -> dict[str, str]:
    """`<meta>` name/property/itemprop/http-equiv (lower-cased) -> content; the first one wins."""
    tags: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or element.get("http-equiv")
        content = element.get("content")
        if key and content and content.strip():
            tags.setdefault(key.strip().lower(), content.strip())
    for element in tree.xpath("//*[@itemprop='datePublished' or @itemprop='dateModified'][@datetime]"):
        tags.setdefault(element.get("itemprop").lower(), element.get("datetime"))
    return tags


def _json_ld_objects(tree: Any) -> list[dict]:
    objects: list[dict] = []
    for script in tree.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]"):
        text = _CDATA.sub("", script.text_content())
        try:
            data = json.loads(text, strict=False)
        except ValueError:
            continue
        _collect(data, objects)
    return objects


def _collect(data: Any, into: list[dict]) -> None:
    if isinstance(data, list):
        for item in data:
            _collect(item, into)
    elif isinstance(data, dict):
        into.append(data)
        if "@graph" in data:
            _collect(data["@graph"], into)


def _types(obj: dict) -> list[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return [str(v).rsplit("/", 1)[-1] for v in values if v]


def _pick_article(objects: list[dict]) -> dict:
    for wanted in (ARTICLE_TYPES, ("WebPage",)):
        for obj in objects:
            if any(t in wanted for t in _types(obj)):
                return obj
    return {}


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value:
        return _text(value[0])
    if isinstance(value, dict):
        return _text(value.get("@value") or value.get("name"))
    return None


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _text(value.get("name"))
    return value if isinstance(value, str) else None


def _people(value: Any, organisations: bool = False) -> list[str]:
    """Author names from a JSON-LD `author` (a name, a Person, or a list); organisations only when
    asked (a clinic that signs its own blog is its author; a newspaper beside its writer is not)."""
    items = value if isinstance(value, list) else [value] if value else []
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            if any(t.endswith("Organization") for t in _types(item)) != organisations:
                continue
            item = _text(item.get("name"))
        if isinstance(item, str) and item.strip() and not item.startswith(("http://", "https://")):
            names += [n for n in split_authors(item) if n not in names]
    return names


def split_authors(byline: str) -> list[str]:
    """Names from a byline: "By Rachael Link, MS, RD and Jo Doe" -> ["Rachael Link", "Jo Doe"]."""
    byline = re.sub(r"^\s*(by|von|par|por)\s+", "", collapse_spaces(byline), flags=re.IGNORECASE)
    names: list[str] = []
    for part in re.split(r"\s*(?:;|,|&|\||\band\b|\bund\b)\s*", byline):
        part = part.strip(" .")
        if not part or part.replace(".", "").casefold() in CREDENTIALS:
            continue
        if part not in names:
            names.append(part)
    return names


def strip_site_name(title: str, site: str | None, url: str) -> str:
    """"Article title | Site" -> "Article title", when the part cut off names the site or its host."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    host = re.sub(r"[^a-z0-9]", "", (urlsplit(url).hostname or "").casefold())
    names = {re.sub(r"[^a-z0-9]", "", (site or "").casefold())} - {""}

    def names_site(part: str) -> bool:
        folded = re.sub(r"[^a-z0-9]", "", part.casefold())
        return bool(folded) and (folded in names or folded in host)

    if names_site(parts[-1]):
        return " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
    if names_site(parts[0]):
        return parts[-1] if len(parts) == 2 else title
    return title



def absolute_url(base: str, href: str) -> str | None:
    url = urljoin(base, href.strip())
    return url if urlsplit(url).scheme in ("http", "https") else None


def _parse_datetime(value: str) -> dt.datetime | dt.date | None:
    value = value.strip()
    try:
        return dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        pass
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value[:10]):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    try:
        return email.utils.parsedate_to_datetime(value)  # "Sat, 19 Oct 2019 00:04:00 +0200"
    except (TypeError, ValueError, IndexError):
        return None


def _plausible(date: str | None) -> bool:
    return bool(date) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date or "") is not None and \
        int((date or "")[:4]) in PLAUSIBLE_YEARS


def _first_date(values: list[str], stamps: list[dt.datetime]) -> str | None:
    for value in values:
        parsed = _parse_datetime(value)
        if parsed is None or parsed.year not in PLAUSIBLE_YEARS:
            continue
        if isinstance(parsed, dt.datetime):
            return _local_date(parsed, stamps).isoformat()
        return parsed.isoformat()
    return None


def _local_date(moment: dt.datetime, stamps: list[dt.datetime]) -> dt.date:
    """The date of `moment`; for a UTC time, the date the same instant has where the page states a
    local offset for it (the publisher's calendar, not Greenwich's)."""
    if moment.tzinfo is not None and moment.utcoffset() == dt.timedelta(0):
        for other in stamps:
            if other.utcoffset() != dt.timedelta(0) and abs((other - moment).total_seconds()) < 60:
                return other.date()
    return moment.date()
