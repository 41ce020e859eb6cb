"""An L-layer fully connected network in Andrew Ng's notation.

Derived in the chapter *The whole network* (``book/09_whole_network.ipynb``);
shapes in *Notation and shapes* (``book/01_notation.ipynb``).

    forward   for l = 1..L:  Z[l] = W[l] A[l-1] + b[l],   A[l] = g[l](Z[l]),   A[0] = X
    cost      J = (1/m) Σ_i 𝓛(A[L]⁽ⁱ⁾, Y⁽ⁱ⁾)
    backward  dZ[L] = A[L] − Y (fused sigmoid+BCE / softmax+CE) or dA[L] ⊙ g'(Z[L])
              for l = L..1:  dW[l] = (1/m) dZ[l] A[l-1]ᵀ,  db[l] = (1/m) Σ dZ[l],
                             dA[l-1] = W[l]ᵀ dZ[l],  dZ[l-1] = dA[l-1] ⊙ g[l-1]'(Z[l-1])

Parameters live in a dict ``{"W1": …, "b1": …, …}``; gradients in
``{"dW1": …, "db1": …, …, "dA0": …}``.  The functions here check their
arguments and call the unchecked engine in :mod:`companion._core`;
:class:`~companion.mlp.MLP` wraps them in a training loop.
"""
from __future__ import annotations

import numpy as np

from . import losses as _loss
from ._core import (  # noqa: F401  (re-exported: the engine's public names)
    INIT_METHODS,
    LayerCache,
    _backward,
    _check_activations,
    _check_layer_sizes,
    _check_parameters,
    _check_X,
    _cost,
    _forward,
    _labels_from_output,
    init_parameters,
    layer_sizes_of,
    num_layers,
)
from ._validate import as_numeric, check_positive_float, check_positive_int, check_same_shape, check_step
from .display import Table
from .mlp import MLP


# --- forward ---------------------------------------------------------------
def forward(X, parameters, activations):
    """A[L] and the per-layer caches.

    X: (n_0, m); ``activations``: one name per layer, e.g. ``["relu", "relu", "sigmoid"]``.
    Returns ``(AL, caches)``: AL of shape (n_L, m), ``caches[l-1]`` a
    :class:`LayerCache` with fields ``A_prev`` (A[l-1]), ``W``, ``b``, ``Z``,
    ``A`` and ``activation`` (g[l]'s name).
    """
    parameters = _check_parameters(parameters, activations)
    return _forward(_check_X(X, parameters), parameters, activations)


# --- cost ------------------------------------------------------------------
def compute_cost(AL, Y, loss, caches=None):
    """J = (1/m) Σ_i 𝓛(A[L]⁽ⁱ⁾, Y⁽ⁱ⁾) for ``loss`` in "binary_cross_entropy", "cross_entropy", "mse".

    AL, Y: (n_L, m).  AL must be an output the loss can take: probabilities
    in [0, 1] for the cross-entropies, columns summing to 1 for
    "cross_entropy".  Without ``caches`` the cost is computed from AL, with
    the argument of every log floored at the smallest normal number, so an
    output that rounded to exactly 0 or 1 costs at most about 708 per unit
    (float64).  Pass ``caches`` from :func:`forward` and, for a sigmoid +
    binary cross-entropy or softmax + cross-entropy output, J is computed
    from the logits Z[L] instead: exact at any |z| (chapter *Loss functions*,
    ``book/04_losses.ipynb``).
    """
    spec = _loss.get(loss)
    AL = as_numeric("AL", AL)
    Y = as_numeric("Y", Y, dtype=AL.dtype)
    check_same_shape("AL", AL, "Y", Y)
    _loss.check_labels(loss, Y)
    _loss.check_output(loss, AL)
    if caches is None:
        return spec.cost(AL, Y)
    _check_caches(caches, AL, loss)
    return _cost(AL, caches, Y, spec.name)


def _check_caches(caches, AL, loss):
    """``caches`` is :func:`forward`'s list, and AL is its last layer's output."""
    if isinstance(caches, (str, bytes)) or not hasattr(caches, "__len__") or not caches \
            or not all(isinstance(c, LayerCache) for c in caches):
        raise TypeError("caches must be the list of LayerCache returned by companion.network.forward, "
                        f"got {type(caches).__name__}")
    if AL.shape != caches[-1].A.shape or not np.array_equal(AL, caches[-1].A):
        raise ValueError(f"AL (shape {AL.shape}) is not the output stored in caches (shape "
                         f"{caches[-1].A.shape}); expected the AL and caches returned by the same forward call")
    _check_activations([c.activation for c in caches], len(caches), loss)


# --- backward --------------------------------------------------------------
def backward(AL, Y, caches, loss):
    """Gradients of J for every layer: ``{"dW1", "db1", …, "dA0", …}``.

    AL, Y: (n_L, m); ``caches`` from :func:`forward`.  dW[l] has W[l]'s
    shape, db[l] has b[l]'s; dA[l] has A[l]'s and holds per-example
    derivatives (see :mod:`companion.layers`).  Y is cast to AL's dtype, so a
    float64 one-hot never promotes a float32 network.
    """
    spec = _loss.get(loss)
    AL = as_numeric("AL", AL)
    Y = as_numeric("Y", Y, dtype=AL.dtype)
    _check_caches(caches, AL, loss)
    check_same_shape("AL", AL, "Y", Y)
    _loss.check_labels(spec.name, Y)
    return _backward(caches[-1].A, Y, caches, spec.name)


def update_parameters(parameters, grads, learning_rate):
    """Gradient descent, in place: W[l] ← W[l] − α dW[l], b[l] ← b[l] − α db[l].  Returns ``parameters``.

    ``grads`` needs ``"dW1"``, ``"db1"``, … with exactly the parameters'
    shapes (chapter *Gradient descent*, ``book/11_gradient_descent.ipynb``);
    the check is the one every optimizer in :mod:`companion.optim` uses.
    """
    lr = check_positive_float("learning_rate", learning_rate)
    checked = check_step(parameters, grads)
    for key, value in parameters.items():
        value -= lr * checked["d" + key]
    return parameters


# --- prediction ------------------------------------------------------------
def predict(X, parameters, activations):
    """Predictions for X: (n_0, m), in one convention: one integer label per example, shape (m,).

    Softmax output: the class with the largest probability, ``argmax`` of
    each column (the labels :func:`companion.data.one_hot` takes).  One
    sigmoid unit: 1 where a > 0.5, else 0.  Several sigmoid units are several
    yes/no labels per example, so they give (n_L, m) of 0/1.  Any other
    output activation is a regression and gives A[L] itself, (n_L, m).
    Chapter *MNIST from scratch* (``book/12_mnist.ipynb``).
    """
    AL, _ = forward(X, parameters, activations)
    return _labels_from_output(AL, activations[-1])


# --- shapes ----------------------------------------------------------------
def shape_table(layer_sizes, m):
    """Every tensor's shape for a batch of m examples, layer by layer.

    Returns a :class:`~companion.display.Table` with columns
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

__all__ = [
    "LayerCache", "init_parameters", "forward", "compute_cost", "backward", "update_parameters",
    "predict", "shape_table", "layer_sizes_of", "num_layers", "MLP", "INIT_METHODS",
]
