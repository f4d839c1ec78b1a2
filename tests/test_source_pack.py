"""The sources' pack (catalog/source_pack.py): every source in one cache file, in a report's order,
read one at a time by id or a slice at a time in order; a pack made for other files or rules, or
damaged, is never believed."""

import hashlib
import marshal
import os
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from kclaims.catalog import source_pack
from kclaims.catalog.source_pack import DamagedPack, SourcePack, write_pack
from kclaims.model import Source, source_to_row

KEY = ("digest-of-the-files", "rules")


def _sources(count: int) -> list[Source]:
    return [Source(f"src{number:04d}", title=f"Study {number}", authors=[f"Author{number % 7} A"], year=2000 + number % 20)
            for number in range(count)]


def _records(sources: list[Source]) -> list[source_pack.Record]:
    return [(source.id, f"stamp-{source.id}".encode(), f"Author 2001{'ab'[index % 2]}" if index < 4 else "",
             marshal.dumps(source_to_row(source))) for index, source in enumerate(sources)]


def _pack(tmp_path: Path, sources: list[Source], key: object = KEY) -> Path:
    location = tmp_path / "catalog-0123456789abcdef-sources.pack"
    assert write_pack(location, key, _records(sources), len(sources))
    return location


def test_a_pack_gives_back_every_source_its_stamp_name_and_place(tmp_path: Path) -> None:
    sources = list(reversed(_sources(300)))  # the order is the records', not the ids'
    pack = SourcePack.open(_pack(tmp_path, sources), KEY)
    assert pack is not None
    assert len(pack) == 300 and list(pack) == [source.id for source in sources]
    for place, source in enumerate(sources):
        assert pack[source.id] == source and pack.get(source.id) == source
        assert pack.stamp(source.id) == f"stamp-{source.id}".encode()
        assert pack.place(source.id) == place
    assert pack.lettered_name(sources[1].id) == "Author 2001b" and pack.lettered_name(sources[10].id) == ""
    assert list(pack.in_order(10, 20)) == sources[10:20]
    assert list(pack.in_order(290, 400)) == sources[290:] and list(pack.in_order(5, 5)) == []
    assert pack.stamps.get(sources[3].id) == f"stamp-{sources[3].id}".encode()
    pack.close()


def test_an_id_not_in_the_pack_is_not_found(tmp_path: Path) -> None:
    pack = SourcePack.open(_pack(tmp_path, _sources(5)), KEY)
    assert pack is not None
    assert pack.get("missing") is None and "missing" not in pack and pack.place("missing") is None
    assert pack.stamp("missing") is None and pack.stamps.get("missing", b"none") == b"none"
    with pytest.raises(KeyError):
        pack["missing"]
    pack.close()


def test_ids_sharing_a_hash_are_told_apart_by_their_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source_pack, "id_hash", lambda source_id: 7)
    sources = _sources(40)
    pack = SourcePack.open(_pack(tmp_path, sources), KEY)
    assert pack is not None
    assert all(pack[source.id] == source and pack.place(source.id) == place for place, source in enumerate(sources))
    assert pack.get("src9999") is None
    pack.close()


def test_a_pack_made_for_other_files_or_rules_is_not_opened(tmp_path: Path) -> None:
    location = _pack(tmp_path, _sources(5))
    assert SourcePack.open(location, ("another-digest", "rules")) is None
    assert SourcePack.open(location, ("digest-of-the-files", "other rules")) is None
    assert SourcePack.open(tmp_path / "missing.pack", KEY) is None


@pytest.mark.parametrize("damage", ["truncated", "index", "trailer", "garbage", "empty", "huge header"])
def test_a_pack_whose_index_or_header_is_damaged_is_not_opened(tmp_path: Path, damage: str) -> None:
    location = _pack(tmp_path, _sources(50))
    data = bytearray(location.read_bytes())
    index_start = data.rindex(source_pack.END) - 300  # inside the index, before the header
    if damage == "truncated":
        del data[-20:]
    elif damage == "index":
        data[index_start] ^= 0xFF
    elif damage == "trailer":
        data[-1] ^= 0xFF
    elif damage == "garbage":
        data = bytearray(os.urandom(len(data)))
    elif damage == "empty":
        data = bytearray()
    else:  # a header length far past the file's start
        data[-len(source_pack.END) - 8:-len(source_pack.END)] = (1 << 40).to_bytes(8, "little")
    location.write_bytes(bytes(data))
    assert SourcePack.open(location, KEY) is None


def test_a_damaged_record_is_found_when_it_is_read(tmp_path: Path) -> None:
    sources = _sources(50)
    location = _pack(tmp_path, sources)
    data = bytearray(location.read_bytes())
    data[len(source_pack.MAGIC) + 5] ^= 0xFF  # inside the first record: the index is whole
    location.write_bytes(bytes(data))
    pack = SourcePack.open(location, KEY)
    assert pack is not None
    assert pack[sources[1].id] == sources[1]  # the others are read as they were
    with pytest.raises(DamagedPack):
        pack.get(sources[0].id)
    with pytest.raises(DamagedPack):
        list(pack.in_order(0, 10))
    pack.close()


def test_a_pack_that_cannot_be_written_leaves_nothing_behind(tmp_path: Path) -> None:
    sources = _sources(5)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert not write_pack(blocked / "catalog-0123456789abcdef-sources.pack", KEY, _records(sources), 5)
    assert not write_pack(tmp_path / "short.pack", KEY, _records(sources), 6)  # fewer records than it was told
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a-file"]


