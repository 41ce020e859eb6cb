"""An L-layer fully connected network in Andrew Ng's notation.

Derived in the chapter *The whole network* (``book/09_whole_network.ipynb``);
shapes in *Notation and shapes* (``book/01_notation.ipynb``).

    forward   for l = 1..L:  Z[l] = W[l] A[l-1] + b[l],   A[l] = g[l](Z[l]),   A[0] = X
    cost      J = (1/m) Σ_i L(A[L]⁽ⁱ⁾, Y⁽ⁱ⁾)
    backward  dZ[L] = A[L] − Y (fused sigmoid+BCE / softmax+CE) or dA[L] ⊙ g'(Z[L])
              for l = L..1:  dW[l] = (1/m) dZ[l] A[l-1]ᵀ,  db[l] = (1/m) Σ dZ[l],
                             dA[l-1] = W[l]ᵀ dZ[l],  dZ[l-1] = dA[l-1] ⊙ g[l-1]'(Z[l-1])

Parameters live in a dict ``{"W1": …, "b1": …, …}``; gradients in
``{"dW1": …, "db1": …, …, "dA0": …}``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import activations as _act
from . import losses as _loss
from ._display import Table
from ._validate import (
    as_numeric,
    check_choice,
    check_positive_float,
    check_positive_int,
    check_same_shape,
    check_shape,
    resolve_dtype,
)
from .layers import _activation_backward, _activation_forward, _linear_backward, _linear_forward

INIT_METHODS = ("he", "xavier", "small_random", "zeros")


class LayerCache(NamedTuple):
    """What layer l's forward step keeps for its backward step."""

    linear_cache: tuple  # (A_prev, W, b)
    activation_cache: tuple  # (Z, A)
    activation: str


# --- parameters ------------------------------------------------------------
def _check_layer_sizes(layer_sizes):
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__") or len(layer_sizes) < 2:
        raise ValueError(f"layer_sizes must list at least two sizes [n_0, …, n_L], got {layer_sizes!r}")
    return [check_positive_int(f"layer_sizes[{i}]", n) for i, n in enumerate(layer_sizes)]


def init_parameters(layer_sizes, method="he", seed=0, dtype=np.float64, scale=0.01):
    """W[l] of shape (n_l, n_{l-1}) drawn at random, b[l] = 0 of shape (n_l, 1).

    ``method``:
      * ``"he"``: N(0, 2/n_{l-1}), for ReLU layers (He et al. 2015);
      * ``"xavier"``: N(0, 2/(n_{l-1} + n_l)), for tanh/sigmoid (Glorot and Bengio 2010);
      * ``"small_random"``: N(0, 1) · ``scale``;
      * ``"zeros"``: all zeros, which fails by symmetry (chapter *Gradient descent*).
    The same seed gives the same numbers in float32 and float64.
    """
    sizes = _check_layer_sizes(layer_sizes)
    check_choice("init method", method, INIT_METHODS)
    dt = resolve_dtype(dtype)
    rng = np.random.default_rng(seed)
    parameters = {}
    for l in range(1, len(sizes)):
        n_prev, n = sizes[l - 1], sizes[l]
        std = {"he": np.sqrt(2 / n_prev), "xavier": np.sqrt(2 / (n_prev + n)), "small_random": scale, "zeros": 0.0}[method]
        parameters[f"W{l}"] = (rng.standard_normal((n, n_prev)) * std).astype(dt)
        parameters[f"b{l}"] = np.zeros((n, 1), dtype=dt)
    return parameters


def layer_sizes_of(parameters) -> list[int]:
    """[n_0, n_1, …, n_L] read off the W matrices."""
    L = num_layers(parameters)
    return [parameters["W1"].shape[1]] + [parameters[f"W{l}"].shape[0] for l in range(1, L + 1)]


def num_layers(parameters) -> int:
    if not isinstance(parameters, dict) or "W1" not in parameters:
        raise TypeError("parameters must be a dict with keys 'W1', 'b1', 'W2', …")
    return sum(1 for k in parameters if k.startswith("W"))


