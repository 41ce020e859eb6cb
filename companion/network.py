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

Part IV's options — L2 (``l2=`` in :func:`compute_cost` and :func:`backward`),
inverted dropout (``keep_prob=``, ``rng=`` in :func:`forward`) and batch
normalisation (``"gamma{l}"``, ``"beta{l}"`` in ``parameters``, from
``init_parameters(..., batchnorm=[…])``; ``running=`` for inference) — run
the passes of :mod:`companion._options`; with none of them set, these
functions run exactly the plain passes above (chapters *L2 regularisation and
dropout*, ``book/16_regularisation.ipynb``, and *Batch normalisation*,
``book/17_batchnorm.ipynb``).
"""
from __future__ import annotations

import numpy as np

from . import _options
from . import losses as _loss
from . import regularization as _reg
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
from ._options import OptionsCache
from .mlp import MLP


# --- forward ---------------------------------------------------------------
def forward(X, parameters, activations, keep_prob=1.0, rng=None, running=None):
    """A[L] and the per-layer caches.

    X: (n_0, m); ``activations``: one name per layer, e.g. ``["relu", "relu", "sigmoid"]``.
    Returns ``(AL, caches)``: AL of shape (n_L, m), ``caches[l-1]`` a
    :class:`LayerCache` with fields ``A_prev`` (A[l-1]), ``W``, ``b``, ``Z``,
    ``A`` and ``activation`` (g[l]'s name).

    Options (Part IV); with none of them this is the plain pass above:

    * ``keep_prob`` = p < 1: inverted dropout on every hidden layer,
      A[l] = g(Z̃[l]) ⊙ D[l] / p with D[l] ~ Bernoulli(p) (n_l, m) drawn from
      ``rng``, a ``numpy.random.Generator`` (required then); the output layer
      is never dropped.  The same ``np.random.default_rng(seed)`` draws the
      same masks, which is how a gradient check fixes them (chapter *L2
      regularisation and dropout*, ``book/16_regularisation.ipynb``).
    * batch norm: layers with ``"gamma{l}"``, ``"beta{l}"`` in ``parameters``
      (see :func:`init_parameters`, ``batchnorm=``) compute Z[l] = W[l] A[l-1]
      (no b[l]) and Z̃[l] = γ[l] ⊙ ẑ[l] + β[l] with ẑ normalised over this
      batch (m ≥ 2), then A[l] = g(Z̃[l]) (chapter *Batch normalisation*,
      ``book/17_batchnorm.ipynb``).
    * ``running`` = ``{"mean1": (n_1, 1), "var1": (n_1, 1), …}``: inference
      mode, batch norm uses these running statistics instead (any m ≥ 1);
      nothing is dropped (``keep_prob`` < 1 with ``running`` is an error).

    With an option the caches are :class:`OptionsCache`: the fields above
    plus ``Z_tilde`` (g's input), ``A_full`` (g(Z̃) before dropout), ``D``
    (the mask), ``keep_prob``, ``bn`` (batch norm's cache), ``mu``, ``var``
    (the batch statistics) and ``training``.
    """
    keep_prob = _reg._check_keep_prob(keep_prob)
    if keep_prob == 1 and running is None and not _options.batchnorm_layers(parameters):
        parameters = _check_parameters(parameters, activations)
        return _forward(_check_X(X, parameters), parameters, activations)
    return _options.checked_forward(X, parameters, activations, keep_prob, rng, running)


# --- cost ------------------------------------------------------------------
def compute_cost(AL, Y, loss, caches=None, l2=0.0):
    """J = (1/m) Σ_i 𝓛(A[L]⁽ⁱ⁾, Y⁽ⁱ⁾) for ``loss`` in "binary_cross_entropy", "cross_entropy", "mse".

    AL, Y: (n_L, m).  AL must be an output the loss can take: probabilities
    in [0, 1] for the cross-entropies, columns summing to 1 for
    "cross_entropy".  Without ``caches`` the cost is computed from AL, with
    the argument of every log floored at the smallest normal number, so an
    output that rounded to exactly 0 or 1 costs at most about 708 per unit
    (float64).  Pass ``caches`` from :func:`forward` and, for a sigmoid +
    binary cross-entropy or softmax + cross-entropy output, J is computed
    from the logits Z[L] instead: accurate at any |z|, with no floor and no overflow (chapter *Loss functions*,
    ``book/04_losses.ipynb``).

    ``l2`` = λ > 0 adds the L2 penalty, J + (λ / 2m) Σ_l ‖W[l]‖²_F, with
    the W[l] held in ``caches`` (required then; b, γ, β are not penalised;
    chapter *L2 regularisation and dropout*, ``book/16_regularisation.ipynb``).
    """
    lambd = _reg._check_lambda(l2, "l2")
    spec = _loss.get(loss)
    AL = as_numeric("AL", AL)
    Y = as_numeric("Y", Y, dtype=AL.dtype)
    check_same_shape("AL", AL, "Y", Y)
    _loss.check_labels(loss, Y)
    _loss.check_output(loss, AL)
    if caches is None:
        if lambd:
            raise ValueError(f"l2={l2!r} needs caches= from forward: the penalty (λ/2m) Σ‖W[l]‖² sums over "
                             "the W[l] they hold")
        return spec.cost(AL, Y)
    _check_caches(caches, AL, loss)
    J = _cost(AL, caches, Y, spec.name)
    return J + _options._l2_cost(caches, lambd) if lambd else J


def _check_caches(caches, AL, loss):
    """``caches`` is :func:`forward`'s list, and AL is its last layer's output."""
    if isinstance(caches, (str, bytes)) or not hasattr(caches, "__len__") or not caches \
            or not (all(isinstance(c, LayerCache) for c in caches) or all(isinstance(c, OptionsCache) for c in caches)):
        raise TypeError("caches must be the list of LayerCache (or OptionsCache) returned by "
                        f"companion.network.forward, got {type(caches).__name__}")
    if AL.shape != caches[-1].A.shape or not np.array_equal(AL, caches[-1].A):
        raise ValueError(f"AL (shape {AL.shape}) is not the output stored in caches (shape "
                         f"{caches[-1].A.shape}); expected the AL and caches returned by the same forward call")
    _check_activations([c.activation for c in caches], len(caches), loss)


# --- backward --------------------------------------------------------------
def backward(AL, Y, caches, loss, l2=0.0):
    """Gradients of J for every layer: ``{"dW1", "db1", …, "dA0", …}``.

    AL, Y: (n_L, m); ``caches`` from :func:`forward`.  dW[l] has W[l]'s
    shape, db[l] has b[l]'s; dA[l] has A[l]'s and holds per-example
    derivatives (see :mod:`companion.layers`).  Y is cast to AL's dtype, so a
    float64 one-hot never promotes a float32 network.

    Options (Part IV).  ``l2`` = λ > 0: the gradient of J + (λ/2m) Σ‖W[l]‖²,
    dW[l] = (1/m) dZ[l] A[l-1]ᵀ + (λ/m) W[l]; db is unchanged.  Caches from a
    forward pass with dropout or batch norm are followed through: dA[l] is
    multiplied by the stored mask, dA[l] ⊙ D[l] / p, before g'; a
    batch-normalised layer gives dZ[l] by batch norm's three-term backward
    (see :mod:`companion.batchnorm`) and ``"dgamma{l}"``, ``"dbeta{l}"``
    (n_l, 1) instead of ``"db{l}"``; ``"dA{l}"`` is taken with respect to
    A[l] after dropout, as layer l+1 received it (chapters *L2 regularisation
    and dropout*, ``book/16_regularisation.ipynb``, and *Batch
    normalisation*, ``book/17_batchnorm.ipynb``).  Caches from inference mode
    (``running=``) are refused.
    """
    lambd = _reg._check_lambda(l2, "l2")
    spec = _loss.get(loss)
    AL = as_numeric("AL", AL)
    Y = as_numeric("Y", Y, dtype=AL.dtype)
    _check_caches(caches, AL, loss)
    check_same_shape("AL", AL, "Y", Y)
    _loss.check_labels(spec.name, Y)
    if isinstance(caches[0], OptionsCache):
        if not all(c.training for c in caches):
            raise ValueError("caches come from forward(..., running=...), the inference pass; backward needs "
                             "the caches of a training pass (without running)")
        grads = _options._backward(caches[-1].A, Y, caches, spec.name)
    else:
        grads = _backward(caches[-1].A, Y, caches, spec.name)
    return _options._add_l2(grads, caches, lambd) if lambd else grads


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
def predict(X, parameters, activations, running=None):
    """Predictions for X: (n_0, m), in one convention: one integer label per example, shape (m,).

    Softmax output: the class with the largest probability, ``argmax`` of
    each column (the labels :func:`companion.data.one_hot` takes).  One
    sigmoid unit: 1 where a > 0.5, else 0.  Several sigmoid units are several
    yes/no labels per example, so they give (n_L, m) of 0/1.  Any other
    output activation is a regression and gives A[L] itself, (n_L, m).
    Chapter *MNIST from scratch* (``book/12_mnist.ipynb``).

    Prediction never drops units.  A network with batch-normalised layers
    needs ``running`` (their running means and variances, e.g.
    ``MLP.running``): a prediction never uses the batch's own statistics.
    """
    if running is None and _options.batchnorm_layers(parameters):
        raise ValueError(f"parameters has batch-normalised layers {list(_options.batchnorm_layers(parameters))}; "
                         "predict needs running= (their running means and variances, e.g. MLP.running): a "
                         "prediction never uses the batch's own statistics")
    AL, _ = forward(X, parameters, activations, running=running)
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
    "LayerCache", "OptionsCache", "init_parameters", "forward", "compute_cost", "backward", "update_parameters",
    "predict", "shape_table", "layer_sizes_of", "num_layers", "MLP", "INIT_METHODS",
]
