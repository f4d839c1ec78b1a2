"""Editing commands never lose what a person wrote, never half-write, and never collide."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import invoke, snapshot_files
from kclaims.catalog.files import load_catalog
from kclaims.catalog.writing import edit_yaml
from kclaims.catalog.edit import add_claim, link_evidence
from kclaims.errors import BadInput, ConflictError
from kclaims.model import Claim


def test_comment_and_unknown_key_survive_claim_link(small_catalog: Path):
    invoke(["claim", "link", "ptsd-relief", "anis1983", "--stance", "mentions", "--note", "Not about PTSD."],
           catalog=small_catalog)
    text = (small_catalog / "claims.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Hand-written comment that must survive edits.\n")
    assert "    curator_extra: an unknown key a person added\n" in text
    assert "    topics: [depression, chronic-pain]\n" in text
    evidence = load_catalog(small_catalog).claim("ptsd-relief").evidence
    assert [(e.source, e.stance, e.note) for e in evidence][-1] == ("anis1983", "mentions", "Not about PTSD.")


def test_link_again_updates_stance_instead_of_doubling(small_catalog: Path):
    assert link_evidence(small_catalog, "ptsd-relief", "feder2014", "contradicts", "Re-read.") is not None
    evidence = load_catalog(small_catalog).claim("ptsd-relief").evidence
    assert [(e.source, e.stance) for e in evidence] == [("feder2014", "contradicts")]


def test_claim_add_then_quote_then_grade_through_cli(small_catalog: Path):
    invoke(["claim", "add", "rapid-onset", "Ketamine relieves depression within hours.", "--kind", "efficacy",
            "--topic", "depression", "--from", "blog", "--quote", "Ketamine works on the NMDA receptor."],
           catalog=small_catalog)
    invoke(["claim", "quote", "rapid-onset", "blog", "Some say ketamine"], catalog=small_catalog)
    invoke(["claim", "grade", "rapid-onset", "supported", "--certainty", "low", "--because", "Only small trials."],
           catalog=small_catalog)
    claim = load_catalog(small_catalog).claim("rapid-onset")
    assert claim.topics == ["depression"]
    assert [q.text for q in claim.made_in] == ["Ketamine works on the NMDA receptor.", "Some say ketamine"]
    assert (claim.grade.verdict, claim.grade.certainty, claim.grade.because) == ("supported", "low", "Only small trials.")
    assert invoke(["check"], catalog=small_catalog).exit_code == 0


def test_source_new_writes_a_web_article(small_catalog: Path):
    invoke(["source", "new", "clinic-2020", "--title", "Ketamine & you", "--url", "https://clinic.example/k",
            "--site", "Clinic", "--date", "2020-09-01"], catalog=small_catalog)
    source = load_catalog(small_catalog).source("clinic-2020")
    assert (source.kind, source.title, source.site, source.date, source.year) == (
        "web-article", "Ketamine & you", "Clinic", "2020-09-01", 2020)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["claim", "link", "nope", "anis1983", "--stance", "supports"], "no claim with id 'nope'"),
        (["claim", "link", "ptsd-relief", "anis1984", "--stance", "supports"], "did you mean: anis1983"),
        (["claim", "add", "ptsd-relief", "Dup.", "--kind", "efficacy"], "already exists"),
        (["claim", "add", "Bad Id", "x", "--kind", "efficacy"], "not a valid id"),
        (["claim", "add", "new-one", "x", "--kind", "magic"], "'kind' is 'magic'"),
        (["claim", "add", "new-one", "x", "--kind", "efficacy", "--from", "ghost", "--quote", "q"], "no source"),
        (["claim", "add", "new-one", "x", "--kind", "efficacy", "--from", "blog"], "--from and --quote go together"),
        (["claim", "grade", "ptsd-relief", "strong", "--because", "x"], "verdict 'strong' is not one of"),
        (["claim", "grade", "ptsd-relief", "supported", "--certainty", "good", "--because", "x"],
         "certainty 'good' is not one of"),
        (["claim", "grade", "ptsd-relief", "supported", "--because", "  "], "'because' must not be empty"),
        (["claim", "grade", "ptsd-relief", "supported", "--because", "x"], "a 'supported' grade needs --certainty"),
        (["claim", "grade", "ptsd-relief", "conflicting", "--certainty", "low", "--because", "x"],
         "a 'conflicting' grade has no certainty: leave out --certainty"),
        (["claim", "quote", "ptsd-relief", "blog", ""], "'quote' must not be empty"),
        (["source", "new", "blog", "--title", "Again"], "already exists"),
        (["source", "new", "../escape", "--title", "x"], "not a valid id"),
        (["source", "new", "ok-id", "--title", "x", "--date", "yesterday"], "not a date"),
    ],
)
def test_bad_edits_exit_2_with_one_line_and_change_nothing(small_catalog: Path, args, message):
    before = snapshot_files(small_catalog)
    result = invoke(args, code=2, catalog=small_catalog)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot_files(small_catalog) == before


def test_usage_error_exits_2(small_catalog: Path):
    result = invoke(["claim", "link", "ptsd-relief", "anis1983", "--stance", "loves"], code=2, catalog=small_catalog)
    assert "loves" in result.stderr


def test_refuses_to_overwrite_a_file_changed_after_reading(small_catalog: Path):
    path = small_catalog / "claims.yaml"
    before = "x"
    with pytest.raises(ConflictError, match="changed on disk"):
        with edit_yaml(path, validate=lambda text: None) as document:
            document["claims"][0]["statement"] = "Changed by kclaims."
            before = path.read_text(encoding="utf-8") + "# edited by hand meanwhile\n"
            path.write_text(before, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == before


def test_invalid_result_is_not_written(small_catalog: Path):
    path = small_catalog / "claims.yaml"
    original = path.read_bytes()

    def reject(text: str) -> None:
        raise BadInput("rejected")

    with pytest.raises(BadInput):
        with edit_yaml(path, validate=reject) as document:
            document["claims"][0]["kind"] = "nonsense"
    assert path.read_bytes() == original
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_add_claim_to_file_with_flush_list_style_keeps_that_style(tmp_path: Path):
    root = tmp_path / "c"
    (root / "sources").mkdir(parents=True)
    (root / "claims.yaml").write_text("claims:\n- id: a\n  statement: A.\n  kind: background\n", encoding="utf-8")
    add_claim(root, Claim(id="b", statement="B.", kind="background"))
    text = (root / "claims.yaml").read_text(encoding="utf-8")
    assert text.startswith("claims:\n- id: a\n  statement: A.\n")
    assert "\n- id: b\n" in text


CONCURRENT_ADD = """
import sys
from pathlib import Path
from kclaims.catalog.edit import add_claim
from kclaims.model import Claim
root, prefix = Path(sys.argv[1]), sys.argv[2]
for i in range(5):
    add_claim(root, Claim(id=f"{prefix}-{i}", statement=f"Claim {prefix} number {i}.", kind="background"))
