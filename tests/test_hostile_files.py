"""Property-based fuzzing of real catalog files: whatever a file holds, a read command answers with
exit 0, 1 or 2, one line per problem, and changes no file.

The mutations are those that broke kclaims before (issue 12): values the YAML loader accepts but
the model cannot take, tags, aliases, odd keys, flipped and cut bytes. The budget is fixed (a
derandomised run of FUZZ_EXAMPLES examples, a few seconds); set KCLAIMS_FUZZ_EXAMPLES=5000 for a
deep run, or KCLAIMS_FUZZ_RANDOM=1 to explore new examples instead of the same ones each time.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import snapshot_files, write_small_catalog
from kclaims.cli.app import app

FUZZ_EXAMPLES = int(os.environ.get("KCLAIMS_FUZZ_EXAMPLES", "120"))
FILES = ("claims.yaml", "sources/blog.yaml", "sources/anis1983.yaml", "sources/feder2014.yaml", "sources/blog.txt")
READ_COMMANDS = (["list"], ["list", "--json"], ["show", "nmda-antagonism"], ["check"], ["export", "--format", "json"],
                 ["source", "list"])

HOSTILE_VALUES = (
    "2020-13-45", "2020-02-30", "!!bool maybe", "!!int abc", "!!float abc", '"²⁰²⁰"', '"٢٠٢٠"', "9" * 5000,
    "0x" + "f" * 2000, "!!timestamp 2020-01-01 10:00:00 +99:00", "!!binary '@@@'", "!!set {a}", "!!omap [a]",
    "!!python/object/apply:os.system ['echo pwned']", "!custom x", "*undefined", "&a [1, *a]", "~", "[]", "{}",
    ".nan", "-.inf", "1e999", "0o777", "0b101", "1_000", "1:20:30", "2020-01-01T00:00:00Z", "yes", "off",
    "'\u202etxt.exe'", '"\\x1b[31mred"', "x" * 3000, "[[[[[[[[[[", "{a: {b: {c: [1, {d: e}]}}}", "!!str", "!!null x",
    "- a\n- b", "|\n  block", ">-\n  folded", "? [a, b]\n: c", "-1", "0", "2999", "3000", "1e3", "true",
)
HOSTILE_LINES = (
    "? [a, b]\n: c", "on: 2026-01-05", "yes: no", "~: null", "1: one", "<<: {id: merged}", "<<: *nothing",
    "%YAML 1.2", "---", "...", "--- !!set", "\t- tab", "id: dup", "claims: []", "- loose item", "&anchor key: v",
    "\ufeffid: bom", "# comment \x85 next line", "key: \"unclosed", "\x00", "\u2028",
)
LINE = re.compile(r"^(?:\S+(?:(?::\d+)?): .+|error: .+)$")  # `path:line: message`, `path: message` or `error: ...`


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, str, tuple]:
    name = draw(st.sampled_from(FILES))
    kind = draw(st.sampled_from(("value", "value", "line", "bytes", "flip", "cut", "duplicate")))
    index = draw(st.integers(min_value=0, max_value=10_000))
    if kind == "value":
        detail: tuple = (draw(st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(max_size=30))),)
    elif kind == "line":
        detail = (draw(st.one_of(st.sampled_from(HOSTILE_LINES), st.text(max_size=30))),
                  draw(st.sampled_from(("", "  ", "    ", "      "))))
    elif kind == "bytes":
        detail = (draw(st.binary(min_size=1, max_size=8)),)
    else:
        detail = (draw(st.integers(min_value=0, max_value=255)), draw(st.integers(min_value=1, max_value=400)))
    return name, kind, (index, *detail)


def apply(data: bytes, kind: str, detail: tuple) -> bytes:
    """One mutation of a file's bytes (the index wraps round the file)."""
    index = detail[0]
    if kind in ("value", "line", "duplicate"):
        lines = data.decode("utf-8", "replace").split("\n")
        at = index % len(lines)
        if kind == "value":
            head, colon, _ = lines[at].partition(": ")
            lines[at] = f"{head}{colon or ': '}{detail[1]}"
        elif kind == "line":
            lines.insert(at, detail[2] + detail[1])
        else:
            lines.insert(at, lines[at])
        return "\n".join(lines).encode("utf-8", "surrogatepass")
    if not data:
        return bytes(detail[1:2]) if kind == "bytes" else data
    at = index % len(data)
    if kind == "bytes":
        return data[:at] + detail[1] + data[at:]
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ (detail[1] or 1)]) + data[at + 1:]
    return data[:at] + data[at + detail[2]:]  # cut


def _run(root: Path, args: list[str]):
    result = CliRunner().invoke(app, [*args, "--catalog", str(root)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _assert_answers_in_the_contract(args: list[str], code: int, stdout: str, stderr: str) -> None:
    shown = f"kclaims {' '.join(args)} exited {code}\nstdout:\n{stdout[:2000]}\nstderr:\n{stderr[:2000]}"
    assert code in (0, 1, 2), shown
    if code == 2:
        lines = stderr.strip("\n").split("\n")
        assert len(lines) == 1 and LINE.match(lines[0]), shown  # one line for the one problem
        assert "internal error" not in stderr and "Traceback" not in stderr, shown
    if args == ["check"]:
        if code == 1:
            problems = stdout.strip("\n").split("\n")
            assert all(LINE.match(p) for p in problems), shown  # one line per problem
            assert stderr.strip() == f"{len(problems)} problem(s) found.", shown
        elif code == 0:
            assert stdout == "" and "clean" in stderr, shown
    elif code == 1:
        raise AssertionError(f"only check exits 1\n{shown}")


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=not os.environ.get("KCLAIMS_FUZZ_RANDOM"),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], database=None)
@given(st.lists(mutation(), min_size=1, max_size=3))
def test_read_commands_answer_any_mutated_catalog_with_0_1_or_2_and_change_nothing(mutations):
    with tempfile.TemporaryDirectory() as folder:
        root = write_small_catalog(Path(folder) / "catalog")
        for name, kind, detail in mutations:
            path = root / name
            path.write_bytes(apply(path.read_bytes(), kind, detail))
        a_while_ago = time.time() - 60  # old enough to be cached: later commands read the cache
        for path in root.rglob("*"):
            os.utime(path, (a_while_ago, a_while_ago), follow_symlinks=False)
        before = snapshot_files(root)
        for args in READ_COMMANDS:
            code, stdout, stderr = _run(root, args)
            _assert_answers_in_the_contract(args, code, stdout, stderr)
            assert snapshot_files(root) == before, f"kclaims {' '.join(args)} changed a file"


def test_the_mutations_reach_the_cases_that_broke_kclaims():
    """The fuzzer's vocabulary holds every value issue 12 found, so the fixed budget covers them."""
    for value in ("2020-13-45", "2020-02-30", "!!bool maybe", "!!int abc", '"²⁰²⁰"', "9" * 5000):
        assert value in HOSTILE_VALUES
    assert "? [a, b]\n: c" in HOSTILE_LINES
    assert apply(b"year: 1983\n", "value", (0, "!!bool maybe")) == b"year: !!bool maybe\n"
