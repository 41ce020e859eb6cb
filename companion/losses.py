"""Loss functions: the cost J, its gradient dAL, and stable from-logits forms.

Derived in the chapters *Loss functions* (``book/04_losses.ipynb``) and
*Softmax and its Jacobian* (``book/05_softmax.ipynb``).

Conventions (Andrew Ng's): AL and Y are ``(n_L, m)``, one example per column.
The per-example loss L⁽ⁱ⁾ is summed over the output units of column i; the
cost J = (1/m) Σ_i L⁽ⁱ⁾ is the mean over the m examples and is what every
``*_cost`` function returns, as a Python float.

The ``*_gradient`` functions return dAL = ∂L/∂AL column by column, *without*
the 1/m: the 1/m enters exactly once, in dW and db (``companion.layers``).

On probabilities, the argument of every log and every division is floored at
the smallest normal number (``np.finfo(dtype).tiny``), so an output of exactly
0 or 1 gives a large finite cost instead of inf/NaN, and a certain right
answer still costs exactly 0.  The ``*_from_logits``
versions take ZL instead and are accurate at any |z|: no floor, no overflow (log-sum-exp).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._validate import (
    as_numeric,
    check_binary_labels,
    check_choice,
    check_one_hot,
    check_probabilities,
    check_same_shape,
)


def _floor(P):
    """max(P, tiny): the argument of a log or a division is never exactly 0."""
    return np.maximum(P, np.finfo(P.dtype).tiny)


def _xlogy(Y, P):
    """y·log(p) with 0·log(anything) = 0 and log(0) replaced by log(tiny) ≈ −708 (float64)."""
    return np.where(Y == 0, 0, Y * np.log(_floor(P)))


def _logsumexp(Z):
    """log Σ_k e^(z_k) per column, shape (1, m), without overflow."""
    zmax = Z.max(axis=0, keepdims=True)
    return zmax + np.log(np.exp(Z - zmax).sum(axis=0, keepdims=True))


def _checked_probabilities(AL, Y, check_Y):
    """AL checked as probabilities and Y by ``check_Y`` (binary labels or one-hot columns)."""
    AL, Y = _checked_pair(AL, Y)
    check_probabilities("AL", AL)
    check_Y("Y", Y)
    return AL, Y


def _checked_pair(AL, Y, name_a="AL"):
    AL = as_numeric(name_a, AL)
    Y = as_numeric("Y", Y, dtype=AL.dtype)  # a float64 Y never promotes a float32 network
    check_same_shape(name_a, AL, "Y", Y)
    return AL, Y


# --- binary cross-entropy (sigmoid outputs) --------------------------------
def _bce(AL, Y):
    m = AL.shape[1]
    return float(-(_xlogy(Y, AL) + _xlogy(1 - Y, 1 - AL)).sum() / m) + 0.0  # + 0.0: a perfect score is 0.0, not -0.0


def _bce_gradient(AL, Y):
    return -Y / _floor(AL) + (1 - Y) / _floor(1 - AL)


def _bce_from_logits(ZL, Y):
    # −[y log σ(z) + (1−y) log(1−σ(z))] = max(z, 0) − z·y + log(1 + e^(−|z|))
    m = ZL.shape[1]
    return float((np.maximum(ZL, 0) - ZL * Y + np.log1p(np.exp(-np.abs(ZL)))).sum() / m)


def binary_cross_entropy(AL, Y):
    """J = −(1/m) Σ_i [y⁽ⁱ⁾ log a⁽ⁱ⁾ + (1 − y⁽ⁱ⁾) log(1 − a⁽ⁱ⁾)].

    AL: (n_L, m) probabilities in [0, 1]; Y: (n_L, m) labels in [0, 1].
    """
    return _bce(*_checked_probabilities(AL, Y, check_binary_labels))


def binary_cross_entropy_gradient(AL, Y):
    """dAL = ∂L/∂AL = −y/a + (1 − y)/(1 − a) = (a − y) / (a (1 − a)).  Shape (n_L, m)."""
    return _bce_gradient(*_checked_probabilities(AL, Y, check_binary_labels))


def binary_cross_entropy_from_logits(ZL, Y):
    """The same J computed from ZL (AL = σ(ZL)): accurate for any |z| (no floor, no overflow)."""
    ZL, Y = _checked_pair(ZL, Y, "ZL")
    check_binary_labels("Y", Y)
    return _bce_from_logits(ZL, Y)


# --- categorical cross-entropy (softmax outputs) ---------------------------
def _ce(AL, Y):
    return float(-_xlogy(Y, AL).sum() / AL.shape[1]) + 0.0


def _ce_gradient(AL, Y):
    return -Y / _floor(AL)


def _ce_from_logits(ZL, Y):
    # −Σ_k y_k log softmax(z)_k = logsumexp(z) − Σ_k y_k z_k   (using Σ_k y_k = 1)
    return float((_logsumexp(ZL) - (Y * ZL).sum(axis=0, keepdims=True)).sum() / ZL.shape[1])


def cross_entropy(AL, Y):
    """J = −(1/m) Σ_i Σ_k y_k⁽ⁱ⁾ log a_k⁽ⁱ⁾.

    AL: (n_L, m) softmax outputs; Y: (n_L, m) one-hot columns.
    """
    return _ce(*_checked_probabilities(AL, Y, check_one_hot))


def cross_entropy_gradient(AL, Y):
    """dAL = ∂L/∂AL = −y / a (elementwise).  Shape (n_L, m)."""
    return _ce_gradient(*_checked_probabilities(AL, Y, check_one_hot))


def cross_entropy_from_logits(ZL, Y):
    """The same J from ZL (AL = softmax(ZL)): logsumexp(z) − yᵀz per column."""
    ZL, Y = _checked_pair(ZL, Y, "ZL")
    check_one_hot("Y", Y)
    return _ce_from_logits(ZL, Y)


# --- squared error (linear outputs) ----------------------------------------
def _mse(AL, Y):
    return float(((AL - Y) ** 2).sum() / (2 * AL.shape[1]))


def _mse_gradient(AL, Y):
    return AL - Y


def mean_squared_error(AL, Y):
    """J = (1/(2m)) Σ_i ‖a⁽ⁱ⁾ − y⁽ⁱ⁾‖², the half squared error of seed 001, averaged.

    The ½ makes dAL = a − y with no stray factor 2.
    """
    AL, Y = _checked_pair(AL, Y)
    return _mse(AL, Y)


def mean_squared_error_gradient(AL, Y):
    """dAL = ∂L/∂AL = a − y.  Shape (n_L, m)."""
    AL, Y = _checked_pair(AL, Y)
    return _mse_gradient(AL, Y)


# --- fused output layers: dZL = AL − Y --------------------------------------
def output_delta(AL, Y):
    """dZL = AL − Y for sigmoid + binary cross-entropy and softmax + cross-entropy.

    In both pairings g'(ZL) cancels against the loss's 1/(a(1−a)) (or the
    softmax Jacobian against −y/a with Σ y = 1), leaving AL − Y: no division,
    so it is exact even where AL is exactly 0 or 1.  Shape (n_L, m).
    """
    AL, Y = _checked_pair(AL, Y)
    return AL - Y


# --- registry --------------------------------------------------------------
@dataclass(frozen=True)
class Loss:
    """A loss: ``cost(AL, Y)``, ``gradient(AL, Y)`` = dAL, ``from_logits(ZL, Y)``.

    ``fused_with`` names the output activation with which dZL = AL − Y.
    """

    name: str
    cost: Callable
    gradient: Callable
    from_logits: Callable | None
    fused_with: str | None


LOSSES: dict[str, Loss] = {
    "binary_cross_entropy": Loss("binary_cross_entropy", _bce, _bce_gradient, _bce_from_logits, "sigmoid"),
    "cross_entropy": Loss("cross_entropy", _ce, _ce_gradient, _ce_from_logits, "softmax"),
    "mse": Loss("mse", _mse, _mse_gradient, None, None),
}

_LABEL_CHECKS = {"binary_cross_entropy": check_binary_labels, "cross_entropy": check_one_hot}


def get(name: str) -> Loss:
    """Look up a loss by name; unknown names list the valid ones."""
    check_choice("loss", name, tuple(LOSSES))
    return LOSSES[name]


VALID_OUTPUTS = {"binary_cross_entropy": ("sigmoid", "softmax"), "cross_entropy": ("softmax",)}


def check_pairing(output_activation: str, loss: str) -> None:
    """Refuse an output activation that cannot produce what ``loss`` needs.

    Binary cross-entropy takes logs of a probability per output unit, so the
    output must lie in (0, 1): sigmoid (or softmax).  Cross-entropy takes one
    probability distribution per column: softmax.  ``"mse"`` takes any output.
    """
    spec = get(loss)
    valid = VALID_OUTPUTS.get(spec.name)
    if valid is not None and output_activation not in valid:
        raise ValueError(
            f"output activation {output_activation!r} cannot be used with loss {spec.name!r}; valid pairs: "
            "'sigmoid' (or 'softmax') with 'binary_cross_entropy', 'softmax' with 'cross_entropy', "
            "and any output activation with 'mse' (e.g. 'linear' for regression)")


def check_output(loss: str, AL: np.ndarray) -> None:
    """Check that AL is something the output layer for ``loss`` can produce.

    Cross-entropy losses need probabilities in [0, 1]; ``"cross_entropy"``
    also needs every column to sum to 1 (a softmax output).
    """
    name = get(loss).name
    if name == "mse":
        return
    check_probabilities("AL", AL)
    if name == "cross_entropy":
        sums = AL.sum(axis=0)
        tol = 1e-6 if AL.dtype == np.float64 else 1e-3
        bad = np.flatnonzero(np.abs(sums - 1) > tol * AL.shape[0])
        if bad.size:
            raise ValueError(
                f"AL must hold one probability distribution per column for 'cross_entropy' (a softmax output): "
                f"column {int(bad[0])} sums to {sums[bad[0]]:.6g}, expected 1")


def check_labels(loss: str, Y: np.ndarray) -> None:
    """Check Y against what ``loss`` expects (labels in [0, 1], or one-hot)."""
    check = _LABEL_CHECKS.get(get(loss).name)
    if check is not None:
        check("Y", Y)