def _check_parameters(parameters, activations):
    """Check names, shapes, dtypes and the activation list; return L."""
    L = num_layers(parameters)
    if isinstance(activations, str) or not hasattr(activations, "__len__"):
        raise TypeError(f"activations must be a list of {L} names, one per layer, got {activations!r}")
    if len(activations) != L:
        raise ValueError(f"got {len(activations)} activations for a network of {L} layers; expected one per layer")
    for a in activations:
        _act.get(a)
    dtype = None
    for l in range(1, L + 1):
        for key in (f"W{l}", f"b{l}"):
            if key not in parameters:
                raise ValueError(f"parameters is missing {key!r}; a {L}-layer network needs W1..W{L} and b1..b{L}")
        W = as_numeric(f"parameters['W{l}']", parameters[f"W{l}"], dtype=dtype,
                       layout=f"a 2-D array of shape (n_{l}, n_{l-1})")
        dtype = W.dtype
        as_numeric(f"parameters['b{l}']", parameters[f"b{l}"],
                   layout=f"a column of shape (n_{l}, 1) = ({W.shape[0]}, 1), one bias per unit (use b.reshape(-1, 1))")
        check_shape(f"parameters['b{l}']", parameters[f"b{l}"], (W.shape[0], 1), "one bias per unit, as a column")
        if l > 1:
            n_prev = parameters[f"W{l-1}"].shape[0]
            check_shape(f"parameters['W{l}']", W, (None, n_prev), f"layer {l-1} has {n_prev} units")
    return L


def _check_X(X, parameters):
    dtype = np.asarray(parameters["W1"]).dtype
    X = as_numeric("X", X, dtype=dtype)
    n_0 = parameters["W1"].shape[1]
    check_shape("X", X, (n_0, None), f"W1 is {parameters['W1'].shape}, so X needs n_0 = {n_0} rows, one example per column")
    return X


# --- forward ---------------------------------------------------------------
def _forward(X, parameters, activations):
    A = X
    caches = []
    for l, g in enumerate(activations, start=1):
        Z, linear_cache = _linear_forward(A, parameters[f"W{l}"], parameters[f"b{l}"])
        A, activation_cache = _activation_forward(Z, g)
        caches.append(LayerCache(linear_cache, activation_cache, g))
    return A, caches


def forward(X, parameters, activations):
    """A[L] and the per-layer caches.

    X: (n_0, m); ``activations``: one name per layer, e.g. ``["relu", "relu", "sigmoid"]``.
    Returns ``(AL, caches)``: AL of shape (n_L, m), ``caches[l-1]`` a
    :class:`LayerCache` holding (A[l-1], W[l], b[l]), (Z[l], A[l]) and g[l]'s name.
    """
    _check_parameters(parameters, activations)
    return _forward(_check_X(X, parameters), parameters, activations)


# --- cost ------------------------------------------------------------------
def compute_cost(AL, Y, loss):
    """J = (1/m) Σ_i L(A[L]⁽ⁱ⁾, Y⁽ⁱ⁾) for ``loss`` in "binary_cross_entropy", "cross_entropy", "mse"."""
    spec = _loss.get(loss)
    AL = as_numeric("AL", AL)
    Y = as_numeric("Y", Y, dtype=AL.dtype)
    check_same_shape("AL", AL, "Y", Y)
    _loss.check_labels(loss, Y)
    return spec.cost(AL, Y)


def _cost(AL, caches, Y, loss):
    """J, from the logits Z[L] when the output pairing allows (exact at any |z|)."""
    spec = _loss.LOSSES[loss]
    if spec.from_logits is not None and spec.fused_with == caches[-1].activation:
        return spec.from_logits(caches[-1].activation_cache[0], Y)
    return spec.cost(AL, Y)


# --- backward --------------------------------------------------------------
def _backward(AL, Y, caches, loss, need_dA0=True, dZ_rule=None):
    spec = _loss.LOSSES[loss]
    last = caches[-1]
    dA = spec.gradient(AL, Y) if dZ_rule is not None or spec.fused_with != last.activation else None
    if spec.fused_with == last.activation:
        dZ = AL - Y  # g'(Z[L]) cancels against the loss: see losses.output_delta
    else:
        dZ = _activation_backward(dA, last.activation_cache, last.activation)
    grads = {}
    for l in range(len(caches), 0, -1):
        cache = caches[l - 1]
        if dZ_rule is not None:  # companion.gradcheck swaps in a buggy formula to diagnose
            dZ = dZ_rule(l, dZ, dA, cache)
        dA, grads[f"dW{l}"], grads[f"db{l}"] = _linear_backward(dZ, cache.linear_cache, l > 1 or need_dA0)
        if dA is not None:
            grads[f"dA{l-1}"] = dA
        if l > 1:
            below = caches[l - 2]
            dZ = _activation_backward(dA, below.activation_cache, below.activation)
    return grads


