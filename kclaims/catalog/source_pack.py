"""Every source of a catalog in one cache file, in a report's bibliography order, each read from the
file when it is looked up: a report of 200,000 sources holds a small index (12 bytes a source), not
the sources, in the command and in each of its workers.

The file: MAGIC, then each source's record (the CRC-32 of the rest of it in 4 bytes; the length of
its head in 2 bytes; the head, marshal of its id, the stamp of its file when it was read and the
short name it is cited by where that needs a letter, else ""; then its row, packed as the cache
keeps it, so a pack is written without making the rows again), then the index, then the header
(marshal: the format, the byte order, what the pack was made for (`key`), how many sources, where
the index starts and its SHA-256), then the header's length (8 bytes) and END.
The index is three arrays over the N sources: the ids' 32-bit hashes, sorted; the place in the
order of the source with each; where each record starts, by place (N + 1 of them: the last is where
the records end; 4 bytes each, 8 where the records end past 4 GiB). A pack whose index or header is
damaged is not opened (it is made again); a damaged record is found when it is read (`DamagedPack`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import marshal
import os
import struct
import sys
import tempfile
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from kclaims.catalog.temporaries import remove_stale_temporaries, temporary_prefix
from kclaims.model import Source, source_from_row

MAGIC, END = b"kclaims-sources\n", b"\nend-of-pack\n"
FORMAT = 3  # 2: a record's head and row packed apart; 3: 32-bit hashes, each record's checksum in the record
_LENGTH = struct.Struct("<Q")
MOST_HEADER = 4096  # a longer one is damage: not read
READ_TOGETHER = 1000  # sources read in order are read this many at a time
Record = tuple[str, bytes, str, bytes]  # id, stamp, the short name it is cited by if lettered (else ""), packed row
_CHECKSUM, _HEAD_LENGTH = struct.Struct("<I"), struct.Struct("<H")
_HEAD_AT = _CHECKSUM.size + _HEAD_LENGTH.size  # where a record's head starts


class DamagedPack(Exception):
    """A record of the pack does not match its checksum or does not read as one, or the pack
    file could not be read."""


def id_hash(source_id: str) -> int:
    """The 32-bit hash a source is found by in the index (a CRC: a lookup costs a fraction of a
    microsecond; the few ids sharing one are told apart by their records)."""
    return zlib.crc32(source_id.encode("utf-8", "surrogatepass"))


class SourcePack(Mapping[str, Source]):
    """A pack file opened for reading: sources by id (made when looked up; the last few are kept),
    their stamps, short names and places in the order, and the sources in order a slice at a time.
    The file stays open from `open` on, so a pack made anew meanwhile (by another command) does not
    mix with this one; forked workers read it through the same descriptor, at given offsets."""

    # kept of the records read lately: about all a chunk of 1,000 claims links and is made in (it
    # asks for their stamps, then for the sources, then for their places), and the sources made of
    # them lately (a claim's section asks for its own several times; few claims share one)
    RECORDS_KEPT, SOURCES_KEPT = 4096, 256

    def __init__(self, location: Path, key: object, file: BinaryIO | io.FileIO, index: tuple[array, array, array]):
        self.location, self.key, self._file = location, key, file
        self._hashes, self._places, self._starts = index
        self._records: dict[str, tuple[bytes, bytes, str, int]] = {}  # id -> packed row, stamp, name, place
        self._sources: dict[str, Source] = {}
        self._last_in_order = ("", "")  # the id and name of the source `in_order` gave last

    @classmethod
    def open(cls, location: Path, key: object) -> SourcePack | None:
        """The pack at `location` if it was made for `key` and its index is whole, else None."""
        return cls.open_matching(location, lambda made_for: made_for == key)

    @classmethod
    def open_matching(cls, location: Path, matches: Callable[[Any], bool]) -> SourcePack | None:
        """The pack at `location` if what it was made for `matches` and its index is whole, else None."""
        file = None
        try:
            file = open(location, "rb", buffering=0)  # noqa: SIM115 (open while the pack is read: `close`)
            index = _read_index(file, matches)
        except (OSError, ValueError, EOFError, TypeError, OverflowError, struct.error, MemoryError):
            index = None
        if index is None or file is None:
            if file is not None:
                file.close()
            return None
        return cls(location, index[3], file, index[:3])

    def keep_few(self) -> None:
        """Keep few records and sources from now on: for a process whose lookups are each made once."""
        self.RECORDS_KEPT = self.SOURCES_KEPT = 64
        self._records.clear()
        self._sources.clear()

    def __len__(self) -> int:
        return len(self._places)

    def __iter__(self) -> Iterator[str]:
        return (self._head(record)[0] for record in self._records_between(0, len(self)))

    def __getitem__(self, source_id: str) -> Source:
        source = self.get(source_id)
        if source is None:
            raise KeyError(source_id)
        return source

    def get(self, source_id: str, default: Source | None = None) -> Source | None:  # type: ignore[override]
        source = self._sources.get(source_id)
        if source is None:
            found = self._found(source_id)
            if found is None:
                return default
            if len(self._sources) >= self.SOURCES_KEPT:
                self._sources.clear()  # (not one at a time: a dict whose first entries keep going slows down)
            source = self._sources[source_id] = self._made(self._row(found[0]))
        return source

    def __contains__(self, source_id: object) -> bool:
        return isinstance(source_id, str) and self._found(source_id) is not None

    def stamp(self, source_id: str) -> bytes | None:
        """The stamp the source's file had when the pack was made (None if it is not in the pack)."""
        found = self._found(source_id)
        return None if found is None else found[1]

    def lettered_name(self, source_id: str) -> str:
        """The short name the source is cited by, where it needs a letter; else ""."""
        last_id, name = self._last_in_order
        if last_id == source_id:
            return name
        found = self._found(source_id)
        return "" if found is None else found[2]

    def place(self, source_id: str) -> int | None:
        """Where the source is in the order (None if it is not in the pack)."""
        found = self._found(source_id)
        return None if found is None else found[3]

    def in_order(self, start: int, stop: int) -> Iterator[Source]:
        """The sources from place `start` up to `stop`, read one after the other."""
        for record in self._records_between(start, stop):
            source_id, _, name, row = self._unpacked(record)
            self._last_in_order = source_id, name  # (its name is asked for next: `lettered_name`)
            yield self._made(row)

    def records_in_order(self, start: int, stop: int) -> Iterator[Record]:
        """The records from place `start` up to `stop` as they are kept (id, stamp, lettered name and
        packed row): a pack made from another copies them without making the sources."""
        for record in self._records_between(start, stop):
            source_id, stamp, name, row_start = self._head(record)
            yield source_id, stamp, name, bytes(record[row_start:])

    def stamp_and_place(self, source_id: str) -> tuple[bytes, int] | None:
        """The source's stamp and place, read without making its row or keeping it (a pass over every
        file, comparing it with the pack); None if it is not in the pack."""
        probed = self._probe(source_id)
        return None if probed is None else (probed[2][1], probed[0])

    def at(self, place: int) -> tuple[Source, str]:
        """The source at a place in the order, and its lettered name."""
        _, _, name, row = self._record(place)
        return self._made(row), name

    def _records_between(self, start: int, stop: int) -> Iterator[memoryview]:
        """The records from place `start` up to `stop`, read READ_TOGETHER at a time and checked."""
        stop = min(stop, len(self))
        for block_start in range(start, stop, READ_TOGETHER):
            yield from self._records_read(block_start, min(block_start + READ_TOGETHER, stop))

    def _records_read(self, start: int, stop: int) -> Iterator[memoryview]:
        starts = self._starts
        first = starts[start]
        data = self._read(first, starts[stop] - first)  # one read for them all, not one a source
        if len(data) != starts[stop] - first:
            raise DamagedPack(str(self.location))
        view = memoryview(data)
        for place in range(start, stop):
            yield self._checked(view[starts[place] - first:starts[place + 1] - first])

    @property
    def stamps(self) -> Mapping[str, bytes | None]:
        """Each source's stamp by id, as `labels.cached_strengths` asks for them."""
        return _Stamps(self)

    def _found(self, source_id: str) -> tuple[bytes, bytes, str, int] | None:
        """The source's packed row, stamp, name and place (the row is kept packed: a third of the memory,
        and its stamp is all that is asked of many)."""
        kept = self._records.get(source_id)
        if kept is not None:
            return kept
        probed = self._probe(source_id)
        if probed is None:
            return None
        place, record, (_, stamp, name, row_start) = probed
        return self._keep(source_id, (bytes(record[row_start:]), stamp, name, place))

    def _probe(self, source_id: str) -> tuple[int, memoryview, tuple[str, bytes, str, int]] | None:
        """The source's place, record and head (`_head`), found by its id's hash; None if it is not
        in the pack."""
        wanted = id_hash(source_id)
        hashes = self._hashes
        at = bisect_left(hashes, wanted)
        while at < len(hashes) and hashes[at] == wanted:  # (two ids with one hash: each record says whose it is)
            place = self._places[at]
            record = self._record_at(place)
            head = self._head(record)
            if head[0] == source_id:
                return place, record, head
            at += 1
        return None

    def _keep(self, source_id: str, found: tuple[bytes, bytes, str, int]) -> tuple[bytes, bytes, str, int]:
        if len(self._records) >= self.RECORDS_KEPT:
            self._records.clear()
        self._records[source_id] = found
        return found

    def _record_at(self, place: int) -> memoryview:
        """The record at `place`, read and checked against its checksum."""
        start, end = self._starts[place], self._starts[place + 1]
        data = self._read(start, end - start)
        if len(data) != end - start:
            raise DamagedPack(str(self.location))
        return self._checked(memoryview(data))

    def _checked(self, record: memoryview) -> memoryview:
        """The record, if its checksum matches the rest of it (a record too short to hold one does not)."""
        if len(record) < _HEAD_AT or _CHECKSUM.unpack_from(record)[0] != zlib.crc32(record[_CHECKSUM.size:]):
            raise DamagedPack(str(self.location))
        return record

    def _record(self, place: int) -> tuple[str, bytes, str, tuple]:
        return self._unpacked(self._record_at(place))

    def _unpacked(self, record: memoryview) -> tuple[str, bytes, str, tuple]:
        """A record's id, stamp, name and row; DamagedPack if it does not read as one (a pack made by
        hand can carry the right checksums)."""
        source_id, stamp, name, row_start = self._head(record)
        return source_id, stamp, name, self._row(record[row_start:])

    def _head(self, record: memoryview) -> tuple[str, bytes, str, int]:
        """A record's id, stamp and name, and where its row starts (see `_unpacked`)."""
        try:
            [head_length] = _HEAD_LENGTH.unpack_from(record, _CHECKSUM.size)
            row_start = _HEAD_AT + head_length
            source_id, stamp, name = marshal.loads(record[_HEAD_AT:row_start])
            if type(source_id) is str and type(stamp) is bytes and type(name) is str:
                return source_id, stamp, name, row_start
        except (ValueError, EOFError, TypeError, struct.error, MemoryError):  # (marshal believes the lengths it reads)
            pass
        raise DamagedPack(str(self.location))

    def _row(self, packed: bytes | memoryview) -> tuple:
        try:
            row = marshal.loads(packed)
        except (ValueError, EOFError, TypeError, MemoryError):
            row = None
        if type(row) is not tuple:
            raise DamagedPack(str(self.location))
        return row

    def _made(self, row: tuple) -> Source:
        try:
            return source_from_row(row)
        except (TypeError, ValueError):  # a row of another length: a pack made by hand
            raise DamagedPack(str(self.location)) from None

    def is_the_file_at_its_location(self) -> bool:
        """Whether the file now at the pack's location is the one this pack read (not a pack another
        command made since)."""
        try:
            now, read = os.stat(self.location), os.fstat(self._file.fileno())
        except (OSError, ValueError):
            return False
        return (now.st_dev, now.st_ino) == (read.st_dev, read.st_ino)

    def _read(self, start: int, size: int) -> bytes:
        try:
            if _PREAD is not None:  # (forked workers share the descriptor: no offset to share)
                return _PREAD(self._file.fileno(), size, start)
            self._file.seek(start)  # (no fork where there is no pread: one process reads)
            return self._file.read(size) or b""
        except OSError:
            raise DamagedPack(str(self.location)) from None

    def close(self) -> None:
        self._file.close()


