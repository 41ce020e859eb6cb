"""The floor constraints that .ci/run tests are exactly requirements.txt's lower bounds.

``.ci/floors.py`` turns each ``name>=X`` of ``requirements.txt`` into
``name==X``; ``.ci/run`` installs with those constraints and runs the unit
tests and every chapter.  These tests read ``requirements.txt`` with
``packaging`` (an independent parser), so a floor cannot be raised or added
in one place and not tested, and check that ``pyproject.toml`` claims the
same floors and the Python that ``.ci/run`` tests them on.
"""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

try:
    import tomllib
except ImportError:  # Python 3.10: pytest itself depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def load_floors():
    spec = importlib.util.spec_from_file_location("floors", ROOT / ".ci" / "floors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def requirements():
    """Requirement objects for the non-option lines of requirements.txt."""
    reqs = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            reqs.append(Requirement(line))
    return reqs


def lower_bounds(specifier: SpecifierSet) -> list[str]:
    return [s.version for s in specifier if s.operator in (">=", "==")]


def test_every_requirement_has_exactly_one_floor():
    reqs = requirements()
    assert len(reqs) >= 10  # the file was read: the package, the book and the test tools
    for req in reqs:
        assert len(lower_bounds(req.specifier)) == 1, f"{req}: give it one '>=' floor"


def test_constraints_pin_each_requirement_to_its_floor():
    text = load_floors().constraints((ROOT / "requirements.txt").read_text())
    lines = text.splitlines()
    assert all(re.fullmatch(r"[a-z0-9-]+==[0-9][0-9a-z.]*", line) for line in lines), lines
    got = {}
    for line in lines:
        name, version = line.split("==")
        assert name not in got, f"{name} pinned twice"
        got[name] = version
    expected = {canonicalize_name(r.name): lower_bounds(r.specifier)[0] for r in requirements()}
    assert got == expected


def test_pyproject_claims_the_same_floors():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floors = {canonicalize_name(r.name): lower_bounds(r.specifier)[0] for r in requirements()}
    for dep in map(Requirement, project["dependencies"]):
        name = canonicalize_name(dep.name)
        assert lower_bounds(dep.specifier) == [floors[name]], (
            f"pyproject.toml says {dep}, requirements.txt's floor is {floors[name]}")


def ci_pythons():
    """The Pythons .ci/run runs the tests on, by role: {'MAIN': ['3.11'], ...}."""
    text = (ROOT / ".ci" / "run").read_text()
    roles = {}
    for role in ("MAIN", "FLOOR", "NEWER"):
        line = re.search(rf'^{role}_PYTHONS?="?([^"\n]*)"?$', text, re.M)
        assert line, f".ci/run must set {role}_PYTHON"
        roles[role] = re.findall(r"python(3\.\d+)", line[1])
    return roles


def test_requires_python_claims_exactly_what_ci_runs():
    claim = SpecifierSet(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"])
    claimed = {f"3.{minor}" for minor in range(30) if f"3.{minor}.0" in claim and f"3.{minor}.99" in claim}
    roles = ci_pythons()
    assert len(roles["MAIN"]) == len(roles["FLOOR"]) == 1
    run = set(roles["MAIN"] + roles["FLOOR"] + roles["NEWER"])
    assert claimed == run
    # the floors are tested on the lowest claimed Python (the one that old numpy still supports)
    assert roles["FLOOR"][0] == min(claimed, key=lambda v: int(v.split(".")[1]))


@pytest.mark.parametrize("text, problem", [
    ("numpy<3\n", "exactly one '>=' (or '==') bound, got 0"),
    ("numpy\n", "exactly one '>=' (or '==') bound, got 0"),
    ("numpy>=1,>=2\n", "got 2"),
    ("numpy>=1\nNumPy>=2\n", "listed twice"),
    ("numpy>=1; python_version<'3.11'\n", "expected comparisons"),
    ("pkg @ https://example.org/pkg.whl\n", "expected comparisons"),
])
def test_a_line_it_cannot_pin_is_an_error_naming_the_line(text, problem):
    with pytest.raises(ValueError, match=re.escape(problem)) as error:
        load_floors().floors("# comment\n-e .\n" + text)
    assert "line 3:" in str(error.value) or "line 4:" in str(error.value)


def test_options_comments_and_extras():
    text = "-e .\n# note\n\nFoo_Bar[extra] >= 1.2 , < 2  # why\n"
    assert load_floors().constraints(text) == "foo-bar==1.2\n"
