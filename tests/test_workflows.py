"""The GitHub workflows a fork publishes with: valid against the published schema, and doing what the README says."""
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def load(name):
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())


def test_there_are_two_workflows():
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "pages.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_the_github_workflow_schema(path):
    # check-jsonschema ships SchemaStore's github-workflow schema: no network needed
    exe = Path(sys.executable).with_name("check-jsonschema")
    run = subprocess.run([str(exe), "--builtin-schema", "vendor.github-workflows", str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_ci_runs_the_repository_ci_script_on_push_and_pull_request():
    ci = load("ci.yml")
    assert {"push", "pull_request"} <= set(ci[True])  # YAML 1.1 reads the key `on` as True
    steps = [s.get("run", "") for s in ci["jobs"]["test"]["steps"]]
    assert any("bash .ci/run" in s for s in steps)


def test_pages_builds_the_site_and_deploys_it():
    pages = load("pages.yml")
    build = pages["jobs"]["build"]["steps"]
    assert any("jupyter-book build ." in s.get("run", "") and "-W" in s.get("run", "") for s in build)
    assert any(s.get("uses", "").startswith("actions/upload-pages-artifact") and s["with"]["path"] == "_build/html"
               for s in build)
    deploy = pages["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in deploy["steps"])
    assert pages["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