_PREAD = getattr(os, "pread", None)


def count_in(location: Path) -> int | None:
    """How many sources the pack at `location` holds, whatever it was made for (None if there is no
    whole pack there): about how many files a catalog has, before they are looked at."""
    try:
        with open(location, "rb") as file:
            header = _header(file)
    except (OSError, ValueError, EOFError, TypeError, OverflowError, struct.error, MemoryError):
        return None
    return None if header is None else header[3]


def _header(file: BinaryIO) -> tuple | None:
    """The pack's header (format, byte order, key, count, index start, index digest) and the file's
    size, if the file is a whole pack of this format: its start, its end and where the header says
    its index lies agree."""
    size = file.seek(0, os.SEEK_END)
    tail = len(END) + _LENGTH.size
    if size < len(MAGIC) + tail:
        return None
    file.seek(0)
    if file.read(len(MAGIC)) != MAGIC:
        return None
    file.seek(size - tail)
    trailer = file.read(tail)
    if not trailer.endswith(END):
        return None
    [header_size] = _LENGTH.unpack(trailer[:_LENGTH.size])
    if header_size > MOST_HEADER or header_size > size - tail - len(MAGIC):
        return None
    file.seek(size - tail - header_size)
    header = marshal.loads(file.read(header_size))
    if not (isinstance(header, tuple) and len(header) == 6 and header[0] == FORMAT):
        return None
    count, index_start = header[3], header[4]
    if type(count) is not int or type(index_start) is not int or count < 0 or index_start < len(MAGIC):
        return None
    if index_start + _index_size(count, index_start) != size - tail - header_size:
        return None
    return (*header, size)


