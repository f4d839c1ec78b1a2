"""The shape of the code (docs/architecture.md): packages in one direction of dependency, no import
cycle, the core never importing the CLI, no module reaching into another's private names, small
modules, heavy libraries where they belong, and generated docs that are current.

Every list of modules here comes from walking the package, so a new module is held to the same rules.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "kclaims"
MAX_MODULE_LINES = 600
# Top to bottom: a module may import from its own layer or those below it, never from above.
LAYERS = (
    ("kclaims.cli", "kclaims.__main__"),
    ("kclaims.export", "kclaims.extract"),
    ("kclaims.literature",),
    ("kclaims.catalog",),
    ("kclaims.grade",),
    ("kclaims.model", "kclaims.text", "kclaims.errors", "kclaims.vocabulary", "kclaims.workers", "kclaims"),
)
CLI_ONLY = ("typer", "rich", "click")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """Every import in the module, at module level or inside functions: (module, names, line)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names], node.lineno))
    return found


def _internal_targets(module: str, names: list[str]) -> set[str]:
    """The kclaims modules an import statement loads (a name may be a submodule)."""
    if module not in MODULES:
        return set()
    submodules = {f"{module}.{name}" for name in names if f"{module}.{name}" in MODULES}
    return submodules | ({module} if len(submodules) < len(names) or not names else set())


def _graph() -> dict[str, set[str]]:
    return {name: set().union(*([_internal_targets(m, n) for m, n, _ in _imports(path)] or [set()])) - {name}
            for name, path in MODULES.items()}


def _layer(module: str) -> int:
    def matches(prefix: str) -> bool:
        return module == prefix or (prefix != "kclaims" and module.startswith(prefix + "."))

    return next(i for i, prefixes in enumerate(LAYERS) if any(matches(p) for p in prefixes))


CORE = sorted(name for name in MODULES if _layer(name) > 0)  # everything below the command line


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_walk_finds_every_package():
    assert {"kclaims.cli.app", "kclaims.catalog.files", "kclaims.literature.resolve", "kclaims.extract.extraction",
            "kclaims.export.view", "kclaims.grade", "kclaims.text"} <= set(MODULES)
    assert all(_layer(name) is not None for name in MODULES)


def test_no_import_cycle_at_module_level_or_inside_functions():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_packages_depend_one_way_only():
    upward = [f"{module} imports {target}" for module, targets in _graph().items() for target in targets
              if _layer(target) < _layer(module)]
    assert upward == []


def test_the_core_never_imports_the_cli_libraries():
    offenders = [f"{name}:{line} imports {module}" for name in CORE for module, _, line in _imports(MODULES[name])
                 if module.split(".")[0] in CLI_ONLY]
    assert offenders == []


def test_no_module_imports_another_modules_private_names():
    offenders = [f"{name}:{line} imports {module}.{imported}" for name, path in MODULES.items()
                 for module, names, line in _imports(path) if module.startswith("kclaims")
                 for imported in names if imported.startswith("_") and not imported.startswith("__")]
    assert offenders == []


def test_no_module_is_over_600_lines():
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    assert {name: size for name, size in sizes.items() if size > MAX_MODULE_LINES} == {}


def test_only_resolve_and_the_client_import_requests():
    importers = {name for name, path in MODULES.items() for module, _, _ in _imports(path)
                 if module.split(".")[0] in ("requests", "urllib3")}
    assert importers == {"kclaims.literature.client"}


def _modules_after_import(module: str) -> set[str]:
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return set(json.loads(done.stdout))


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_cli_and_no_network(module: str):
    loaded = _modules_after_import(module)
    assert not {"typer", "rich", "kclaims.cli"} & loaded
    assert "requests" not in loaded


def test_version_imports_nothing_heavy():
    code = ("import sys, json\nfrom kclaims.cli import app as cli\nprint(json.dumps(sorted(sys.modules)))")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                           check=True, cwd=REPO).stdout))
    assert not {"rich", "requests", "yaml", "ruamel", "bibtexparser", "kclaims.export.json"} & loaded


def test_evidence_doc_tables_are_current():
    from docs import evidence_doc

    current = (REPO / "docs" / "evidence.md").read_text(encoding="utf-8")
    assert evidence_doc(current) == current, "docs/evidence.md is stale: run `python tools/docs.py`"
    assert "| 2 | randomized controlled trial | Randomized Controlled Trial |" in current
