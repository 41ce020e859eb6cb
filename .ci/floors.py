"""Print a pip constraints file that pins every requirement to its floor.

    python3 .ci/floors.py requirements.txt > constraints.txt

Each requirement with a lower bound ``name>=X`` becomes ``name==X``, so an
environment built with ``pip install -r requirements.txt -c constraints.txt``
has exactly the lowest versions that ``requirements.txt`` allows.  The
constraints are generated, never written by hand, so they cannot drift from
``requirements.txt`` (``tests/test_floors.py`` checks this script).

Only the standard library is used: the script runs before any environment
exists.  A line it does not understand is an error, not silently skipped.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
CLAUSE = re.compile(r"\s*(==|>=|<=|!=|~=|<|>)\s*([A-Za-z0-9.*+!_-]+)\s*")


def floors(text: str) -> dict[str, str]:
    """Map each requirement's name to its lower bound, in file order.

    ``text`` is the content of a requirements file.  Blank lines, comments
    and pip options (``-e .``, ``-r other.txt``) are skipped.  A requirement
    with no ``>=`` (or ``==``) bound, two lower bounds, environment markers,
    URLs or any other syntax raises ``ValueError`` naming the line.
    """
    result: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        where = f"line {number}: {raw.strip()!r}"
        name = NAME.match(line)
        if name is None:
            raise ValueError(f"{where}: expected a package name")
        rest = line[name.end():]
        if rest.startswith("["):  # extras do not change the version
            rest = rest[rest.index("]") + 1:] if "]" in rest else "?"
        lows = []
        for part in rest.split(",") if rest.strip() else []:
            clause = CLAUSE.fullmatch(part)
            if clause is None:
                raise ValueError(f"{where}: expected comparisons such as"
                                 f" 'name>=1.2,<2', got {part!r}")
            if clause[1] in (">=", "=="):
                lows.append(clause[2])
        if len(lows) != 1:
            raise ValueError(f"{where}: expected exactly one '>=' (or '==')"
                             f" bound, got {len(lows)}")
        key = name[0].lower().replace("_", "-").replace(".", "-")
        if key in result:
            raise ValueError(f"{where}: {name[0]} is listed twice")
        result[key] = lows[0]
    return result


def constraints(text: str) -> str:
    """The constraints file for ``text``: one ``name==floor`` line each."""
    return "".join(f"{name}=={low}\n" for name, low in floors(text).items())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 .ci/floors.py requirements.txt")
    try:
        sys.stdout.write(constraints(Path(sys.argv[1]).read_text()))
    except ValueError as error:
        sys.exit(f"{sys.argv[1]}: {error}")