NARROW_STARTS_BELOW = 1 << 32  # a pack whose records end before this keeps their starts in 4 bytes


def _starts_code(index_start: int) -> str:
    """The array type of a pack's record starts: 4 bytes each, where they all fit (the records end
    where the index starts), else 8."""
    return "I" if index_start < NARROW_STARTS_BELOW else "Q"


def _index_size(count: int, index_start: int) -> int:
    return 8 * count + array(_starts_code(index_start)).itemsize * (count + 1)


def _read_index(file: BinaryIO, matches: Callable[[Any], bool]) -> tuple[array, array, array, Any] | None:
    """The pack's index and what it was made for, if that `matches` and its header and index are
    whole and agree: every record lies between the magic line and the index, one after the other."""
    header = _header(file)
    if header is None:
        return None
    _, byteorder, made_for, count, index_start, index_digest, _ = header
    if byteorder != sys.byteorder or not matches(made_for):
        return None
    file.seek(index_start)
    hashes, places, starts = array("I"), array("I"), array(_starts_code(index_start))
    digest = hashlib.sha256()
    for part, items in ((hashes, count), (places, count), (starts, count + 1)):
        part.fromfile(file, items)  # (read into the arrays: no copy of the index is held)
        digest.update(part)
    if digest.digest() != index_digest or starts[0] != len(MAGIC) or starts[count] != index_start:
        return None
    if any(later < earlier for earlier, later in zip(starts, islice(starts, 1, None))):
        return None
    if count and max(places) >= count:
        return None
    return hashes, places, starts, made_for


