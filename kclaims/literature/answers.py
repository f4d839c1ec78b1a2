"""The on-disk answer cache: each identifier's resolved record (or "not found", asked again after a
day), and each search's answer (an empty one asked again after a day too), in SQLite, so a second
run sends no request. Pruned once a day: expired answers, answers not used for UNUSED_ANSWER_DAYS,
answers of an older CACHE_VERSION, then the least recently used beyond MAX_ANSWERS.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
from typing import Any

from kclaims.catalog.cache import cache_dir, prune_due
from kclaims.literature.ids import Identifier
from kclaims.model import Source

NEGATIVE_ANSWER_SECONDS = 24 * 3600  # "not found" is asked again after a day: new papers get indexed
SEARCH_ANSWER_SECONDS = 30 * 24 * 3600  # a search with results is asked again after a month: new papers appear
UNUSED_ANSWER_DAYS = 180    # an answer not looked at for this long is deleted
MAX_ANSWERS = 200_000       # then the least recently used go (a record is ~1 kB: ~200 MB at most)


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
                               "reason TEXT, stored REAL NOT NULL, used REAL)")
            if "used" not in {row[1] for row in connection.execute("PRAGMA table_info(answers)")}:
                connection.execute("ALTER TABLE answers ADD COLUMN used REAL")  # a cache from before pruning
            cache = cls(connection)
            if prune_due(folder, "answers"):
                cache.prune()
            return cache
        except (OSError, sqlite3.Error):
            return cls(None)

    def prune(self, now: float | None = None, unused_days: float = UNUSED_ANSWER_DAYS,
              max_answers: int = MAX_ANSWERS) -> int:
        """Delete expired answers (NEGATIVE_ANSWER_SECONDS, SEARCH_ANSWER_SECONDS), answers not
        used for `unused_days` or of another CACHE_VERSION, then the least recently used beyond
        `max_answers`. Returns how many went; never fails."""
        if self.connection is None:
            return 0
        now = time.time() if now is None else now
        search = f"{_PREFIX}search:%"
        statements = [
            ("DELETE FROM answers WHERE (record IS NULL OR reason = ?) AND stored < ?",
             (EMPTY_SEARCH, now - NEGATIVE_ANSWER_SECONDS)),
            ("DELETE FROM answers WHERE key LIKE ? AND stored < ?", (search, now - SEARCH_ANSWER_SECONDS)),
            ("DELETE FROM answers WHERE COALESCE(used, stored) < ?", (now - unused_days * 86400,)),
            ("DELETE FROM answers WHERE key NOT LIKE ?", (f"{_PREFIX}%",)),
            ("DELETE FROM answers WHERE key IN (SELECT key FROM answers ORDER BY COALESCE(used, stored) DESC "
             "LIMIT -1 OFFSET ?)", (max_answers,)),
        ]
        deleted = 0
        try:
            for statement, values in statements:
                deleted += self.connection.execute(statement, values).rowcount
        except sqlite3.Error:
            return deleted
        return deleted

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()

    def get(self, identifier: Identifier) -> tuple[Source | None, str | None] | None:
        """(record, None) or (None, reason) if an answer is cached, else None."""
        row = self._row(_key(identifier))
        if row is None:
            return None
        record, reason, stored = row
        if record is None:
            return None if time.time() - stored > NEGATIVE_ANSWER_SECONDS else (None, reason)
        try:
            answer = record_from(json.loads(record)), None
        except (TypeError, ValueError):
            return None
        self._mark_used(_key(identifier))
        return answer

    def get_search(self, key: str) -> Any | None:
        """A search's answer as stored by `put_search` (plain JSON values), if cached and not expired:
        an empty answer (`empty` true) for NEGATIVE_ANSWER_SECONDS, any other for SEARCH_ANSWER_SECONDS."""
        row = self._row(_search_key(key))
        if row is None:
            return None
        record, reason, stored = row
        lifetime = NEGATIVE_ANSWER_SECONDS if reason == EMPTY_SEARCH else SEARCH_ANSWER_SECONDS
        if time.time() - stored > lifetime:
            return None
        try:
            answer = json.loads(record)
        except (TypeError, ValueError):
            return None
        self._mark_used(_search_key(key))
        return answer

    def put_search(self, key: str, answer: Any, empty: bool) -> None:
        """Keep a search's answer (plain JSON values) under `key` (the request as sent)."""
        now = time.time()
        self._write([(_search_key(key), json.dumps(answer, ensure_ascii=False), EMPTY_SEARCH if empty else None,
                      now)])

    def _row(self, key: str) -> tuple[Any, Any, float] | None:
        """(record, reason, stored) kept under `key`, or None (none kept, or the cache unreadable)."""
        if self.connection is None:
            return None
        try:
            return self.connection.execute("SELECT record, reason, stored FROM answers WHERE key = ?",
                                           (key,)).fetchone()
        except sqlite3.Error:
            return None

    def _mark_used(self, key: str) -> None:
        if self.connection is None:
            return
        now = time.time()
        try:  # at most once a day per answer: a resolve of a thousand identifiers is not a thousand writes
            self.connection.execute("UPDATE answers SET used = ? WHERE key = ? AND COALESCE(used, stored) < ?",
                                    (now, key, now - 24 * 3600))
        except sqlite3.Error:
            return

    def put_records(self, records: list[Source], also: Identifier | None = None) -> None:
        """Store each record under each identifier it carries (and `also`), as soon as it arrives,
        so a later failure in the same run does not cost it again."""
        now, rows = time.time(), []
        for record in records:
            text = json.dumps(record_values(record), ensure_ascii=False)
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
            self.connection.executemany("INSERT OR REPLACE INTO answers (key, record, reason, stored, used) "
                                        "VALUES (?, ?, ?, ?, ?)", [(*row, row[3]) for row in rows])
        except sqlite3.Error:
            return


_FIELDS = dataclasses.fields(Source)


def record_values(record: Source) -> dict[str, Any]:
    """A record as plain JSON values, as the cache keeps it."""
    return {f.name: getattr(record, f.name) for f in _FIELDS}


def record_from(values: Any) -> Source:
    """A record back from `record_values`; TypeError or ValueError when it does not fit the model."""
    if not isinstance(values, dict):
        raise TypeError("a cached record is not an object")
    return Source(**values)


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


_PREFIX = f"v{CACHE_VERSION}:"
EMPTY_SEARCH = "no results"  # the reason column of a search answer with no results


def _key(identifier: Identifier) -> str:
    return f"{_PREFIX}{identifier.kind}:{identifier.value}"


def _search_key(key: str) -> str:
    return f"{_PREFIX}search:{key}"
