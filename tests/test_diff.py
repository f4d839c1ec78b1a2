"""`kclaims diff`: the catalog at a git revision against the working tree, in real git repositories built
in tmp_path; and the diff example of docs/reports.md, checked current."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, invoke, snapshot_files
from report_fixtures import REPORT_CLAIMS, REPORT_SOURCES, write_catalog

from kclaims.catalog.changes import diff_at
from kclaims.catalog.history import load_revision
from kclaims.errors import BadInput
from kclaims.export.changes import changes_lines



def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env).stdout


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def claims_copy() -> list[dict]:
    return json.loads(json.dumps(REPORT_CLAIMS))


def sources_copy() -> list[dict]:
    return json.loads(json.dumps(REPORT_SOURCES))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose subfolder `catalog/` holds the report catalog, committed once."""
    top = tmp_path / "repo"
    top.mkdir()
    git(top, "init", "-q", "-b", "main")
    write_catalog(top / "catalog", claims_copy(), sources_copy())
    commit_all(top, "first")
    return top / "catalog"


def by_id(changes) -> dict:
    return {c.claim: c for c in changes.claims}


def test_nothing_changed_is_empty_and_exit_0(repo):
    assert diff_at(repo).empty
    result = invoke(["diff"], catalog=repo)
    assert result.stdout.startswith("Since HEAD (")
    assert "0 claims added, 0 claims removed, 0 claims changed" in result.stdout


def test_added_removed_and_regraded_claims(repo):
    claims = claims_copy()
    ptsd = next(c for c in claims if c["id"] == "ptsd-relief")
    ptsd["evidence"] = [e for e in ptsd["evidence"] if e["source"] != "null2021"]   # unlinked: now supported
    rapid = next(c for c in claims if c["id"] == "rapid-relief")
    rapid["evidence"][1]["indirect"] = ["population"]                                # an appraisal changed
    claims = [c for c in claims if c["id"] != "bladder-harm"]                        # removed
    claims.append({"id": "new-claim", "statement": "Ketamine is new.", "kind": "background",
                   "evidence": [{"source": "rct2018", "stance": "supports"}]})       # added
    sources = sources_copy()
    next(s for s in sources if s["id"] == "rct2019")["retracted"] = True             # a retraction
    write_catalog(repo, claims, sources)
    before = snapshot_files(repo.parent)
    changes = by_id(diff_at(repo, "HEAD"))
    assert snapshot_files(repo.parent) == before, "diff wrote nothing"
    assert changes["new-claim"].change == "added" and changes["new-claim"].verdict_before is None
    assert changes["bladder-harm"].change == "removed" and changes["bladder-harm"].verdict_after is None
    ptsd_change = changes["ptsd-relief"]
    assert (ptsd_change.verdict_before, ptsd_change.verdict_after) == ("conflicting", "not-assessed")
    assert "unlinked: null2021 contradicts" in ptsd_change.why and "retracted: rct2019" in ptsd_change.why
    rapid_change = changes["rapid-relief"]
    assert rapid_change.why == ("appraisal changed: the supports link to rct2018 (none recorded -> indirect: population)",)
    assert "rapid-relief" in changes and set(changes) == {"new-claim", "bladder-harm", "ptsd-relief", "rapid-relief"}
    result = invoke(["diff", "HEAD", "--json"], catalog=repo)
    record = json.loads(result.stdout)
    assert {c["claim"]: c["change"] for c in record["changed_claims"]} == {
        "new-claim": "added", "bladder-harm": "removed", "ptsd-relief": "changed", "rapid-relief": "changed"}
    assert record["revision"] == "HEAD" and len(record["commit"]) == 40 and record["rubric_before"] is None
    text = invoke(["diff"], catalog=repo).stdout
    assert "changed ptsd-relief: conflicting -> not-assessed (unlinked: null2021 contradicts; retracted: rct2019)" in text


def test_a_renamed_source_is_one_rename_not_a_removal_and_an_addition(repo):
    claims, sources = claims_copy(), sources_copy()
    next(s for s in sources if s["id"] == "null2021")["id"] = "abdallah2021"
    for claim in claims:
        for link in claim.get("evidence", []):
            if link["source"] == "null2021":
                link["source"] = "abdallah2021"
    shutil.rmtree(repo / "sources")
    write_catalog(repo, claims, sources)
    changes = diff_at(repo)
    assert changes.sources_renamed == [("null2021", "abdallah2021")]
    assert changes.sources_added == [] and changes.sources_removed == []
    ptsd = by_id(changes)["ptsd-relief"]
    assert not ptsd.moved and ptsd.why == ("source renamed: null2021 -> abdallah2021",)
    assert "source renamed: null2021 -> abdallah2021" in changes_lines(changes)


