"""Find and load a catalog: `claims.yaml` plus `sources/<id>.yaml` (and `.txt` snapshots).

Reading uses PyYAML's C-accelerated safe loader (fast, no object-constructing tags); changing
files is `writing.py`'s. Parsed files are cached (see `cache.py`), keyed by each file's size and
modification time, so an unchanged catalog loads without parsing YAML.

Every catalog file is read through `read_catalog_file`: regular files only (a FIFO or a device
is refused without waiting on it), at most MAX_FILE_BYTES, stamped before they are read.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kclaims.catalog import atomic, cache, cache_files
from kclaims.errors import BadInput, CatalogNotFound, Problem
from kclaims.workers import in_workers
from kclaims.model import (Claim, Invalid, KeyPath, Source, claim_from_dict, claim_from_row, claim_to_row,
                           source_from_dict, source_to_row)

if TYPE_CHECKING:
    import yaml

CLAIMS_FILE = "claims.yaml"
SOURCES_DIR = "sources"
LOCK_FILE = ".kclaims.lock"
# Larger files are refused unread: a claims.yaml of 100,000 claims is about 80 MB, an article's text
# rarely 1 MB; a runaway file (or a link to /dev/zero) must not take all the memory.
MAX_FILE_BYTES = 256 * 1024 * 1024
UTF8_BOM = b"\xef\xbb\xbf"
MAX_NUMBER_CHARACTERS = 1000  # a longer YAML integer is refused (int() itself stops at 4,300 digits, confusingly)
HOW_TO_GET_A_CATALOG = (
    "run 'kclaims init DIR' to make one, or point at one with --catalog DIR or KCLAIMS_CATALOG"
)
EMPTY_CLAIMS_FILE = """\
# The claims of this catalog, in the order you keep them. Each claim:
#   - id: nmda-antagonism                  # a short slug
#     statement: Ketamine blocks NMDA glutamate receptors.
#     kind: mechanism                      # mechanism | efficacy | safety | dosing | background
#     topics: [chronic-pain]
#     made_in:                             # the articles that make it, in their own words
#       - {source: clinic-blog, quote: "By blocking this receptor, ketamine can reduce pain"}
#     evidence:                            # papers: supports | contradicts | mentions
#       - {source: anis1983, stance: supports, note: What the paper found.}
# Add them with `kclaims claim add` or by hand; `kclaims check` says what is wrong and where.
claims: []
"""


@dataclass
class Catalog:
    """A loaded catalog: claims in file order, sources by id, and (lenient loads) what was wrong."""

    root: Path
    claims: list[Claim] = field(default_factory=list)
    sources: Mapping[str, Source] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    claim_positions: list[int] = field(default_factory=list)  # index in the file of each loaded claim
    store: cache.Store | None = field(default=None, repr=False)  # the parsed-file cache it came from

    @property
    def claims_path(self) -> Path:
        return self.root / CLAIMS_FILE

    @property
    def sources_dir(self) -> Path:
        return self.root / SOURCES_DIR

    def claim(self, claim_id: str) -> Claim:
        """The claim with this id, or BadInput naming the closest ids."""
        return self.claims[self.claim_index(claim_id)]

    def claim_index(self, claim_id: str) -> int:
        """Where the claim with this id is in `claims`, or BadInput naming the closest ids."""
        for index, claim in enumerate(self.claims):
            if claim.id == claim_id:
                return index
        if claim_id in self.sources:
            raise BadInput(f"{claim_id!r} is a source, not a claim: try 'kclaims source show {claim_id}'")
        raise BadInput(f"no claim with id {claim_id!r}{_suggest(claim_id, [c.id for c in self.claims])}")

    def source(self, source_id: str) -> Source:
        """The source with this id, or BadInput naming the closest ids."""
        if source_id in self.sources:
            return self.sources[source_id]
        raise BadInput(f"no source with id {source_id!r}{_suggest(source_id, list(self.sources))}")

    def snapshot_path(self, source_id: str) -> Path:
        return self.sources_dir / f"{source_id}.txt"


def _suggest(wanted: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.6)
    return f" (did you mean: {', '.join(close)}?)" if close else ""


# --- finding ---------------------------------------------------------------------------------


def find_catalog(explicit: Path | None = None, start: Path | None = None) -> Path:
    """The catalog folder: `explicit` if given, else the nearest folder upward holding claims.yaml."""
    if explicit is not None:
        if not explicit.exists():
            raise CatalogNotFound(f"{explicit} does not exist; {HOW_TO_GET_A_CATALOG}")
        if not (explicit / CLAIMS_FILE).is_file():
            raise CatalogNotFound(f"{explicit} is not a kclaims catalog (no {CLAIMS_FILE}); {HOW_TO_GET_A_CATALOG}")
        return explicit
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CLAIMS_FILE).is_file():
            return folder
    raise CatalogNotFound(f"no catalog in {here} or any folder above it; {HOW_TO_GET_A_CATALOG}")


def init_catalog(root: Path) -> Path:
    """Create an empty catalog in `root` (made if missing); refuse if one is already there."""
    if (root / CLAIMS_FILE).exists():
        raise BadInput(f"{root / CLAIMS_FILE} already exists; this folder is already a catalog")
    if root.exists() and not root.is_dir():
        raise BadInput(f"{root} exists and is not a folder")
    (root / SOURCES_DIR).mkdir(parents=True, exist_ok=True)
    atomic.write_atomically(root / CLAIMS_FILE, EMPTY_CLAIMS_FILE)
    gitignore = root / ".gitignore"
    if not gitignore.exists():
        atomic.write_atomically(gitignore, f"{LOCK_FILE}\n")
    return root


# --- loading ---------------------------------------------------------------------------------


def load_catalog(root: Path, strict: bool = True) -> Catalog:
    """Load every claim and source. Strict: the first invalid entry raises BadInput with its line.
    Lenient (for `check`): invalid entries are skipped and recorded in `catalog.problems`."""
    catalog = Catalog(root=root)
    store = cache.open_store(root)
    files = source_file_keys(root)
    cached = store.get_many(files)
    with _parsing([path for (path, _), packed in zip(files, cached) if packed is None]) as parsed:
        catalog.claims = _load_claims(catalog, store, strict)  # while workers parse the sources, if they do
        catalog.sources = _source_table(catalog, store, strict, files, cached, parsed())
    store.listed_all = True
    store.save()
    if not catalog.problems:
        catalog.store = store
    return catalog


def _load_claims(catalog: Catalog, store: cache.Store, strict: bool) -> list[Claim]:
    path = catalog.claims_path
    if not path.is_file():
        raise BadInput(f"{path} is missing; {HOW_TO_GET_A_CATALOG}")
    cached = _cached_claims(store, str(path))
    if cached is not None:
        catalog.claim_positions = list(range(len(cached)))
        return cached
    try:
        data, stamp = read_catalog_file(path)
        claims, positions, problems = parse_claims(decode_text(data, path), path, strict)
    except BadInput as error:
        if strict:
            raise
        catalog.problems.append(Problem(error.path or path, error.line, error.message))
        return []
    if not problems:
        _keep_claim_rows(store, [claim_to_row(claim) for claim in claims], stamp)
    catalog.problems.extend(problems)
    catalog.claim_positions = positions
    return claims


CLAIM_CHUNK = cache.CLAIM_CHUNK  # claims.yaml's rows are cached in chunks (shards of their own), its ids with the rows


def cached_claim_ids(store: cache.Store, path: str) -> list[str] | None:
    """The ids of claims.yaml's claims, in file order, if it is unchanged since they were cached."""
    return store.get(path, CLAIMS_FILE)