def test_a_pack_made_anew_does_not_mix_with_the_one_being_read(tmp_path: Path) -> None:
    old, new = _sources(30), list(reversed(_sources(30)))
    location = _pack(tmp_path, old)
    pack = SourcePack.open(location, KEY)
    assert pack is not None
    _pack(tmp_path, new, ("digest-of-the-files-now", "rules"))  # another command replaced it
    assert list(pack.in_order(0, 30)) == old and pack.place(old[0].id) == 0
    pack.close()


def test_how_many_sources_a_pack_holds_is_read_whatever_it_was_made_for(tmp_path: Path) -> None:
    location = _pack(tmp_path, _sources(12))
    assert source_pack.count_in(location) == 12
    assert source_pack.count_in(tmp_path / "missing.pack") is None
    location.write_bytes(location.read_bytes()[:-3])
    assert source_pack.count_in(location) is None


def _crafted(location: Path, places=None, starts=None, count=None, garbage=False, record=None) -> None:
    """The pack at `location` rewritten by hand with other index entries or count, and checksums that
    match them: as someone who can write the cache folder could make it."""
    from array import array

    data = location.read_bytes()
    with open(location, "rb") as file:
        form, byteorder, key, real_count, index_start, _, _ = source_pack._header(file)
    arrays = [array("I"), array("I"), array("I")]
    offset = index_start
    for part, items in zip(arrays, (real_count, real_count, real_count + 1)):
        part.frombytes(data[offset:offset + items * part.itemsize])
        offset += items * part.itemsize
    if places is not None:
        arrays[1][0] = places
    if starts is not None:
        arrays[2][1] = starts
    if garbage or record is not None:  # the first record replaced by bytes of its length, with their checksum
        first, end = arrays[2][0], arrays[2][1]
        body = b"\xff" * (end - first - 4) if record is None else record.ljust(end - first - 4, b"\0")[:end - first - 4]
        data = data[:first] + zlib.crc32(body).to_bytes(4, "little") + body + data[end:]
    index = b"".join(part.tobytes() for part in arrays)
    header = marshal.dumps((form, byteorder, key, real_count if count is None else count, index_start,
                            hashlib.sha256(index).digest()))
    location.write_bytes(data[:index_start] + index + header + len(header).to_bytes(8, "little") + source_pack.END)


@pytest.mark.parametrize("craft", [{"places": 10_000}, {"starts": 3}, {"starts": (1 << 32) - 1}, {"count": "many"},
                                   {"count": -5}, {"count": 1 << 70}])
def test_a_pack_crafted_with_matching_checksums_but_no_sense_is_not_opened(tmp_path: Path, craft: dict) -> None:
    location = _pack(tmp_path, _sources(20))
    _crafted(location, **craft)
    assert SourcePack.open(location, KEY) is None
    count = source_pack.count_in(location)
    assert count is None or count == 20


def _garbage(location: Path, sources: list[Source]) -> None:
    _crafted(location, garbage=True)


def _row_of_no_source(location: Path, sources: list[Source]) -> None:
    head = marshal.dumps((sources[0].id, b"stamp", ""))
    short_row = marshal.dumps((None,) * 60)  # a tuple, but more fields than a source has
    _crafted(location, record=len(head).to_bytes(2, "little") + head + short_row)


def _too_short_for_its_checksum(location: Path, sources: list[Source]) -> None:
    with open(location, "rb") as file:
        index_start = source_pack._header(file)[4]
    first = int.from_bytes(location.read_bytes()[index_start + 8 * len(sources):][:4], "little")  # the first record's start
    _crafted(location, starts=first + 2)  # the first record is 2 bytes long; the second starts inside it


@pytest.mark.parametrize("craft", [_garbage, _row_of_no_source, _too_short_for_its_checksum])
def test_a_first_record_crafted_to_pass_its_checksum_but_make_no_sense_is_damage_not_a_crash(
        tmp_path: Path, craft: Callable[[Path, list[Source]], None]) -> None:
    sources = _sources(20)
    location = _pack(tmp_path, sources)
    craft(location, sources)
    pack = SourcePack.open(location, KEY)  # (the index is whole: it opens)
    assert pack is not None
    with pytest.raises(DamagedPack):
        list(pack.in_order(0, 20))
    with pytest.raises(DamagedPack):
        pack.get(sources[0].id)
    pack.close()

def test_a_pack_whose_records_end_past_4_gib_keeps_their_starts_in_8_bytes(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    sources = _sources(40)
    narrow = _pack(tmp_path / "narrow", sources)
    monkeypatch.setattr(source_pack, "NARROW_STARTS_BELOW", 200)  # (a pack of 40 sources ends past 200 bytes)
    wide = _pack(tmp_path / "wide", sources)
    assert wide.stat().st_size == narrow.stat().st_size + 4 * 41  # 4 more bytes for each of the 41 starts
    pack = SourcePack.open(wide, KEY)
    assert pack is not None
    assert list(pack.in_order(0, 40)) == sources
    assert all(pack[source.id] == source and pack.place(source.id) == place for place, source in enumerate(sources))
    pack.close()
    monkeypatch.setattr(source_pack, "NARROW_STARTS_BELOW", 1 << 32)
    assert SourcePack.open(wide, KEY) is None  # read as 4-byte starts, its index does not fit the file