def test_an_older_revision_by_name_and_sources_added(repo):
    sources = sources_copy() + [{"id": "extra2024", "title": "Extra", "year": 2024}]
    write_catalog(repo, claims_copy(), sources)
    commit_all(repo.parent, "second")
    assert diff_at(repo, "HEAD").empty
    changes = diff_at(repo, "HEAD~1")
    assert changes.sources_added == ["extra2024"] and changes.claims == []
    old = load_revision(repo, "HEAD~1")
    assert "extra2024" not in old.sources and len(old.claims) == len(REPORT_CLAIMS)


def test_a_revision_without_the_catalog_is_an_empty_catalog(tmp_path):
    top = tmp_path / "repo"
    (top / "elsewhere").mkdir(parents=True)
    git(top, "init", "-q", "-b", "main")
    (top / "elsewhere" / "readme").write_text("x", encoding="utf-8")
    commit_all(top, "before the catalog")
    write_catalog(top / "catalog", claims_copy(), sources_copy())
    changes = diff_at(top / "catalog")
    assert {c.change for c in changes.claims} == {"added"} and len(changes.sources_added) == len(REPORT_SOURCES)


def test_a_bad_revision_is_exit_2_with_a_clear_message(repo):
    result = invoke(["diff", "no-such-rev"], code=2, catalog=repo)
    assert "no revision 'no-such-rev' in the git repository" in result.stderr
    with pytest.raises(BadInput, match="is not a revision"):
        diff_at(repo, "--output=/tmp/x")


def test_not_a_git_repository_is_exit_2(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = write_catalog(tmp_path / "plain", claims_copy(), sources_copy())
    result = invoke(["diff"], code=2, catalog=root)
    assert "is not in a git repository" in result.stderr


def test_a_report_carries_the_changes_since(repo):
    from kclaims.catalog.files import load_catalog
    from kclaims.catalog.query import select_claims
    from kclaims.export.html import export_html
    from kclaims.export.markdown import export_markdown

    claims = [c for c in claims_copy() if c["id"] != "no-topic"]
    write_catalog(repo, claims, sources_copy())
    catalog = load_catalog(repo)
    rows = select_claims(catalog)
    changes = diff_at(repo)
    markdown = export_markdown(rows, list(catalog.sources.values()), since=changes)
    assert "## What changed since HEAD" in markdown
    assert "- removed no-topic: contradicted, ⊕⊕⊕⊕ high -\\> nothing" in markdown
    assert markdown.index("## Which articles hold up") < markdown.index("## What changed") < markdown.index("## Summary")
    html = export_html(rows, list(catalog.sources.values()), since=changes)
    assert '<section id="changes"><h2>What changed since HEAD</h2>' in html
    assert "removed no-topic: contradicted, ⊕⊕⊕⊕ high -&gt; nothing" in html


# --- docs/reports.md ------------------------------------------------------------------------------


def test_the_report_examples_in_docs_are_current():
    from docs import DIFF_EXAMPLE_REVISION, reports_doc

    found = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", "--quiet",
                            f"{DIFF_EXAMPLE_REVISION}^{{commit}}"], capture_output=True)
    if found.returncode != 0:
        pytest.skip(f"{DIFF_EXAMPLE_REVISION} is not in this clone (a shallow checkout)")
    current = (REPO / "docs" / "reports.md").read_text(encoding="utf-8")
    assert reports_doc(current) == current, "docs/reports.md is stale: run `python tools/docs.py`"
    assert "<!-- scorecard-example -->\n### Which articles hold up" in current
    assert "| claim | studies (participants) | verdict and certainty |" in current
    assert f"```text\nSince {DIFF_EXAMPLE_REVISION} (" in current


def test_export_since_adds_what_changed_to_the_report_and_refuses_other_formats(repo):
    path = repo / "claims.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("stance: supports", "stance: contradicts", 1),
                    encoding="utf-8")
    report = invoke(["export", "--format", "md", "--since", "HEAD"], catalog=repo).stdout
    assert "## What changed since HEAD" in report
    html = invoke(["export", "--format", "html", "--since", "HEAD"], catalog=repo).stdout
    assert "What changed since HEAD" in html
    refused = invoke(["export", "--format", "csv", "--since", "HEAD"], code=2, catalog=repo)
    assert "--since goes with --format md or html" in refused.stderr
    assert "not a git repository" not in refused.stderr