def cached_claim_row(store: cache.Store, position: int) -> tuple | None:
    """The cached row of the claim at `position` in claims.yaml, if the file is unchanged since its
    ids were read (`cached_claim_ids`)."""
    [chunk] = store.claim_chunks([position // CLAIM_CHUNK], store.stamps.get(CLAIMS_FILE))
    return cache_files.unmarshal(chunk)[position % CLAIM_CHUNK] if chunk is not None else None


def _cached_claims(store: cache.Store, path: str) -> list[Claim] | None:
    """claims.yaml's claims from the cache, if the file is unchanged. Each chunk of rows stays
    packed until its claims are made, so a large catalog never holds all its rows and claims at once."""
    ids = cached_claim_ids(store, path)
    if ids is None:
        return None
    chunks = store.claim_chunks(range(chunk_count(len(ids))), store.stamps.get(CLAIMS_FILE))
    claims: list[Claim] = []
    for chunk in chunks:
        if chunk is None:
            return None
        claims.extend(claim_from_row(row) for row in cache_files.unmarshal(chunk))
    return claims


def chunk_count(claims: int) -> int:
    """How many chunks of claim rows `claims` claims are cached in."""
    return -(-claims // CLAIM_CHUNK)


def _keep_claim_rows(store: cache.Store, rows: list[tuple], stamp: cache.Stamp) -> None:
    store.put(CLAIMS_FILE, [row[0] for row in rows], stamp)
    store.put_claim_chunks([marshal.dumps(rows[start:start + CLAIM_CHUNK]) for start in range(0, len(rows), CLAIM_CHUNK)],
                           stamp, len(rows))


def parse_claims(text: str, path: Path, strict: bool = True) -> tuple[list[Claim], list[int], list[Problem]]:
    """Claims from the text of a claims file, each with its index in the file, and the problems
    found (lenient; invalid claims are left out) or raised (strict)."""
    data = _parse_yaml(text, path)
    if data is None:
        data = {"claims": []}
    if not isinstance(data, dict) or "claims" not in data or not isinstance(data["claims"], (list, type(None))):
        raise BadInput("must be a mapping with a 'claims:' list (see docs/catalog-files.md)", path, 1)
    unknown = sorted(str(key) for key in data if key != "claims")
    if unknown:
        raise BadInput(f"unknown top-level key {unknown[0]!r}: claims go under 'claims:'", path,
                       locate_line(text, (unknown[0],)))
    claims: list[Claim] = []
    positions: list[int] = []
    problems: list[Problem] = []
    for i, item in enumerate(data.get("claims") or []):
        try:
            claims.append(_claim_from_dict(item, ("claims", i)))
            positions.append(i)
        except Invalid as error:
            problem = Problem(path, locate_line(text, error.where), error.message)
            if strict:
                raise BadInput(problem.message, path, problem.line) from None
            problems.append(problem)
    return claims, positions, problems


def _claim_from_dict(item: Any, where: KeyPath) -> Claim:
    try:
        return claim_from_dict(item, where)
    except Invalid:
        raise
    except _UNFORESEEN as error:  # values the model did not foresee are the file's fault, not a crash
        raise Invalid(_unforeseen(error), where) from None


_UNFORESEEN = (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError)


def _unforeseen(error: Exception) -> str:
    return f"kclaims cannot read this entry ({type(error).__name__}: {str(error)[:200]})"


def _source_table(catalog: Catalog, store: cache.Store, strict: bool, files: list[tuple[str, str]],
                  cached: list[Any | None], parsed: list[Parsed]) -> cache.SourceTable:
    """The sources: cached rows, and the files parsed now (their problems raised, or noted)."""
    fresh = iter(parsed)
    sources = cache.SourceTable()
    for (_, key), packed in zip(files, cached):
        if packed is None:
            packed, stamp, problem = next(fresh)
            if problem is not None:
                if strict:
                    raise BadInput(problem.message, problem.path, problem.line)
                catalog.problems.append(problem)
                continue
            if packed is None or stamp is None:
                continue
            store.put(key, packed, stamp)
        sources.add_packed(source_id_of(key), packed)
    return sources


# Source files read for the first time are parsed in worker processes when there are thousands
# (see kclaims/workers.py): a catalog of 20,000 files cold is mostly PyYAML's time.
Parsed = tuple[bytes | None, cache.Stamp | None, Problem | None]  # packed row and stamp, or the problem


def parse_source_files(paths: list[str]) -> list[Parsed]:
    """Each source file parsed (in order): its packed row and stamp, or the problem that stops it
    loading. Many files are shared among worker processes where the system can fork them."""
    with _parsing(paths) as parsed:
        return parsed()


def _parsing(paths: list[str]) -> AbstractContextManager[Callable[[], list[Parsed]]]:
    """Start parsing `paths`; the block gets a function that waits for the results."""
    return in_workers(_parse_chunk, paths)


def _parse_chunk(paths: list[str]) -> list[Parsed]:
    return [_parse_packed(path) for path in paths]


def _parse_packed(path: str) -> Parsed:
    try:
        data, stamp = read_catalog_file(path)
        source = parse_source(decode_text(data, path), Path(path))
    except BadInput as error:
        return None, None, Problem(error.path or Path(path), error.line, error.message)
    return marshal.dumps(source_to_row(source)), stamp, None


def source_file_keys(root: Path) -> list[tuple[str, str]]:
    """Each source file of the catalog at `root` (sorted by name) as its path and its cache key."""
    prefix = os.path.join(root / SOURCES_DIR, "")
    return [(prefix + name, f"{SOURCES_DIR}/{name}") for name in source_file_names(root)]


def source_id_of(key: str) -> str:
    """The id of the source whose file has this cache key: its file name (checked when it was parsed)."""
    return key[len(SOURCES_DIR) + 1: -len(".yaml")]


def source_file_names(root: Path) -> list[str]:
    """The names of the catalog's source files, sorted. Plain strings, not Path objects: a large
    catalog has tens of thousands of these."""
    try:
        with os.scandir(root / SOURCES_DIR) as entries:
            return sorted(e.name for e in entries if is_source_file_name(e.name))
    except FileNotFoundError:
        return []


def is_source_file_name(name: str) -> bool:
    """Whether a file in the sources folder is a source's (hidden files, such as an edit's temporary
    one, are not)."""
    return name.endswith(".yaml") and not name.startswith(".")


def parse_source(text: str, path: Path) -> Source:
    """A Source from the text of `sources/<id>.yaml`; its id must match the file name."""
    data = _parse_yaml(text, path)
    try:
        return _source_named(data, path)
    except Invalid as error:
        raise BadInput(error.message, path, locate_line(text, error.where)) from None
    except _UNFORESEEN as error:
        raise BadInput(_unforeseen(error), path) from None


def check_source_data(data: dict, path: Path) -> Source:
    """The Source that `data`, the mapping about to be written to `path`, holds; BadInput if none."""
    try:
        return _source_named(data, path)
    except Invalid as error:
        raise BadInput(error.message, path) from None
    except _UNFORESEEN as error:
        raise BadInput(_unforeseen(error), path) from None


def _source_named(data: Any, path: Path) -> Source:
    source = source_from_dict(data)
    if source.id != path.stem:
        raise Invalid(f"id {source.id!r} does not match the file name {path.name}", ("id",))
    return source


def read_catalog_file(path: Path | str) -> tuple[bytes, cache.Stamp]:
    """The bytes of a regular file (through a symbolic link), and its stamp taken *before* reading
    (see `cache.Store.put`). A folder, FIFO or device is refused without waiting on it, and so is
    a file over MAX_FILE_BYTES; any of these, or a file that cannot be opened, is BadInput."""
    return cache.read_stamped(path, MAX_FILE_BYTES)


def decode_text(data: bytes, path: Path | str) -> str:
    """UTF-8 text (a byte-order mark at the start is allowed and dropped), or BadInput."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadInput(f"not UTF-8 text ({error.reason} at byte {error.start})", path) from None


def read_catalog_text(path: Path | str) -> str:
    """The UTF-8 text of a catalog file, read as `read_catalog_file` reads; BadInput if it cannot be."""
    return decode_text(read_catalog_file(path)[0], path)


def _parse_yaml(text: str, path: Path) -> Any:
    import yaml

    try:
        try:
            return yaml.load(text, Loader=_safe_loader())
        except (ValueError, TypeError, KeyError, OverflowError):
            # a constructor's own error (2020-13-45, !!int abc) carries no line: load again, slowly,
            # with every node's construction watched, to say where it is
            return yaml.load(text, Loader=_pinpointing_loader())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise BadInput(_yaml_message(error), path, line) from None
    except yaml.YAMLError as error:
        raise BadInput(f"invalid YAML: {error}", path) from None
    except RecursionError:
        raise BadInput("invalid YAML: nested too deeply", path) from None


def _yaml_message(error: yaml.MarkedYAMLError) -> str:
    problem = str(error.problem or error.context or "invalid YAML")
    if "constructor for the tag" in problem:
        return f"YAML tags that construct objects are not allowed ({problem.split('tag')[-1].strip()})"
    return f"invalid YAML: {problem}"


_LOADERS: dict[str, Any] = {}


def _safe_loader() -> Any:
    """PyYAML's C safe loader, refusing duplicate keys (PyYAML would silently keep the last one)."""
    if "safe" not in _LOADERS:
        import yaml

        class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
            def construct_yaml_int(self, node: Any) -> int:
                if len(str(node.value)) > MAX_NUMBER_CHARACTERS:
                    raise ValueError(f"a number longer than {MAX_NUMBER_CHARACTERS} characters")
                return super().construct_yaml_int(node)

            def construct_mapping(self, node: Any, deep: bool = False) -> Any:
                try:
                    mapping = super().construct_mapping(node, deep=deep)
                except yaml.constructor.ConstructorError as error:
                    if error.problem != "found unhashable key":
                        raise
                    mapping = {}  # `? [a, b]`: a key that is a list or mapping; found below
                if len(mapping) != len(node.value):  # fewer keys than written: a repeated or unusable one
                    _refuse_keys(node)
                return mapping

        StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_yaml_int)
        _LOADERS["safe"] = StrictLoader
    return _LOADERS["safe"]


def _refuse_keys(node: Any) -> None:
    """Raise for the first key of a mapping node that is a list or mapping, or repeats an earlier one
    (PyYAML would silently keep the last)."""
    import yaml

    seen: set[Any] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value, not a list or mapping", key_node.start_mark)
        if key_node.value in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key_node.value!r}: the first one would be silently lost",
                key_node.start_mark)
        seen.add(key_node.value)
    raise yaml.constructor.ConstructorError(  # written differently, read the same: `true:` and `True:`
        None, None, "two keys that read as the same value: the first one would be silently lost", node.start_mark)