class _Stamps(Mapping[str, "bytes | None"]):
    def __init__(self, pack: SourcePack):
        self._pack = pack

    def get(self, source_id: str, default: Any = None) -> bytes | None:
        stamp = self._pack.stamp(source_id)
        return default if stamp is None else stamp

    def __getitem__(self, source_id: str) -> bytes | None:
        stamp = self._pack.stamp(source_id)
        if stamp is None:
            raise KeyError(source_id)
        return stamp

    def __iter__(self) -> Iterator[str]:
        return iter(self._pack)

    def __len__(self) -> int:
        return len(self._pack)


def write_pack(location: Path, key: object, records: Iterable[Record], count: int,
               when_written: Callable[[], object] | None = None) -> bool:
    """Write the `count` records, in order, as the pack for `key`, atomically (a temporary file
    renamed into place). Never fails on the file system's account: False if it could not be written
    (a cache only costs speed). What the records raise (a damaged pack they are read from) is raised,
    and no temporary file is left either way. `when_written` is called once every record is written,
    before the file takes its place: a pack the records were read from is closed then (Windows
    replaces no file that is open)."""
    temporary = None
    written = False
    try:
        location.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(location.parent)
        descriptor, temporary = tempfile.mkstemp(prefix=temporary_prefix(location), suffix=".tmp", dir=location.parent)
        with os.fdopen(descriptor, "wb") as file:
            _write(file, key, records, count)
        if when_written is not None:
            when_written()
        os.replace(temporary, location)
        written = True
    except (OSError, ValueError):
        pass
    finally:
        if temporary and not written:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return written


def _write(file: BinaryIO, key: object, records: Iterable[Record], count: int) -> None:
    file.write(MAGIC)
    position = len(MAGIC)
    starts, by_hash = array("Q"), array("I")
    for record in records:
        head = marshal.dumps(record[:3])
        data = _HEAD_LENGTH.pack(len(head)) + head + record[3]
        starts.append(position)
        by_hash.append(id_hash(record[0]))
        file.write(_CHECKSUM.pack(zlib.crc32(data)) + data)
        position += _CHECKSUM.size + len(data)
    if len(starts) != count:
        raise ValueError(f"{len(starts)} records, not {count}")
    starts.append(position)
    order = sorted(range(count), key=by_hash.__getitem__)
    hashes, places = array("I", (by_hash[place] for place in order)), array("I", order)
    index = hashes.tobytes() + places.tobytes() + array(_starts_code(position), starts).tobytes()
    header = marshal.dumps((FORMAT, sys.byteorder, key, count, position, hashlib.sha256(index).digest()))  # type: ignore[arg-type]
    file.write(index + header + _LENGTH.pack(len(header)) + END)
