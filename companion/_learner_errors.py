"""When the learner's backward pass raises: where, with which shapes, and the likely fix.

Used by :mod:`companion.gradcheck` (chapter *Gradient checking*,
``book/08_gradient_checking.ipynb``; the clinic, ``book/10_clinic.ipynb``).
The classic crash is a missing transpose, e.g. ``W2 @ dZ2`` with W2 (3, 4) and
dZ2 (3, m): a product (a, b) @ (c, d) needs b = c.  From the traceback we take
the deepest frame of *your* code (not NumPy's, not the companion package's),
read its source line, the shapes of the arrays named in it (from the frame's
local variables), and for each product whose shapes do not fit, try
transposing each operand (and swapping them) and propose the first form whose
shapes fit.
"""
from __future__ import annotations

import ast
import linecache
import os
import traceback
from typing import NamedTuple

import numpy as np

_SKIP = (os.path.dirname(np.__file__), os.path.dirname(os.path.abspath(__file__)))
_SAFE = (ast.Expression, ast.Name, ast.Load, ast.Attribute, ast.Subscript, ast.Constant, ast.Slice,
         ast.Tuple, ast.UnaryOp, ast.USub, ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.MatMult,
         ast.Pow, ast.JoinedStr, ast.FormattedValue)


class LearnerError(NamedTuple):
    """What ``report.exception`` holds when ``grad_fn`` raised."""

    type: str
    message: str
    filename: str | None
    lineno: int | None
    line: str | None
    shapes: dict
    fix: str | None
    explanation: str


def _safe_eval(node, env):
    """Evaluate a side-effect-free expression (names, attributes, indexing, arithmetic), else None."""
    tree = ast.Expression(body=node)
    if not all(isinstance(n, _SAFE) for n in ast.walk(tree)):
        return None
    try:
        return eval(compile(ast.fix_missing_locations(tree), "<expr>", "eval"), {"__builtins__": {}}, env)
    except Exception:  # noqa: BLE001 - any failure just means "cannot read it"
        return None


def _transposed(src, node):
    """The source of the operand transposed (``W.T`` -> ``W``, ``W`` -> ``W.T``)."""
    if isinstance(node, ast.Attribute) and node.attr == "T":
        return src[:-2] if src.endswith(".T") else ast.unparse(node.value)
    simple = isinstance(node, (ast.Name, ast.Attribute, ast.Subscript))
    return f"{src}.T" if simple else f"({src}).T"


def _fits(a, b):
    return len(a) >= 1 and len(b) >= 1 and a[-1] == (b[0] if len(b) < 2 else b[-2])


def _src(node, line):
    return (ast.get_source_segment(line, node) if line else None) or ast.unparse(node)


def _product_fix(node, env, line=None):
    """For ``a @ b`` (or ``np.dot(a, b)``) whose shapes do not fit: (shapes, fix, sentence)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        left, right = node.left, node.right
    elif (isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))
          and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("dot", "matmul") and len(node.args) == 2):
        left, right = node.args
    else:
        return None
    a, b = _safe_eval(left, env), _safe_eval(right, env)
    if not (hasattr(a, "shape") and hasattr(b, "shape")) or np.ndim(a) == 0 or np.ndim(b) == 0:
        return None
    sa, sb = tuple(np.shape(a)), tuple(np.shape(b))
    if _fits(sa, sb):
        return None
    ls, rs = _src(left, line), _src(right, line)
    tries = [
        (_transposed(ls, left), rs, sa[::-1], sb),
        (ls, _transposed(rs, right), sa, sb[::-1]),
        (rs, ls, sb, sa),
        (_transposed(ls, left), _transposed(rs, right), sa[::-1], sb[::-1]),
    ]
    for l_src, r_src, l_shape, r_shape in tries:
        if _fits(l_shape, r_shape):
            out = l_shape[:-1] + r_shape[1:]
            fix = f"{l_src} @ {r_src}"
            why = (f"{ls} @ {rs} multiplies {sa} by {sb}: the inner sizes {sa[-1]} and {sb[0]} differ; "
                   f"{fix} is {l_shape} @ {r_shape} -> {out}")
            return {ls: sa, rs: sb}, fix, why
    return {ls: sa, rs: sb}, None, f"{ls} @ {rs} multiplies {sa} by {sb}: the inner sizes differ"


def _broadcast_fix(node, env, line=None):
    """For an elementwise ``a * b`` (or + −) that cannot broadcast: a transpose that fixes it."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Add, ast.Sub, ast.Div))):
        return None
    a, b = _safe_eval(node.left, env), _safe_eval(node.right, env)
    if not (hasattr(a, "shape") and hasattr(b, "shape")):
        return None
    try:
        np.broadcast_shapes(np.shape(a), np.shape(b))
        return None
    except ValueError:
        pass
    ls, rs = _src(node.left, line), _src(node.right, line)
    sa, sb = tuple(np.shape(a)), tuple(np.shape(b))
    op = {ast.Mult: "*", ast.Add: "+", ast.Sub: "-", ast.Div: "/"}[type(node.op)]
    if sa == sb[::-1]:
        fix = f"{ls} {op} {_transposed(rs, node.right)}"
        return {ls: sa, rs: sb}, fix, f"{ls} is {sa} but {rs} is {sb}: one of them is transposed"
    return {ls: sa, rs: sb}, None, f"{ls} is {sa} but {rs} is {sb}: the shapes cannot broadcast"


def _parse(line):
    """The longest piece of ``line`` that parses (a line may be part of a longer statement)."""
    line = line.rstrip(":").removeprefix("return ").removeprefix("elif ").removeprefix("if ")
    starts = [0] + [i + 1 for i, ch in enumerate(line) if ch in "=:(,"]
    ends = [len(line)] + [i for i, ch in enumerate(line) if ch in ",)"][::-1]
    for a in starts:
        for b in ends:
            piece = line[a:b].strip()
            if b <= a or not piece:
                continue
            try:
                return piece, ast.parse(piece)
            except SyntaxError:
                continue
    return line, None


def explain(exc, fn_name="grad_fn"):
    """A :class:`LearnerError` for an exception raised inside the learner's code."""
    frames = [(f, n) for f, n in traceback.walk_tb(exc.__traceback__)]
    mine = [(f, n) for f, n in frames if not os.path.abspath(f.f_code.co_filename).startswith(_SKIP)]
    frame, lineno = (mine or frames or [(None, None)])[-1]
    line, shapes, fix, why = None, {}, None, ""
    filename = frame.f_code.co_filename if frame is not None else None
    if frame is not None:
        line = linecache.getline(filename, lineno, frame.f_globals).strip() or None
        env = {**frame.f_globals, **frame.f_locals}
        tree = None
        if line:
            code, tree = _parse(line)
        if tree is not None:
            for node in ast.walk(tree):
                if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
                    value = _safe_eval(node, env) if isinstance(getattr(node, "ctx", None), ast.Load) else None
                    if isinstance(value, np.ndarray) and value.ndim >= 1:
                        src = _src(node, code)
                        if not src.endswith(".T"):
                            shapes.setdefault(src, value.shape)
            for node in ast.walk(tree):
                found = _product_fix(node, env, code) or _broadcast_fix(node, env, code)
                if found:
                    more, fix, why = found
                    shapes.update(more)
                    break
    explanation = f"{fn_name} raised {type(exc).__name__}: {exc}"
    if why:
        explanation += f" ({why})"
    return LearnerError(type(exc).__name__, str(exc), filename, lineno, line, shapes, fix, explanation)
