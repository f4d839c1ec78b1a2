"""The on-disk answer cache: each identifier's resolved record (or "not found", asked again after a
day) in SQLite, so a second run sends no request.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time

from kclaims.catalog.cache import cache_dir
from kclaims.literature.ids import Identifier
from kclaims.model import Source

NEGATIVE_ANSWER_SECONDS = 24 * 3600  # "not found" is asked again after a day: new papers get indexed


CACHE_FILE = "resolver.sqlite3"


CACHE_VERSION = "1"         # bump when a parser changes what it returns


class AnswerCache:
    """Answers per identifier in one SQLite file under kclaims.catalog.cache.cache_dir(); safe to delete.

    A found record is kept until `--refresh` or `kclaims source refresh` replaces it; a "not
    found" answer for NEGATIVE_ANSWER_SECONDS. A cache that cannot be opened or written only
    costs requests, never an error.
    """

    def __init__(self, connection: sqlite3.Connection | None):
        self.connection = connection

    @classmethod
    def open(cls) -> AnswerCache:
        try:
            folder = cache_dir()
            folder.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(folder / CACHE_FILE, timeout=10, isolation_level=None)
            connection.execute("PRAGMA synchronous = OFF")  # a lost cache write only costs a request
            connection.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, record TEXT, "
                               "reason TEXT, stored REAL NOT NULL)")
            return cls(connection)
        except (OSError, sqlite3.Error):
            return cls(None)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()

    def get(self, identifier: Identifier) -> tuple[Source | None, str | None] | None:
        """(record, None) or (None, reason) if an answer is cached, else None."""
        if self.connection is None:
            return None
        try:
            row = self.connection.execute("SELECT record, reason, stored FROM answers WHERE key = ?",
                                          (_key(identifier),)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        record, reason, stored = row
        if record is None:
            return None if time.time() - stored > NEGATIVE_ANSWER_SECONDS else (None, reason)
        try:
            return Source(**json.loads(record)), None
        except (TypeError, ValueError):
            return None

    def put_records(self, records: list[Source], also: Identifier | None = None) -> None:
        """Store each record under each identifier it carries (and `also`), as soon as it arrives,
        so a later failure in the same run does not cost it again."""
        now, rows = time.time(), []
        for record in records:
            text = json.dumps({f.name: getattr(record, f.name) for f in _FIELDS}, ensure_ascii=False)
            keys = set(identifiers_of(record)) | ({also} if also else set())
            rows += [(_key(k), text, None, now) for k in keys]
        self._write(rows)

    def put_missing(self, answers: list[tuple[Identifier, str]]) -> None:
        now = time.time()
        self._write([(_key(identifier), None, reason, now) for identifier, reason in answers])

    def _write(self, rows: list[tuple]) -> None:
        if self.connection is None:
            return
        try:
            self.connection.executemany("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error:
            return


_FIELDS = dataclasses.fields(Source)


def identifiers_of(record: Source) -> list[Identifier]:
    """The PMID, PMCID and DOI a record carries, as identifiers."""
    found = []
    if record.pmid:
        found.append(Identifier("pmid", record.pmid))
    if record.pmcid:
        found.append(Identifier("pmcid", record.pmcid.upper()))
    if record.doi:
        found.append(Identifier("doi", record.doi.lower()))
    return found


def _key(identifier: Identifier) -> str:
    return f"v{CACHE_VERSION}:{identifier.kind}:{identifier.value}"
