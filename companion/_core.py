"""The unchecked engine of an L-layer network: what ``network``, ``mlp`` and ``gradcheck`` share.

Derived in the chapter *The whole network* (``book/09_whole_network.ipynb``).
The public, checked functions live in :mod:`companion.network`; everything
here assumes its arguments were checked once (so the training loop in
:class:`companion.mlp.MLP` does not re-check every minibatch).

    forward   for l = 1..L:  Z[l] = W[l] A[l-1] + b[l],   A[l] = g[l](Z[l]),   A[0] = X
    cost      J = (1/m) Σ_i 𝓛(A[L]⁽ⁱ⁾, Y⁽ⁱ⁾)
    backward  dZ[L] = A[L] − Y (sigmoid+BCE, softmax+CE) or dA[L] ⊙ g'(Z[L])
              for l = L..1:  dW[l] = (1/m) dZ[l] A[l-1]ᵀ,  db[l] = (1/m) Σ dZ[l],
                             dA[l-1] = W[l]ᵀ dZ[l],  dZ[l-1] = dA[l-1] ⊙ g[l-1]'(Z[l-1])

This module imports only the leaf modules (activations, losses, layers,
_validate); nothing it imports imports it back.
"""
from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from . import activations as _act
from . import losses as _loss
from ._validate import as_numeric, check_choice, check_positive_float, check_positive_int, check_shape, resolve_dtype
from .layers import _activation_backward, _activation_forward, _linear_backward, _linear_forward

INIT_METHODS = ("he", "xavier", "small_random", "zeros")


class LayerCache(NamedTuple):
    """What layer l's forward step keeps for its backward step.

    A_prev: (n_{l-1}, m), W: (n_l, n_{l-1}), b: (n_l, 1), Z and A: (n_l, m),
    ``activation``: the name of g[l].
    """

    A_prev: np.ndarray
    W: np.ndarray
    b: np.ndarray
    Z: np.ndarray
    A: np.ndarray
    activation: str

    @property
    def linear_cache(self):
        """(A_prev, W, b): what :func:`companion.layers.linear_backward` takes."""
        return (self.A_prev, self.W, self.b)

    @property
    def activation_cache(self):
        """(Z, A): what :func:`companion.layers.activation_backward` takes."""
        return (self.Z, self.A)


# --- parameters ------------------------------------------------------------
def _check_layer_sizes(layer_sizes):
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__") or len(layer_sizes) < 2:
        raise ValueError(f"layer_sizes must list at least two sizes [n_0, …, n_L], got {layer_sizes!r}")
    return [check_positive_int(f"layer_sizes[{i}]", n) for i, n in enumerate(layer_sizes)]


def _check_batchnorm_layers(batchnorm, L):
    """The batch-normalised layers as a sorted tuple: ``True`` is every hidden layer 1..L-1.

    The output layer is never normalised (its Z[L] are the logits of the loss).
    """
    if batchnorm is None or batchnorm is False:
        return ()
    if batchnorm is True:
        if L < 2:
            raise ValueError("batchnorm=True normalises the hidden layers, but this network has none (L = 1)")
        return tuple(range(1, L))
    if isinstance(batchnorm, (str, bytes)) or not hasattr(batchnorm, "__iter__"):
        raise TypeError(f"batchnorm must be True, False or a list of hidden layers such as [1, 2], got {batchnorm!r}")
    layers = list(batchnorm)
    for l in layers:
        if isinstance(l, bool) or not isinstance(l, (int, np.integer)) or not 1 <= l <= L - 1:
            raise ValueError(f"batchnorm lists hidden layers, integers in 1..L-1 = 1..{L - 1} (the output layer "
                             f"is not normalised), got {l!r} in {batchnorm!r}")
    if len(set(layers)) != len(layers):
        raise ValueError(f"batchnorm lists a layer twice: {batchnorm!r}")
    return tuple(sorted(int(l) for l in layers))


