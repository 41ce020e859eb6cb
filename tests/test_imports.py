"""The package's import graph: acyclic, every module importable first, SymPy not loaded eagerly."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "companion"


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(module_name(p) for p in PACKAGE.rglob("*.py"))


def internal_imports(path):
    """The companion modules that ``path`` imports at module level or inside functions."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "companion"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "companion":
                continue
            for alias in node.names:  # `from . import losses` names a module; `from .x import f` a name in x
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
    found.discard(name)
    return found


def graph():
    return {module_name(p): internal_imports(p) for p in PACKAGE.rglob("*.py")}


def find_cycle(edges):
    """A list of modules forming a cycle, or None (depth-first search with colours)."""
    colour, stack = {}, []

    def visit(node):
        colour[node] = "grey"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if colour.get(nxt) == "grey":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in colour:
                found = visit(nxt)
                if found:
                    return found
        colour[node] = "black"
        stack.pop()
        return None

    for node in sorted(edges):
        if node not in colour:
            found = visit(node)
            if found:
                return found
    return None


def test_the_parser_sees_the_known_edges():
    g = graph()
    assert {"companion._core", "companion.mlp", "companion.display"} <= g["companion.network"]
    assert "companion._core" in g["companion.gradcheck"] and "companion._core" in g["companion.mlp"]
    assert "companion.data" in g["companion.datasets.build_mnist_sample"]


def test_cycle_finder_finds_a_planted_cycle():
    # the pre-refactor graph: network imports mlp, which imported network's helpers
    cycle = find_cycle({"network": {"mlp"}, "mlp": {"network", "optim"}, "optim": set()})
    assert cycle[0] == cycle[-1] and sorted(cycle[:-1]) == ["mlp", "network"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_import_graph_is_acyclic():
    g = graph()
    # a package's __init__ imports its submodules; a submodule never imports the package itself
    for name, targets in g.items():
        assert "companion" not in targets or name == "companion", f"{name} imports the package companion"
    edges = {k: v - {"companion"} for k, v in g.items()}
    assert find_cycle(edges) is None, f"import cycle: {' -> '.join(find_cycle(edges))}"


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_first_in_a_fresh_interpreter(module):
    code = f"import importlib; importlib.import_module({module!r}); import companion; print('ok')"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr


def test_import_companion_loads_neither_sympy_nor_matplotlib_until_asked():
    code = (
        "import json, sys, companion\n"
        "before = {m: m in sys.modules for m in ('sympy', 'matplotlib', 'tqdm', 'pooch')}\n"
        "f = companion.symbolic.derivative\n"
        "after = 'sympy' in sys.modules\n"
        "print(json.dumps([before, after, 'plotting' in dir(companion)]))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after, listed = json.loads(run.stdout)
    assert before == {"sympy": False, "matplotlib": False, "tqdm": False, "pooch": False}
    assert after and listed


def test_unknown_attribute_is_an_attribute_error():
    import companion

    with pytest.raises(AttributeError, match="has no attribute 'symbolik'"):
        companion.symbolik  # noqa: B018
