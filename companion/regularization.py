"""L2 regularisation and inverted dropout, each forward rule beside its backward rule.

Part IV of the book derives them (*L2 regularisation and dropout*,
``book/16_regularisation.ipynb``).  The book's convention holds: dA and dZ
are per-example derivatives, and the 1/m enters once, where the examples are
summed.  A whole network uses them through ``l2=`` and ``keep_prob=`` of
:mod:`companion.network` and :class:`companion.mlp.MLP`.

L2 (weight decay), for the cost J_λ = J + (λ / 2m) Σ_l ‖W[l]‖²_F:

    cost term      (λ / 2m) Σ_l Σ_jk W[l]_jk²
    gradient term  ∂/∂W[l] = (λ / m) W[l]         (added to dW[l]; b[l] gets none)

Inverted dropout on A[l] (n_l, m), keeping each unit with probability p:

    forward   D ~ Bernoulli(p) of A's shape,  A_drop = A ⊙ D / p   (so E[A_drop] = A)
    backward  dA = dA_drop ⊙ D / p                                   (the same mask D)
    test time A_drop = A                                             (no mask, no scale)
"""
from __future__ import annotations

import numpy as np

from ._validate import as_numeric, check_positive_int, check_same_shape


def _check_lambda(lambd, name="lambd"):
    if isinstance(lambd, bool) or not isinstance(lambd, (int, float, np.integer, np.floating)) \
            or not np.isfinite(lambd) or lambd < 0:
        raise ValueError(f"{name} (the L2 strength λ) must be a finite number ≥ 0, got {lambd!r}")
    return float(lambd)


def _check_keep_prob(keep_prob):
    if isinstance(keep_prob, bool) or not isinstance(keep_prob, (int, float, np.integer, np.floating)) \
            or not (0 < keep_prob <= 1):
        raise ValueError(f"keep_prob must be a probability in (0, 1], got {keep_prob!r}")
    return float(keep_prob)


# --- L2 ------------------------------------------------------------------------------
def l2_cost(parameters, lambd, m):
    """(λ / 2m) Σ_l ‖W[l]‖²_F over the W matrices of ``parameters`` (biases are not penalised).

    ``parameters``: ``{"W1": (n_1, n_0), "b1": …}``; ``m``: the number of
    examples the data cost J averages over.  Returns a float.
    """
    lambd = _check_lambda(lambd)
    m = check_positive_int("m", m)
    if not isinstance(parameters, dict) or not any(k.startswith("W") for k in parameters):
        raise TypeError("parameters must be a dict with keys 'W1', 'b1', …")
    return _l2_cost([as_numeric(f"parameters[{k!r}]", v) for k, v in parameters.items() if k.startswith("W")],
                    lambd, m)


def _l2_cost(Ws, lambd, m):
    """The unchecked twin of :func:`l2_cost`, over a list of W matrices."""
    return lambd / (2 * m) * sum(float(np.sum(W * W)) for W in Ws)


def l2_gradient(W, lambd, m):
    """(λ / m) W: what L2 adds to dW[l].  W: (n_l, n_{l-1}) → same shape."""
    lambd = _check_lambda(lambd)
    m = check_positive_int("m", m)
    W = as_numeric("W", W)
    return _l2_gradient(W, lambd, m)


def _l2_gradient(W, lambd, m):
    return (lambd / m) * W


# --- inverted dropout -----------------------------------------------------------------
def dropout_forward(A, keep_prob, rng):
    """A_drop = A ⊙ D / p with D ~ Bernoulli(p) drawn from ``rng``; returns ``(A_drop, D)``.

    A: (n_l, m); D: (n_l, m) of 0s and 1s, kept for the backward pass.
    ``keep_prob`` = 1 returns A unchanged (and an all-ones mask).
    """
    p = _check_keep_prob(keep_prob)
    A = as_numeric("A", A)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    return _dropout_forward(A, p, rng)


def _dropout_forward(A, p, rng):
    """The unchecked twin of :func:`dropout_forward` (what the network's training pass calls)."""
    D = (rng.random(A.shape) < p).astype(A.dtype)
    return A * D / p, D


def dropout_backward(dA_drop, D, keep_prob):
    """dA = dA_drop ⊙ D / p, with the mask D of the forward pass.  Shapes (n_l, m)."""
    p = _check_keep_prob(keep_prob)
    dA_drop = as_numeric("dA_drop", dA_drop)
    D = as_numeric("D", D, dtype=dA_drop.dtype)
    check_same_shape("dA_drop", dA_drop, "D", D)
    if not np.isin(D, (0, 1)).all():
        raise ValueError("D must be the 0/1 mask returned by dropout_forward")
    return _dropout_backward(dA_drop, D, p)


def _dropout_backward(dA_drop, D, p):
    return dA_drop * D / p