def init_parameters(layer_sizes, method="he", seed=0, dtype=np.float64, scale=0.01, batchnorm=()):
    """W[l] of shape (n_l, n_{l-1}) drawn at random, b[l] = 0 of shape (n_l, 1).

    ``method``:
      * ``"he"``: N(0, 2/n_{l-1}), for ReLU layers (He et al. 2015);
      * ``"xavier"``: N(0, 2/(n_{l-1} + n_l)), for tanh/sigmoid (Glorot and Bengio 2010);
      * ``"small_random"``: N(0, 1) · ``scale``;
      * ``"zeros"``: all zeros, which fails (chapter *Gradient descent*,
        ``book/11_gradient_descent.ipynb``).
    The same seed gives the same numbers in float32 and float64.

    ``batchnorm``: the hidden layers to batch-normalise (a list such as
    ``[1, 2]``, or ``True`` for all of them).  Such a layer l gets
    γ[l] = 1 and β[l] = 0, keys ``"gamma{l}"`` and ``"beta{l}"``, both
    (n_l, 1), and NO b[l]: the normalisation subtracts the batch mean, which
    cancels any bias, and β[l] takes its place (chapter *Batch
    normalisation*, ``book/17_batchnorm.ipynb``).  The W are the same numbers
    as without batch norm.
    """
    sizes = _check_layer_sizes(layer_sizes)
    bn = _check_batchnorm_layers(batchnorm, len(sizes) - 1)
    check_choice("init method", method, INIT_METHODS)
    dt = resolve_dtype(dtype)
    scale = check_positive_float("scale", scale)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    rng = np.random.default_rng(seed)
    parameters = {}
    for l in range(1, len(sizes)):
        n_prev, n = sizes[l - 1], sizes[l]
        std = {"he": np.sqrt(2 / n_prev), "xavier": np.sqrt(2 / (n_prev + n)), "small_random": scale, "zeros": 0.0}[method]
        parameters[f"W{l}"] = (rng.standard_normal((n, n_prev)) * std).astype(dt)
        if l in bn:
            parameters[f"gamma{l}"] = np.ones((n, 1), dtype=dt)
            parameters[f"beta{l}"] = np.zeros((n, 1), dtype=dt)
        else:
            parameters[f"b{l}"] = np.zeros((n, 1), dtype=dt)
    return parameters


def num_layers(parameters) -> int:
    """L, the number of W matrices in ``parameters``."""
    if not isinstance(parameters, dict) or "W1" not in parameters:
        raise TypeError("parameters must be a dict with keys 'W1', 'b1', 'W2', …")
    return sum(1 for k in parameters if k.startswith("W"))


def layer_sizes_of(parameters) -> list[int]:
    """[n_0, n_1, …, n_L] read off the W matrices."""
    L = num_layers(parameters)
    return [np.shape(parameters["W1"])[1]] + [np.shape(parameters[f"W{l}"])[0] for l in range(1, L + 1)]


def _check_activations(activations, L, loss=None):
    """One known activation name per layer; with ``loss``, a sensible output pairing."""
    if isinstance(activations, str) or not hasattr(activations, "__len__"):
        raise TypeError(f"activations must be a list of {L} names, one per layer, got {activations!r}")
    if len(activations) != L:
        raise ValueError(f"got {len(activations)} activations for a network of {L} layers; expected one per layer")
    for a in activations:
        _act.get(a)
    if loss is not None:
        _loss.check_pairing(activations[-1], loss)