def _pinpointing_loader() -> Any:
    """The safe loader, turning the plain ValueError, KeyError... that PyYAML's constructors raise
    into errors with the node's line. Slower (a Python call around every node): used only to
    report an error the safe loader met."""
    if "pinpointing" not in _LOADERS:
        import yaml

        class PinpointingLoader(_safe_loader()):  # type: ignore[misc]
            def construct_object(self, node: Any, deep: bool = False) -> Any:
                try:
                    return super().construct_object(node, deep=deep)
                except (ValueError, TypeError, KeyError, OverflowError) as error:
                    raise yaml.constructor.ConstructorError(
                        None, None, _unreadable_value(node, error), node.start_mark) from None

        _LOADERS["pinpointing"] = PinpointingLoader
    return _LOADERS["pinpointing"]


def _unreadable_value(node: yaml.Node, error: Exception) -> str:
    value = str(node.value) if isinstance(node.value, str) else ""
    shown = value if len(value) <= 40 else value[:40] + "…"
    tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
    reason = "" if isinstance(error, KeyError) else f" ({str(error)[:200]})"
    return f"{shown!r} is not a valid {tag}{reason}"


def locate_line(text: str, where: KeyPath) -> int | None:
    """The 1-based line of the value at key path `where` in YAML `text` (the nearest existing parent)."""
    return line_at(compose_yaml(text), where)


def compose_yaml(text: str) -> yaml.Node | None:
    """The YAML node tree of `text` (positions, no values built), or None if it does not parse."""
    import yaml

    try:
        return yaml.compose(text, Loader=_safe_loader())
    except yaml.YAMLError:
        return None


def line_at(node: yaml.Node | None, where: KeyPath) -> int | None:
    """The 1-based line of the node at key path `where` under `node` (the nearest existing parent)."""
    line = node.start_mark.line + 1 if node is not None else None
    for step in where:
        node = _child(node, step)
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _child(node: yaml.Node | None, step: str | int) -> yaml.Node | None:
    import yaml

    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        return node.value[step]
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value) == str(step):
                return value
    return None
