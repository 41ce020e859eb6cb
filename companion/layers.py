"""One layer, forward and backward side by side.

Derived in the chapter *Backprop through one layer, vectorised*
(``book/07_one_layer.ipynb``).  A layer l is two steps:

    linear      Z = W A_prev + b          W: (n_l, n_{l-1}), b: (n_l, 1)
    activation  A = g(Z)                  Z, A: (n_l, m)

and backward, given dA = ∂L/∂A column by column:

    activation  dZ      = dA ⊙ g'(Z)                    (n_l, m)
    linear      dW      = (1/m) dZ A_prevᵀ              (n_l, n_{l-1})
                db      = (1/m) Σ_columns dZ (keepdims)  (n_l, 1)
                dA_prev = Wᵀ dZ                          (n_{l-1}, m)

dW and db are exactly ∂J/∂W and ∂J/∂b of the mean cost J; dA and dZ hold
the per-example derivatives ∂L⁽ⁱ⁾/∂(column i), so the 1/m appears once.

Each public function checks its arguments; the underscored twins do the
arithmetic and are what :mod:`companion.network` calls in its loop.
"""
from __future__ import annotations

import numpy as np

from . import activations as _act
from ._validate import as_numeric, check_shape


# --- linear step -----------------------------------------------------------
def _linear_forward(A_prev, W, b):
    Z = W @ A_prev
    Z += b  # broadcast over the m columns, in place
    return Z, (A_prev, W, b)


def _linear_backward(dZ, cache, need_dA_prev=True):
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T
    dW /= m
    db = dZ.sum(axis=1, keepdims=True)
    db /= m
    dA_prev = W.T @ dZ if need_dA_prev else None  # training never needs dA0 = ∂L/∂X
    return dA_prev, dW, db


def _check_W_b(W, b, where=""):
    """W as a 2-D float array (n_l, n_{l-1}) and b as b's column, in W's dtype."""
    W = as_numeric(f"W{where}", W, layout="a 2-D array of shape (n_l, n_{l-1}): one row per unit of this layer")
    b = as_numeric(f"b{where}", b, dtype=W.dtype,
                   layout=f"a column of shape (n_l, 1) = ({W.shape[0]}, 1), one bias per unit (use b.reshape(-1, 1))")
    return W, b


def _check_cache(cache, n, what, names):
    if isinstance(cache, (str, bytes)) or not isinstance(cache, (tuple, list)) or len(cache) != n:
        raise TypeError(f"cache must be the {n}-tuple ({', '.join(names)}) returned by {what}, "
                        f"got {type(cache).__name__}"
                        + (f" of length {len(cache)}" if hasattr(cache, "__len__") else ""))


def linear_forward(A_prev, W, b):
    """Z = W A_prev + b  (b broadcast across the m columns).

    A_prev: (n_{l-1}, m), W: (n_l, n_{l-1}), b: (n_l, 1) → Z: (n_l, m).
    Returns ``(Z, cache)`` with ``cache = (A_prev, W, b)`` for the backward pass.
    """
    W, b = _check_W_b(W, b)
    A_prev = as_numeric("A_prev", A_prev, dtype=W.dtype)
    n_l, n_prev = W.shape
    check_shape("A_prev", A_prev, (n_prev, None), f"W is {W.shape}, so A_prev needs {n_prev} rows, one example per column")
    check_shape("b", b, (n_l, 1), f"one bias per unit, as a column: W is {W.shape}, so n_l = {n_l}"
                + ("; or W is transposed" if b.shape[0] == n_prev != n_l else ""))
    return _linear_forward(A_prev, W, b)


def linear_backward(dZ, cache):
    """dA_prev = Wᵀ dZ, dW = (1/m) dZ A_prevᵀ, db = (1/m) Σ_columns dZ.

    dZ: (n_l, m) and the cache of :func:`linear_forward` →
    dA_prev: (n_{l-1}, m), dW: (n_l, n_{l-1}), db: (n_l, 1).
    """
    _check_cache(cache, 3, "linear_forward", ("A_prev", "W", "b"))
    W, b = _check_W_b(cache[1], cache[2], where=" in cache")
    A_prev = as_numeric("A_prev in cache", cache[0], dtype=W.dtype)
    check_shape("A_prev in cache", A_prev, (W.shape[1], None), f"W is {W.shape}, so A_prev needs {W.shape[1]} rows")
    dZ = as_numeric("dZ", dZ, dtype=W.dtype)
    check_shape("dZ", dZ, (W.shape[0], A_prev.shape[1]), "it must have the shape of Z = W A_prev + b")
    return _linear_backward(dZ, (A_prev, W, b))


# --- activation step -------------------------------------------------------
def _activation_forward(Z, activation):
    A = _act.ACTIVATIONS[activation].forward(Z)
    return A, (Z, A)


def _activation_backward(dA, cache, activation):
    Z, A = cache
    return _act.ACTIVATIONS[activation].backward(dA, Z, A)


def activation_forward(Z, activation):
    """A = g(Z).  Z: (n_l, m) → A: (n_l, m); returns ``(A, cache)``, cache = (Z, A)."""
    _act.get(activation)
    return _activation_forward(as_numeric("Z", Z), activation)


def activation_backward(dA, cache, activation):
    """dZ = dA ⊙ g'(Z) (softmax: Jᵀ dA per column).  dA: (n_l, m) → dZ: (n_l, m)."""
    _act.get(activation)
    _check_cache(cache, 2, "activation_forward", ("Z", "A"))
    Z = as_numeric("Z in cache", cache[0])
    A = as_numeric("A in cache", cache[1], dtype=Z.dtype)
    check_shape("A in cache", A, Z.shape, "A = g(Z) has Z's shape")
    dA = as_numeric("dA", dA, dtype=Z.dtype)
    check_shape("dA", dA, Z.shape, "it must have the shape of A = g(Z)")
    return _activation_backward(dA, (Z, A), activation)
