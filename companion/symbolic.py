"""From a SymPy derivation to a NumPy check, in one line.

Used by every chapter of Parts I and II: derive with SymPy, turn the result
into a NumPy function with :func:`to_numpy`, and compare it with the
package's implementation on real arrays with :func:`check_against`.

    >>> import sympy as sp
    >>> z = sp.symbols("z")
    >>> d = derivative(1 / (1 + sp.exp(-z)), z)
    >>> check_against(d, [z], companion.activations.sigmoid_derivative, np.linspace(-5, 5, 11))

Matrix helpers (:func:`matrix_symbols`, :func:`gradient_matrix`) let the
chapter *Backprop through one layer* (``book/07_one_layer.ipynb``) differentiate a scalar cost entry by
entry and compare with the matrix formula.
"""
from __future__ import annotations

import numpy as np
import sympy as sp


def derivative(expr, var, simplify=True):
    """d expr / d var, simplified by default."""
    d = sp.diff(expr, var)
    return sp.simplify(d) if simplify else d


def to_numpy(expr, symbols):
    """A NumPy function of ``symbols`` that evaluates ``expr`` elementwise.

    Unlike bare ``sympy.lambdify``, a constant result (such as a derivative
    equal to 1) is broadcast to the shape of the inputs.
    """
    symbols = list(symbols)
    f = sp.lambdify(symbols, expr, modules="numpy")

    def evaluate(*arrays):
        arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
        out = np.asarray(f(*arrays), dtype=np.float64)
        return np.broadcast_to(out, np.broadcast_shapes(*(a.shape for a in arrays))).copy() if arrays else out

    evaluate.expr = expr
    return evaluate


def check_against(expr, symbols, fn, *inputs, rtol=1e-10, atol=1e-12):
    """Assert that ``fn(*inputs)`` equals ``expr`` evaluated on ``inputs``; return the max abs difference.

    Raises ``AssertionError`` naming the worst input when they differ, so a
    notebook cell calling it fails under nbval if the package or the
    derivation is wrong.
    """
    expected = to_numpy(expr, symbols)(*inputs)
    got = np.asarray(fn(*inputs), dtype=np.float64)
    if got.shape != expected.shape:
        raise AssertionError(f"{getattr(fn, '__name__', 'fn')} returned shape {got.shape}, derivation gives {expected.shape}")
    diff = np.abs(got - expected)
    bad = diff > atol + rtol * np.abs(expected)
    if bad.any():
        i = np.unravel_index(np.argmax(np.where(bad, diff, -1)), diff.shape)
        where = ", ".join(f"{s}={np.asarray(a)[i] if np.ndim(a) else a}" for s, a in zip(symbols, inputs))
        raise AssertionError(
            f"{getattr(fn, '__name__', 'fn')} differs from {expr} at {where}: {got[i]!r} vs {expected[i]!r}"
        )
    return float(diff.max())


def matrix_symbols(name, rows, cols):
    """A ``rows × cols`` SymPy matrix of symbols ``name_{ij}`` (1-based, like the maths)."""
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{{{i + 1}{j + 1}}}"))


def gradient_matrix(scalar, M):
    """The matrix of partial derivatives ∂scalar/∂M_ij, shaped like ``M``."""
    return M.applyfunc(lambda entry: sp.diff(scalar, entry))


def substitute(expr, *pairs):
    """Replace symbol matrices by numbers: ``substitute(expr, (W, W_value), (A, A_value))``."""
    mapping = {}
    for symbols, values in pairs:
        values = np.asarray(values, dtype=np.float64)
        for s, v in zip(sp.Matrix(symbols), values.ravel()):
            mapping[s] = v
    return expr.subs(mapping)


def as_array(expr):
    """A fully numeric SymPy matrix or number as a float64 NumPy array."""
    return np.array(sp.Matrix(expr).evalf(), dtype=np.float64) if isinstance(expr, sp.MatrixBase) \
        else np.array(float(expr))