"""


def test_two_processes_adding_claims_at_once_both_land(small_catalog: Path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    workers = [subprocess.Popen([sys.executable, "-c", CONCURRENT_ADD, str(small_catalog), name], env=env)
               for name in ("alpha", "beta")]
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    ids = [c.id for c in load_catalog(small_catalog).claims]
    assert len(ids) == 12
    assert {f"{p}-{i}" for p in ("alpha", "beta") for i in range(5)} <= set(ids)
    assert yaml.safe_load((small_catalog / "claims.yaml").read_text(encoding="utf-8"))["claims"][0]["curator_extra"]


def test_cli_add_in_two_real_processes(small_catalog: Path):
    kclaims = [sys.executable, "-m", "kclaims"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    procs = [subprocess.Popen(kclaims + ["claim", "add", f"cli-{n}", f"Statement {n}.", "--kind", "dosing",
                                         "--catalog", str(small_catalog)], env=env, stderr=subprocess.PIPE)
             for n in range(2)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    ids = {c.id for c in load_catalog(small_catalog).claims}
    assert {"cli-0", "cli-1"} <= ids


def test_quote_and_link_fill_an_empty_list(small_catalog: Path):
    path = small_catalog / "claims.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    evidence:\n      - source: feder2014\n        stance: supports\n"
                        "        note: Reduced PTSD symptom severity 24 hours after infusion versus midazolam.\n",
                        "    evidence:\n")
    path.write_text(text, encoding="utf-8")
    invoke(["claim", "link", "ptsd-relief", "feder2014", "--stance", "supports"], catalog=small_catalog)
    assert [e.source for e in load_catalog(small_catalog).claim("ptsd-relief").evidence] == ["feder2014"]


def test_regrading_keeps_the_comment_beside_the_grade_and_says_what_it_replaced(small_catalog: Path):
    invoke(["claim", "grade", "ptsd-relief", "supported", "--certainty", "low", "--because", "First look."],
           catalog=small_catalog)
    path = small_catalog / "claims.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "      because: First look.\n", "      because: First look.\n      # reviewed by RB, 2026-11\n"),
        encoding="utf-8")
    result = invoke(["claim", "grade", "ptsd-relief", "conflicting", "--because", "Second look."], catalog=small_catalog)
    assert "replaces supported, low: First look." in result.stderr
    text = path.read_text(encoding="utf-8")
    assert "# reviewed by RB, 2026-11" in text and "because: Second look." in text
    assert "certainty" not in text.split("ptsd-relief")[-1]  # conflicting has no certainty


def test_regrading_a_rubric_1_grade_puts_the_verdict_where_the_label_was(small_catalog: Path):
    path = small_catalog / "claims.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "    kind: efficacy\n", "    kind: efficacy\n    grade:\n      label: strong  # rubric 1\n      because: Old.\n", 1)
    path.write_text(text, encoding="utf-8")
    assert "rubric-1 grade (label 'strong')" in invoke(["check"], code=1, catalog=small_catalog).stdout
    invoke(["claim", "grade", "ptsd-relief", "supported", "--certainty", "moderate", "--because", "New."],
           catalog=small_catalog)
    after = path.read_text(encoding="utf-8")
    assert "    grade:\n      verdict: supported\n      certainty: moderate\n      because: New.\n" in after
    assert "label:" not in after
    invoke(["check"], catalog=small_catalog)


@pytest.mark.parametrize("bad_id", ["evil\n", "trailing\n\n", "UPPER", "a/b"])
def test_ids_with_newlines_or_slashes_are_refused(small_catalog: Path, bad_id: str):
    result = invoke(["source", "new", bad_id, "--title", "x"], code=2, catalog=small_catalog)
    assert "not a valid id" in result.stderr
    assert not [p for p in (small_catalog / "sources").iterdir() if p.name.startswith(bad_id.strip()[:3])]


# --- hostile files: an editor saving during the write, symbolic links, leftovers of kill -9 ----


def test_an_editor_saving_while_the_temporary_file_is_written_is_never_overwritten(
        small_catalog: Path, monkeypatch: pytest.MonkeyPatch):
    path = small_catalog / "claims.yaml"
    saved_by_editor = path.read_text(encoding="utf-8") + "# saved in an editor during the write\n"
    real_fsync = os.fsync

    def editor_saves_meanwhile(descriptor: int) -> None:  # after the first check, before the rename
        real_fsync(descriptor)
        if path.read_text(encoding="utf-8") != saved_by_editor:
            path.write_text(saved_by_editor, encoding="utf-8")

    monkeypatch.setattr(os, "fsync", editor_saves_meanwhile)
    claim = Claim(id="rapid-onset", statement="Ketamine acts within hours.", kind="efficacy")
    with pytest.raises(ConflictError, match="changed on disk"):
        add_claim(small_catalog, claim)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert path.read_text(encoding="utf-8") == saved_by_editor
    assert [p.name for p in small_catalog.iterdir() if p.name.endswith(".tmp")] == []


def test_a_symlinked_claims_file_stays_a_symlink_and_its_target_is_edited(small_catalog: Path, tmp_path: Path):
    elsewhere = tmp_path / "dotfiles"
    elsewhere.mkdir()
    (small_catalog / "claims.yaml").rename(elsewhere / "claims.yaml")
    (small_catalog / "claims.yaml").symlink_to(elsewhere / "claims.yaml")
    invoke(["claim", "link", "ptsd-relief", "anis1983", "--stance", "mentions"], catalog=small_catalog)
    assert (small_catalog / "claims.yaml").is_symlink()
    assert "source: anis1983\n        stance: mentions" in (elsewhere / "claims.yaml").read_text(encoding="utf-8")
    assert [p.name for p in elsewhere.iterdir()] == ["claims.yaml"]  # no temporary file left beside it


def test_a_symlinked_source_file_stays_a_symlink(small_catalog: Path, tmp_path: Path):
    link = small_catalog / "sources" / "blog.yaml"
    target = tmp_path / "shared-blog.yaml"
    link.rename(target)
    link.symlink_to(target)
    with edit_yaml(link, validate=lambda text: None) as document:
        document["title"] = "Ketamine for chronic pain, revised"
    assert link.is_symlink()
    assert "revised" in target.read_text(encoding="utf-8")


def test_a_new_source_is_never_written_through_a_dangling_symlink(small_catalog: Path, tmp_path: Path):
    outside = tmp_path / "outside.yaml"
    (small_catalog / "sources" / "planted.yaml").symlink_to(outside)
    invoke(["source", "new", "planted", "--title", "Planted"], code=2, catalog=small_catalog)
    assert not outside.exists()


def _dead_pid() -> int:
    process = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(process.stdout)


def test_leftover_temporary_files_of_a_killed_write_are_cleaned_on_the_next_write(small_catalog: Path):
    import time

    dead = _dead_pid()
    killed = small_catalog / f".claims.yaml.{dead}-abcd1234.tmp"  # kill -9 between write and rename
    old_style = small_catalog / ".claims.yaml.zz99yy88.tmp"  # from an older kclaims: no process id, an hour old
    in_flight = small_catalog / f".claims.yaml.{os.getpid()}-live0001.tmp"  # a write still under way: kept
    not_ours = small_catalog / ".notes.tmp"  # someone else's file: never touched
    for leftover in (killed, old_style, in_flight, not_ours):
        leftover.write_text("claims: [half", encoding="utf-8")
    an_hour_ago = time.time() - 3700
    os.utime(old_style, (an_hour_ago, an_hour_ago))
    os.utime(not_ours, (an_hour_ago, an_hour_ago))
    sources_leftover = small_catalog / "sources" / f".blog.yaml.{dead}-abcd1234.tmp"
    sources_leftover.write_text("id: blo", encoding="utf-8")

    assert "half" not in invoke(["list", "--json"], catalog=small_catalog).stdout  # listings ignore them
    invoke(["source", "list"], catalog=small_catalog)
    invoke(["check"], catalog=small_catalog)

    invoke(["claim", "link", "ptsd-relief", "anis1983", "--stance", "mentions"], catalog=small_catalog)
    assert not killed.exists() and not old_style.exists()
    assert in_flight.exists() and not_ours.exists()
    invoke(["source", "new", "uncited-2024", "--title", "Not cited yet"], catalog=small_catalog)
    assert not sources_leftover.exists()
