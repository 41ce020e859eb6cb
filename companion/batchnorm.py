"""Batch normalisation over the examples of a batch, forward beside backward.

Part IV of the book derives it (*Batch normalisation*,
``book/17_batchnorm.ipynb``); a whole network uses it through batch-normalised
layers (``init_parameters(..., batchnorm=[…])``, ``MLP(..., batchnorm=True)``).  Examples are
columns, so the statistics run along axis 1 (over the m examples), one per
unit:

    forward   μ = (1/m) Σ_i z⁽ⁱ⁾,   σ² = (1/m) Σ_i (z⁽ⁱ⁾ − μ)²,
              ẑ = (z − μ) / √(σ² + ε),   z̃ = γ ⊙ ẑ + β
              Z, Z̃: (n, m);  γ, β, μ, σ²: (n, 1)
    backward  dZ̃ = m ∂J/∂Z̃ (the book's scale: no 1/m of the cost), then
              dẑ = dZ̃ ⊙ γ
              dZ = (1/√(σ² + ε)) ⊙ (dẑ − mean_i(dẑ) − ẑ ⊙ mean_i(dẑ ⊙ ẑ))   (n, m)
              dγ = (1/m) Σ_i dZ̃⁽ⁱ⁾ ⊙ ẑ⁽ⁱ⁾,   dβ = (1/m) Σ_i dZ̃⁽ⁱ⁾      (n, 1)

The three terms of dZ are the direct path, the path through μ and the path
through σ².  dZ = m ∂J/∂Z, as in every layer, but unlike every other layer
its column i is not example i's own ∂𝓛⁽ⁱ⁾/∂z⁽ⁱ⁾: through μ and σ² it
collects every example's loss (the batch is coupled).  The 1/m inside
mean_i belongs to μ and σ²; the cost's 1/m still enters once, at dW, db,
dγ, dβ.  At test time the running averages of μ and σ² (of the 1/m batch
variances) replace the batch statistics.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import as_numeric, check_positive_float, check_shape

EPS = 1e-5


class BatchNormCache(NamedTuple):
    """What the forward pass keeps: ẑ (n, m), γ (n, 1), 1/√(σ² + ε) (n, 1)."""

    Z_hat: np.ndarray
    gamma: np.ndarray
    inv_std: np.ndarray


def _check(Z, gamma, beta):
    Z = as_numeric("Z", Z)
    n = Z.shape[0]
    gamma = as_numeric("gamma", gamma, dtype=Z.dtype)
    beta = as_numeric("beta", beta, dtype=Z.dtype)
    check_shape("gamma", gamma, (n, 1), "one scale per unit, as a column")
    check_shape("beta", beta, (n, 1), "one shift per unit, as a column")
    return Z, gamma, beta


def batchnorm_forward(Z, gamma, beta, eps=EPS):
    """Training mode: normalise with the batch's own μ and σ²; returns ``(Z_tilde, cache, mu, var)``.

    Z: (n, m) with m ≥ 2 (one example has no spread to normalise by);
    gamma, beta: (n, 1).  ``mu`` and ``var`` (n, 1) are returned for the
    running averages used at test time.
    """
    Z, gamma, beta = _check(Z, gamma, beta)
    eps = check_positive_float("eps", eps)
    if Z.shape[1] < 2:
        raise ValueError(f"Z has {Z.shape[1]} example(s); batch normalisation in training mode needs m ≥ 2 "
                         "(with m = 1 every ẑ is 0): use batchnorm_inference for single examples")
    return _batchnorm_forward(Z, gamma, beta, eps)


def _batchnorm_forward(Z, gamma, beta, eps=EPS):
    """The unchecked twin of :func:`batchnorm_forward` (what the network's training pass calls)."""
    mu = Z.mean(axis=1, keepdims=True)
    var = Z.var(axis=1, keepdims=True)
    inv_std = 1 / np.sqrt(var + eps)
    Z_hat = (Z - mu) * inv_std
    return gamma * Z_hat + beta, BatchNormCache(Z_hat, gamma, inv_std), mu, var


def batchnorm_backward(dZ_tilde, cache):
    """dZ = m ∂J/∂Z (n, m), and dγ, dβ (n, 1) with the 1/m applied, from dZ_tilde = m ∂J/∂Z̃ (n, m).

    The equations are in the module docstring; chapter *Batch normalisation*
    (``book/17_batchnorm.ipynb``) derives them with SymPy.
    """
    if not isinstance(cache, BatchNormCache):
        raise TypeError("cache must be the BatchNormCache returned by batchnorm_forward")
    dZ_tilde = as_numeric("dZ_tilde", dZ_tilde, dtype=cache.Z_hat.dtype)
    check_shape("dZ_tilde", dZ_tilde, cache.Z_hat.shape, "the shape of the forward output Z_tilde")
    return _batchnorm_backward(dZ_tilde, cache)


def _batchnorm_backward(dZ_tilde, cache):
    Z_hat, gamma, inv_std = cache
    dZ_hat = dZ_tilde * gamma
    dZ = inv_std * (dZ_hat - dZ_hat.mean(axis=1, keepdims=True)
                    - Z_hat * (dZ_hat * Z_hat).mean(axis=1, keepdims=True))
    dgamma = (dZ_tilde * Z_hat).mean(axis=1, keepdims=True)
    dbeta = dZ_tilde.mean(axis=1, keepdims=True)
    return dZ, dgamma, dbeta


def batchnorm_inference(Z, gamma, beta, running_mean, running_var, eps=EPS):
    """Test mode: Z̃ = γ (Z − μ_run) / √(σ²_run + ε) + β, column by column (any m ≥ 1)."""
    Z, gamma, beta = _check(Z, gamma, beta)
    eps = check_positive_float("eps", eps)
    mu = as_numeric("running_mean", running_mean, dtype=Z.dtype)
    var = as_numeric("running_var", running_var, dtype=Z.dtype)
    check_shape("running_mean", mu, (Z.shape[0], 1), "one mean per unit")
    check_shape("running_var", var, (Z.shape[0], 1), "one variance per unit")
    if (var < 0).any():
        raise ValueError("running_var must be ≥ 0 everywhere")
    return _batchnorm_inference(Z, gamma, beta, mu, var, eps)


def _batchnorm_inference(Z, gamma, beta, running_mean, running_var, eps=EPS):
    return gamma * (Z - running_mean) / np.sqrt(running_var + eps) + beta


def update_running(running, batch_value, momentum=0.9):
    """running ← momentum · running + (1 − momentum) · batch value (an exponential average)."""
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or not (0 <= momentum < 1):
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    return momentum * np.asarray(running) + (1 - momentum) * np.asarray(batch_value)
