"""A catalog as it was at a git revision, read through git itself: nothing checked out, nothing written.

`git rev-parse` finds the repository and the revision, `git ls-tree` lists the catalog's files at
that revision and `git cat-file --batch` reads them all in one process; the texts are parsed by
the same functions that load the working tree (leniently: an entry the current model rejects is
left out, and said so in `Catalog.problems`). Git's optional locks are off, so not even the
index is refreshed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path, PurePosixPath

from kclaims.catalog.files import CLAIMS_FILE, SOURCES_DIR, Catalog, parse_claims, parse_source
from kclaims.errors import BadInput, Problem
from kclaims.model import Source

DEFAULT_REVISION = "HEAD"
GRADE_MODULE = "kclaims/grade.py"  # where the rubric lives, when the catalog shares a repository with kclaims


def _git(root: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(["git", "-C", str(root), *args], input=data, capture_output=True, env=env,
                              check=False)
    except FileNotFoundError:
        raise BadInput("git is not installed: kclaims diff reads earlier revisions through git") from None


def resolve_revision(root: Path, revision: str) -> tuple[str, str]:
    """The commit `revision` names and the catalog's folder inside the repository ("" at its top);
    BadInput when `root` is not in a git repository or the revision names no commit."""
    if revision.startswith("-"):
        raise BadInput(f"{revision!r} is not a revision")
    prefix = _git(root, "rev-parse", "--show-prefix")
    if prefix.returncode != 0:
        raise BadInput(f"{root} is not in a git repository: kclaims diff compares the catalog with a commit "
                       "(run 'git init' and commit the catalog first)")
    found = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if found.returncode != 0:
        raise BadInput(f"no revision {revision!r} in the git repository at {root} "
                       "(try a commit id, a branch, a tag or HEAD~1; 'git log' lists them)")
    return found.stdout.decode().strip(), prefix.stdout.decode().strip()


def load_revision(root: Path, revision: str = DEFAULT_REVISION) -> Catalog:
    """The catalog in `root` as it was at `revision` (an empty catalog if it did not exist yet)."""
    commit, prefix = resolve_revision(root, revision)
    where = PurePosixPath(prefix) if prefix else PurePosixPath()
    claims_name = str(where / CLAIMS_FILE)
    listed = _git(root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", claims_name, f"{where / SOURCES_DIR}/")
    if listed.returncode != 0:
        raise BadInput(f"git ls-tree failed at {commit[:12]}: {listed.stderr.decode(errors='replace').strip()}")
    blobs = {}
    for entry in filter(None, listed.stdout.split(b"\0")):
        meta, name = entry.decode("utf-8", errors="surrogateescape").split("\t", 1)
        if meta.split()[1] == "blob":
            blobs[name] = meta.split()[2]
    texts = _read_blobs(root, blobs)
    return _parse(root, revision, claims_name, texts)


def _read_blobs(root: Path, blobs: dict[str, str]) -> dict[str, str]:
    """Every blob's text by path, in one `git cat-file --batch`."""
    names = list(blobs)
    done = _git(root, "cat-file", "--batch", data="".join(f"{blobs[n]}\n" for n in names).encode())
    if done.returncode != 0:
        raise BadInput(f"git cat-file failed: {done.stderr.decode(errors='replace').strip()}")
    out, texts, at = done.stdout, {}, 0
    for name in names:
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        texts[name] = out[header_end + 1: header_end + 1 + size].decode("utf-8", errors="replace")
        at = header_end + 1 + size + 1
    return texts


def _parse(root: Path, revision: str, claims_name: str, texts: dict[str, str]) -> Catalog:
    catalog = Catalog(root=root)
    label = Path(f"{revision}:{claims_name}")
    if claims_name in texts:
        catalog.claims, catalog.claim_positions, problems = parse_claims(texts[claims_name], label, strict=False)
        catalog.problems.extend(problems)
    sources: dict[str, Source] = {}
    for name, text in texts.items():
        if name == claims_name or not name.endswith(".yaml") or PurePosixPath(name).name.startswith("."):
            continue
        try:
            source = parse_source(text, Path(f"{revision}:{name}"))
            sources[source.id] = source
        except BadInput as error:
            catalog.problems.append(Problem(error.path or Path(name), error.line, error.message))
    catalog.sources = sources
    return catalog


def rubric_at(root: Path, revision: str) -> str | None:
    """The rubric version (as `grade.RUBRIC_VERSION` computes it) of the kclaims in the same repository at
    `revision`, when the catalog shares its repository with kclaims; None otherwise."""
    commit, _ = resolve_revision(root, revision)
    found = _git(root, "show", f"{commit}:{GRADE_MODULE}")
    return hashlib.sha1(found.stdout).hexdigest()[:12] if found.returncode == 0 else None