def backward(AL, Y, caches, loss):
    """Gradients of J for every layer: ``{"dW1", "db1", …, "dA0", …}``.

    AL, Y: (n_L, m); ``caches`` from :func:`forward`.  dW[l] has W[l]'s
    shape, db[l] has b[l]'s; dA[l] has A[l]'s and holds per-example
    derivatives (see :mod:`companion.layers`).  Y is cast to AL's dtype, so a
    float64 one-hot never promotes a float32 network.
    """
    spec = _loss.get(loss)
    if not caches or not all(isinstance(c, LayerCache) for c in caches):
        raise TypeError("caches must be the list returned by companion.network.forward")
    AL = as_numeric("AL", AL)
    Y = as_numeric("Y", Y, dtype=AL.dtype)
    check_same_shape("AL", AL, "Y", Y)
    _loss.check_labels(spec.name, Y)
    return _backward(AL, Y, caches, loss)


def update_parameters(parameters, grads, learning_rate):
    """Gradient descent, in place: W[l] ← W[l] − α dW[l], b[l] ← b[l] − α db[l].  Returns ``parameters``."""
    lr = check_positive_float("learning_rate", learning_rate)
    for key, value in parameters.items():
        gkey = "d" + key
        if gkey not in grads:
            raise ValueError(f"grads has no {gkey!r}; expected one gradient per parameter")
        check_same_shape(key, value, gkey, np.asarray(grads[gkey]))
        value -= lr * grads[gkey]
    return parameters


# --- prediction ------------------------------------------------------------
def _labels_from_output(AL, output_activation):
    if output_activation == "softmax":
        return AL.argmax(axis=0)
    if output_activation == "sigmoid":
        return (AL > 0.5).astype(np.int64)
    return AL


def predict(X, parameters, activations):
    """Class predictions: argmax per column for softmax, (1, m) 0/1 for sigmoid, A[L] otherwise."""
    AL, _ = forward(X, parameters, activations)
    return _labels_from_output(AL, activations[-1])


# --- shapes ----------------------------------------------------------------
def shape_table(layer_sizes, m):
    """Every tensor's shape for a batch of m examples, layer by layer.

    Returns a :class:`~companion._display.Table` with columns
    ``layer, tensor, shape, rule``; ``table["shape"]`` lists the shapes.
    """
    sizes = _check_layer_sizes(layer_sizes)
    m = check_positive_int("m", m)
    rows = [(0, "X = A0", (sizes[0], m), "(n_0, m): one example per column")]
    for l in range(1, len(sizes)):
        n, n_prev = sizes[l], sizes[l - 1]
        rows += [
            (l, f"W{l}", (n, n_prev), f"(n_{l}, n_{l-1}): units here × units before"),
            (l, f"b{l}", (n, 1), f"(n_{l}, 1): one bias per unit, broadcast over m"),
            (l, f"Z{l}", (n, m), f"(n_{l}, m) = W{l} A{l-1} + b{l}"),
            (l, f"A{l}", (n, m), f"(n_{l}, m) = g{l}(Z{l})"),
        ]
    for l in range(len(sizes) - 1, 0, -1):
        n, n_prev = sizes[l], sizes[l - 1]
        rows += [
            (l, f"dZ{l}", (n, m), f"same as Z{l}"),
            (l, f"dW{l}", (n, n_prev), f"same as W{l}"),
            (l, f"db{l}", (n, 1), f"same as b{l}"),
            (l, f"dA{l-1}", (n_prev, m), f"same as A{l-1}"),
        ]
    return Table(["layer", "tensor", "shape", "rule"], rows, title=f"Shapes for layer sizes {sizes}, m = {m}")


from .mlp import MLP  # noqa: E402  (the class sits on top of the functions above)

__all__ = [
    "LayerCache", "init_parameters", "forward", "compute_cost", "backward", "update_parameters",
    "predict", "shape_table", "layer_sizes_of", "num_layers", "MLP", "INIT_METHODS",
]
