"""The passes of an L-layer network with the Part IV options: L2, inverted dropout, batch normalisation.

The plain passes stay in :mod:`companion._core` (the listing the chapter
*The whole network* prints); :mod:`companion.network` and
:class:`companion.mlp.MLP` call the functions here only when an option is
set.  They reuse the one-layer functions of :mod:`companion.layers`,
:mod:`companion.regularization` and :mod:`companion.batchnorm`.  Derived in
the chapters *L2 regularisation and dropout* (``book/16_regularisation.ipynb``)
and *Batch normalisation* (``book/17_batchnorm.ipynb``).

Layer l, training mode (p = keep_prob; D[l] ~ Bernoulli(p), hidden layers only):

    Z[l] = W[l] A[l-1] + b[l]                      (a batch-normalised layer has no b[l])
    Z̃[l] = γ[l] ⊙ (Z[l] − μ) / √(σ² + ε) + β[l]    (batch-normalised layers; else Z̃[l] = Z[l])
    A[l] = g[l](Z̃[l]) ⊙ D[l] / p                   (dropout; the output layer L is never dropped)

backward, per example (no 1/m) until dW, db, dγ, dβ:

    dA_full = dA[l] ⊙ D[l] / p  →  dZ̃ = dA_full ⊙ g'(Z̃)  →  dZ, dγ, dβ by batch norm's backward
    →  dW[l] = (1/m) dZ A[l-1]ᵀ,  db[l] = (1/m) Σ dZ,  dA[l-1] = W[l]ᵀ dZ

L2: J_λ = J + (λ / 2m) Σ_l ‖W[l]‖²  and  dW[l] += (λ / m) W[l]  (b, γ, β are not penalised).
Inference (``running`` given): batch norm uses the running means and
variances, and nothing is dropped.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import batchnorm as _bn
from . import losses as _loss
from . import regularization as _reg
from ._core import _check_parameters, _check_X, num_layers
from ._validate import as_numeric, check_shape
from .layers import _activation_backward, _activation_forward, _linear_backward, _linear_forward


class OptionsCache(NamedTuple):
    """What layer l's forward step keeps when an option is set.

    As :class:`companion._core.LayerCache`: ``A_prev`` (n_{l-1}, m),
    ``W`` (n_l, n_{l-1}), ``b`` (n_l, 1) or ``None`` in a batch-normalised
    layer, ``Z`` = W A_prev (+ b) (n_l, m), ``A`` (n_l, m): the layer's
    output as the next layer receives it (after dropout), ``activation``.
    Then: ``Z_tilde``, the input of g (batch norm's output, else ``Z``);
    ``A_full`` = g(Z̃) before dropout (else ``A``); ``D``, the 0/1 dropout
    mask (n_l, m) or ``None``; ``keep_prob``; ``bn``, the
    :class:`~companion.batchnorm.BatchNormCache` or ``None``; ``mu``, ``var``
    (n_l, 1), the batch statistics (training mode) or ``None``; ``training``.
    """

    A_prev: np.ndarray
    W: np.ndarray
    b: np.ndarray | None
    Z: np.ndarray
    A: np.ndarray
    activation: str
    Z_tilde: np.ndarray
    A_full: np.ndarray
    D: np.ndarray | None
    keep_prob: float
    bn: _bn.BatchNormCache | None
    mu: np.ndarray | None
    var: np.ndarray | None
    training: bool

    @property
    def linear_cache(self):
        """(A_prev, W, b): what :func:`companion.layers.linear_backward` takes (b is None under batch norm)."""
        return (self.A_prev, self.W, self.b)

    @property
    def activation_cache(self):
        """(Z̃, g(Z̃)): what :func:`companion.layers.activation_backward` takes."""
        return (self.Z_tilde, self.A_full)


# --- the unchecked passes -------------------------------------------------------------
def _forward(X, parameters, activations, keep_prob=1.0, rng=None, running=None):
    """A[L] and the list of :class:`OptionsCache`; ``running`` given means inference mode."""
    L = len(activations)
    A, caches = X, []
    for l, g in enumerate(activations, start=1):
        A_prev, W, b = A, parameters[f"W{l}"], parameters.get(f"b{l}")
        bn = mu = var = None
        if f"gamma{l}" in parameters:  # batch norm: no bias, β[l] takes its place
            Z = W @ A_prev
            gamma, beta = parameters[f"gamma{l}"], parameters[f"beta{l}"]
            if running is None:
                Z_tilde, bn, mu, var = _bn._batchnorm_forward(Z, gamma, beta)
            else:
                Z_tilde = _bn._batchnorm_inference(Z, gamma, beta, running[f"mean{l}"], running[f"var{l}"])
        else:
            Z, _ = _linear_forward(A_prev, W, b)
            Z_tilde = Z
        A_full, _ = _activation_forward(Z_tilde, g)
        if keep_prob < 1 and l < L:
            A, D = _reg._dropout_forward(A_full, keep_prob, rng)
        else:
            A, D = A_full, None
        caches.append(OptionsCache(A_prev, W, b, Z, A, g, Z_tilde, A_full, D, keep_prob, bn, mu, var,
                                   running is None))
    return A, caches


def _backward(AL, Y, caches, loss, need_dA0=True):
    """Gradients of J through dropout masks and batch norm: dW, db (or dγ, dβ), dA."""
    spec = _loss.LOSSES[loss]
    last = caches[-1]
    if spec.fused_with == last.activation:
        dZ_tilde = AL - Y  # as in the plain pass: the output layer has neither dropout nor batch norm
    else:
        dZ_tilde = _activation_backward(spec.gradient(AL, Y), last.activation_cache, last.activation)
    grads = {}
    for l in range(len(caches), 0, -1):
        cache = caches[l - 1]
        if cache.bn is not None:
            dZ, grads[f"dgamma{l}"], grads[f"dbeta{l}"] = _bn._batchnorm_backward(dZ_tilde, cache.bn)
        else:
            dZ = dZ_tilde
        dA, grads[f"dW{l}"], db = _linear_backward(dZ, cache.linear_cache, l > 1 or need_dA0)
        if cache.b is not None:
            grads[f"db{l}"] = db
        if dA is not None:
            grads[f"dA{l-1}"] = dA  # with respect to A[l-1] as layer l received it (after dropout)
        if l > 1:
            below = caches[l - 2]
            if below.D is not None:
                dA = _reg._dropout_backward(dA, below.D, below.keep_prob)  # the forward pass's mask
            dZ_tilde = _activation_backward(dA, below.activation_cache, below.activation)
    return grads


def _l2_cost(caches, lambd):
    """(λ / 2m) Σ_l ‖W[l]‖², with the W[l] the forward pass used."""
    return _reg._l2_cost([c.W for c in caches], lambd, caches[0].A_prev.shape[1])


def _add_l2(grads, caches, lambd):
    """dW[l] += (λ / m) W[l], in place; returns ``grads``."""
    m = caches[0].A_prev.shape[1]
    for l, cache in enumerate(caches, start=1):
        grads[f"dW{l}"] += _reg._l2_gradient(cache.W, lambd, m)
    return grads


def _update_running(running, caches, momentum=0.9):
    """running mean/var ← momentum · running + (1 − momentum) · this batch's μ, σ² (1/m variance), in place."""
    for l, cache in enumerate(caches, start=1):
        if cache.bn is not None:
            running[f"mean{l}"] = _bn.update_running(running[f"mean{l}"], cache.mu, momentum)
            running[f"var{l}"] = _bn.update_running(running[f"var{l}"], cache.var, momentum)
    return running


# --- checks -----------------------------------------------------------------------------
def batchnorm_layers(parameters):
    """The layers l with a ``"gamma{l}"`` or ``"beta{l}"`` in ``parameters``, in order (checked)."""
    if not isinstance(parameters, dict) or "W1" not in parameters \
            or not any(isinstance(k, str) and k.startswith(("gamma", "beta")) for k in parameters):
        return ()
    L = num_layers(parameters)
    found = [l for l in range(1, L + 1) if f"gamma{l}" in parameters or f"beta{l}" in parameters]
    if L in found:
        raise ValueError(f"parameters has 'gamma{L}' or 'beta{L}' on the output layer L = {L}; batch "
                         f"normalisation goes on hidden layers 1..{L - 1} only (Z[L] are the loss's logits)")
    return tuple(found)


def check_dropout(keep_prob, rng):
    """keep_prob in (0, 1]; a ``numpy.random.Generator`` when units are dropped."""
    keep_prob = _reg._check_keep_prob(keep_prob)
    if keep_prob < 1 and not isinstance(rng, np.random.Generator):
        raise TypeError(f"keep_prob={keep_prob} drops units, and the masks come from rng: pass "
                        f"rng=np.random.default_rng(seed), got rng={rng!r}")
    return keep_prob


def initial_running(parameters, bn):
    """Running means 0 and variances 1 for the batch-normalised layers ``bn``: ``{"mean1": …, "var1": …}``."""
    running = {}
    for l in bn:
        shape, dtype = parameters[f"gamma{l}"].shape, parameters[f"gamma{l}"].dtype
        running[f"mean{l}"], running[f"var{l}"] = np.zeros(shape, dtype), np.ones(shape, dtype)
    return running


def check_running(running, parameters, bn):
    """``running`` = ``{"mean{l}": (n_l, 1), "var{l}": (n_l, 1)}`` for each batch-normalised layer l."""
    if not bn:
        raise ValueError("running statistics were given but the parameters have no batch-normalised layer "
                         "(no 'gamma1', 'beta1', …); leave running out")
    if not isinstance(running, dict):
        raise TypeError(f"running must be a dict {{'mean1': …, 'var1': …}} of running statistics, "
                        f"got {type(running).__name__}")
    checked = {}
    for l in bn:
        n = parameters[f"W{l}"].shape[0]
        for key in (f"mean{l}", f"var{l}"):
            if key not in running:
                raise ValueError(f"running is missing {key!r}; layer {l} is batch-normalised")
            checked[key] = as_numeric(f"running[{key!r}]", running[key], dtype=parameters[f"W{l}"].dtype)
            check_shape(f"running[{key!r}]", checked[key], (n, 1), f"one value per unit of layer {l}")
        if (checked[f"var{l}"] < 0).any():
            raise ValueError(f"running['var{l}'] must be ≥ 0 everywhere (a variance)")
    return checked


def checked_forward(X, parameters, activations, keep_prob, rng, running):
    """:func:`companion.network.forward` with options: every argument checked, then :func:`_forward`."""
    keep_prob = check_dropout(keep_prob, rng)
    bn = batchnorm_layers(parameters)
    parameters = _check_parameters(parameters, activations, batchnorm=bn)
    X = _check_X(X, parameters)
    if running is not None:
        running = check_running(running, parameters, bn)
        if keep_prob < 1:
            raise ValueError(f"running statistics mean inference, where nothing is dropped, but keep_prob="
                             f"{keep_prob}; give keep_prob < 1 (training) or running (inference), not both")
    elif bn and X.shape[1] < 2:
        raise ValueError(f"X has {X.shape[1]} example; batch normalisation in training mode needs m ≥ 2 "
                         "(with m = 1 every ẑ is 0): pass running= (the running statistics) for inference")
    return _forward(X, parameters, activations, keep_prob, rng, running)