def _check_parameters(parameters, activations, loss=None, batchnorm=()):
    """Check names, shapes, dtypes and the activation list; return the checked parameters.

    Returns a new dict of float arrays (lists become arrays; integer arrays
    become float64).  All layers must share one float dtype: mixing float32
    and float64 layers is an error rather than a silent promotion.
    ``batchnorm``: the (checked) tuple of batch-normalised layers, whose keys
    are W, gamma, beta instead of W, b.
    """
    L = num_layers(parameters)
    _check_activations(activations, L, loss)
    for key in parameters:
        bn_key = re.fullmatch(r"(gamma|beta)(\d+)", key) if isinstance(key, str) else None
        if bn_key and int(bn_key[2]) not in batchnorm:
            raise ValueError(f"parameters has {key!r}, a batch-normalisation parameter, but layer {bn_key[2]} "
                             "is not batch-normalised here"
                             + ("" if batchnorm else " (this function takes plain W, b networks)"))
    checked, dtype, dtype_from = {}, None, None
    for l in range(1, L + 1):
        keys = (f"W{l}", f"gamma{l}", f"beta{l}") if l in batchnorm else (f"W{l}", f"b{l}")
        for key in keys:
            if key not in parameters:
                raise ValueError(f"parameters is missing {key!r}; a {L}-layer network needs W1..W{L} and b1..b{L}"
                                 + (f", with gamma{l} and beta{l} instead of b{l} in each batch-normalised layer "
                                    f"{list(batchnorm)}" if batchnorm else ""))
        if l in batchnorm and f"b{l}" in parameters:
            raise ValueError(f"parameters has 'b{l}' and 'gamma{l}', 'beta{l}': a batch-normalised layer has no "
                             f"bias (the mean subtraction cancels it; beta{l} takes its place); delete 'b{l}' or "
                             f"build the parameters with init_parameters(..., batchnorm=[{l}])")
        for key in keys:
            raw = parameters[key]
            if key[0] == "W":
                layout = f"a 2-D array of shape (n_{l}, n_{l-1})"
            elif key[0] == "b":
                layout = (f"a column of shape (n_{l}, 1) = ({checked[f'W{l}'].shape[0]}, 1), "
                          "one bias per unit (use b.reshape(-1, 1))")
            else:
                layout = (f"a column of shape (n_{l}, 1) = ({checked[f'W{l}'].shape[0]}, 1), "
                          "one value per unit (use .reshape(-1, 1))")
            arr = as_numeric(f"parameters[{key!r}]", raw, layout=layout)
            if isinstance(raw, np.ndarray) and raw.dtype in (np.float32, np.float64):
                if dtype is None:
                    dtype, dtype_from = raw.dtype, key
                elif raw.dtype != dtype:
                    raise TypeError(
                        f"parameters[{key!r}] is {raw.dtype} but parameters[{dtype_from!r}] is {dtype}; "
                        "every layer must use one float dtype (convert with .astype)")
            checked[key] = arr
        W = checked[f"W{l}"]
        for key in keys[1:]:
            b = checked[key]
            check_shape(f"parameters['{key}']", b, (W.shape[0], 1),
                        f"one {'bias' if key[0] == 'b' else 'value'} per unit, as a column: parameters['W{l}'] is "
                        f"{W.shape}, so n_{l} = {W.shape[0]}"
                        + (f"; or W{l} is transposed" if b.shape[0] == W.shape[1] != W.shape[0] else ""))
        if l > 1:
            n_prev = checked[f"W{l-1}"].shape[0]
            check_shape(f"parameters['W{l}']", W, (None, n_prev), f"layer {l-1} has {n_prev} units")
    if dtype is not None:  # integer or list layers join the float dtype of the others
        checked = {k: v.astype(dtype, copy=False) for k, v in checked.items()}
    return checked


def _check_X(X, parameters, name="X"):
    """X as a float array in the parameters' dtype, with n_0 rows.

    Integer X is converted to the float dtype of W1 (never the other way)."""
    dtype = parameters["W1"].dtype
    n_0 = parameters["W1"].shape[1]
    one_d = (f"one example is {name}.reshape(-1, 1), shape ({n_0}, 1)" if n_0 > 1 else
             f"m examples of the single input feature are {name}.reshape(1, -1), shape (1, m)")
    X = as_numeric(name, X, dtype=dtype, one_d_hint=one_d)
    check_shape(name, X, (n_0, None), f"W1 is {parameters['W1'].shape}, so {name} needs n_0 = {n_0} rows, one example per column")
    return X


# --- forward ---------------------------------------------------------------
def _forward(X, parameters, activations):
    A = X
    caches = []
    for l, g in enumerate(activations, start=1):
        A_prev, W, b = A, parameters[f"W{l}"], parameters[f"b{l}"]
        Z, _ = _linear_forward(A_prev, W, b)
        A, _ = _activation_forward(Z, g)
        caches.append(LayerCache(A_prev, W, b, Z, A, g))
    return A, caches


# --- cost ------------------------------------------------------------------
def _cost(AL, caches, Y, loss):
    """J, from the logits Z[L] when the output pairing allows (accurate at any |z|: no floor, no overflow)."""
    spec = _loss.LOSSES[loss]
    if spec.from_logits is not None and spec.fused_with == caches[-1].activation:
        return spec.from_logits(caches[-1].Z, Y)
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


# --- prediction ------------------------------------------------------------
def _labels_from_output(AL, output_activation):
    """One integer label per example, shape (m,), when an example has one label:
    argmax of the column for softmax, 1 where a > 0.5 for a single sigmoid unit.
    Several sigmoid units are several yes/no labels per example: (n_L, m) of 0/1.
    Any other output is a regression: A[L] itself."""
    if output_activation == "softmax":
        return AL.argmax(axis=0)
    if output_activation == "sigmoid":
        labels = (AL > 0.5).astype(np.int64)
        return labels[0] if labels.shape[0] == 1 else labels
    return AL
