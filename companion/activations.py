"""Activation functions g and their derivatives g', side by side.

Derived in the chapter *Activation functions and their derivatives*
(``book/03_activations.ipynb``); softmax and its Jacobian in *Softmax and its
Jacobian* (``book/05_softmax.ipynb``).

All functions are elementwise on an array ``Z`` of any shape, except softmax,
which normalises each column of a ``(n, m)`` array (one example per column).
They are stable for ``|z|`` in the thousands in float32 and float64: no
overflow, no NaN.

``ACTIVATIONS`` maps a name to an :class:`Activation` holding the unchecked
forward function, its derivative and the backward rule ``dZ = dA * g'(Z)``;
the public functions below check their input first.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._validate import as_numeric, check_choice

LEAKY_SLOPE = 0.01


def _checked(fn):
    """Validate the array arguments, then call ``fn``; keep ``fn`` as ``.raw``."""

    @functools.wraps(fn)
    def wrapper(Z, *args, **kwargs):
        return fn(as_numeric("Z", Z, ndim=None), *args, **kwargs)

    wrapper.raw = fn
    return wrapper


# --- sigmoid ---------------------------------------------------------------
@_checked
def sigmoid(Z):
    """σ(z) = 1 / (1 + e^(−z)), computed without overflow.

    For z ≥ 0 use 1/(1 + e^(−z)); for z < 0 the same value written as
    e^z/(1 + e^z).  Either way the exponent is −|z| ≤ 0, so e^(…) never
    overflows.  Shape in = shape out.
    """
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1 / (1 + e), e / (1 + e))


@_checked
def sigmoid_derivative(Z):
    """σ'(z) = e^(−z) / (1 + e^(−z))² = σ(z) (1 − σ(z)).  Shape in = shape out.

    σ' is even, so it is evaluated as e^(−|z|) / (1 + e^(−|z|))²: for large
    positive z the product σ(1 − σ) would round 1 − σ to 0 (σ'(50) would be
    0 instead of 1.9e-22); this form keeps full relative precision on both sides.
    """
    e = np.exp(-np.abs(Z))
    return e / (1 + e) ** 2


# --- tanh ------------------------------------------------------------------
@_checked
def tanh(Z):
    """tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z)).  Shape in = shape out."""
    return np.tanh(Z)


@_checked
def tanh_derivative(Z):
    """tanh'(z) = 1 − tanh²(z) = 4 e^(−2z) / (1 + e^(−2z))².  Shape in = shape out.

    tanh' is even, so it is evaluated as 4 e^(−2|z|) / (1 + e^(−2|z|))²: the
    form 1 − tanh² rounds to exactly 0 once tanh(z) rounds to ±1 (|z| ≳ 19 in
    float64), while this one keeps full relative precision (tanh'(30) ≈ 3.5e-26).
    """
    e = np.exp(-2 * np.abs(Z))
    return 4 * e / (1 + e) ** 2


# --- ReLU ------------------------------------------------------------------
@_checked
def relu(Z):
    """relu(z) = max(0, z).  Shape in = shape out."""
    return np.maximum(Z, 0)


@_checked
def relu_derivative(Z):
    """relu'(z) = 1 if z > 0 else 0 (the Heaviside step).

    At exactly z = 0 relu is not differentiable; we choose 0 there, as
    PyTorch and TensorFlow do.  Any value in [0, 1] is a valid subgradient.
    Exact zeros are rare in the first layer but common in deeper layers at
    initialisation: with zero biases, an example for which every unit of the
    layer below is off has Z = b = 0 exactly (chapter *Activation functions
    and their derivatives*, ``book/03_activations.ipynb``).  The choice then
    decides whether db receives those examples' gradient.
    """
    return (Z > 0).astype(Z.dtype)


# --- leaky ReLU ------------------------------------------------------------
@_checked
def leaky_relu(Z, slope=LEAKY_SLOPE):
    """leaky_relu(z) = z if z > 0 else slope·z (slope 0.01 by default)."""
    return np.where(Z > 0, Z, slope * Z)


@_checked
def leaky_relu_derivative(Z, slope=LEAKY_SLOPE):
    """leaky_relu'(z) = 1 if z > 0 else slope (slope at exactly 0, like ReLU)."""
    return np.where(Z > 0, 1, slope).astype(Z.dtype)


# --- linear (identity) -----------------------------------------------------
@_checked
def linear(Z):
    """linear(z) = z, for regression outputs."""
    return Z.copy()


@_checked
def linear_derivative(Z):
    """linear'(z) = 1."""
    return np.ones_like(Z)


# --- softmax (per column) --------------------------------------------------
def _softmax(Z):
    shifted = Z - Z.max(axis=0, keepdims=True)  # log-sum-exp shift: exponents ≤ 0
    e = np.exp(shifted)
    return e / e.sum(axis=0, keepdims=True)


def softmax(Z):
    """softmax(z)_i = e^(z_i) / Σ_k e^(z_k), for each column of ``Z``.

    Z: (n, m) → A: (n, m), every column sums to 1.  Subtracting each column's
    maximum first leaves the result unchanged and keeps every exponent ≤ 0.
    """
    return _softmax(as_numeric("Z", Z, ndim=2))


def softmax_jacobian(z):
    """The Jacobian ∂s/∂z = diag(s) − s sᵀ of one column, shape (n, n).

    Entry (i, j) is s_i (δ_ij − s_j): s_i(1 − s_i) on the diagonal and
    −s_i s_j off it.  ``z`` may be a 1-D vector or an (n, 1) column.
    """
    z = as_numeric("z", z, ndim=None)
    if z.ndim == 2 and z.shape[1] == 1:
        z = z[:, 0]
    if z.ndim != 1:
        raise ValueError(f"z must be one column, shape (n,) or (n, 1); got shape {z.shape}")
    s = _softmax(z[:, None])[:, 0]
    return np.diag(s) - np.outer(s, s)


def _softmax_backward(dA, A):
    return A * (dA - (A * dA).sum(axis=0, keepdims=True))


def softmax_backward(dA, A):
    """dZ = Jᵀ dA for every column, without building any Jacobian.

    With J = diag(a) − a aᵀ (symmetric), column by column
    dz = a ⊙ (da − (aᵀ da)).  dA, A: (n, m) → dZ: (n, m); O(n m) instead of
    the O(n² m) of forming each Jacobian.
    """
    dA = as_numeric("dA", dA, ndim=2)
    A = as_numeric("A", A, ndim=2, dtype=dA.dtype)
    if A.shape != dA.shape:
        raise ValueError(f"A has shape {A.shape} but dA has shape {dA.shape}; they must match")
    return _softmax_backward(dA, A)


# --- registry --------------------------------------------------------------
@dataclass(frozen=True)
class Activation:
    """One activation: ``forward(Z) -> A`` and ``backward(dA, Z, A) -> dZ``.

    ``derivative(Z)`` is the elementwise g'(Z), or ``None`` for softmax, whose
    derivative is a Jacobian per column and is applied by ``backward``.
    ``kinks`` lists the values of z where g is continuous but not
    differentiable (0 for ReLU and leaky ReLU): a central difference whose
    step moves a z across one of them measures neither one-sided slope, so
    :mod:`companion.gradcheck` judges those entries with one-sided estimates
    (chapter *Gradient checking*, ``book/08_gradient_checking.ipynb``).
    """

    name: str
    forward: Callable
    derivative: Callable | None
    kinks: tuple = ()

    def backward(self, dA, Z, A):
        """dZ = dA ⊙ g'(Z) (elementwise), or Jᵀ dA per column for softmax."""
        if self.derivative is None:
            return _softmax_backward(dA, A)
        return dA * self.derivative(Z)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid.raw, sigmoid_derivative.raw),
    "tanh": Activation("tanh", tanh.raw, tanh_derivative.raw),
    "relu": Activation("relu", relu.raw, relu_derivative.raw, kinks=(0.0,)),
    "leaky_relu": Activation("leaky_relu", leaky_relu.raw, leaky_relu_derivative.raw, kinks=(0.0,)),
    "linear": Activation("linear", linear.raw, linear_derivative.raw),
    "softmax": Activation("softmax", _softmax, None),
}


def get(name: str) -> Activation:
    """Look up an activation by name; unknown names list the valid ones."""
    check_choice("activation", name, tuple(ACTIVATIONS))
    return ACTIVATIONS[name]
