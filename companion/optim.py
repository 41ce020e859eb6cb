"""Gradient-descent optimizers working on the ``parameters``/``grads`` dicts.

Derived in the chapter *Beyond plain gradient descent*
(``book/13_optimizers.ipynb``).  Every optimizer updates ``parameters`` in
place with ``step(parameters, grads)``; state is kept in dicts keyed like the
gradients (``v["dW1"]``, ``s["db2"]``), as in the deeplearning.ai course.

``step`` checks its arguments with the same check as
:func:`companion.network.update_parameters`: a missing gradient, a gradient
whose shape is not its parameter's (a transposed dW, a 1-D db) or a NaN is a
``ValueError`` naming the key, never a silent broadcast.
"""
from __future__ import annotations

import numpy as np

from ._validate import check_choice, check_positive_float, check_step


class Optimizer:
    """The shared part: ``step`` checks, then ``_update`` does the arithmetic.

    ``_update`` assumes checked arguments; :class:`companion.mlp.MLP` calls it
    directly with the gradients its own backward pass produced.
    """

    learning_rate: float

    def step(self, parameters, grads):
        """Update ``parameters`` in place from ``grads`` (``{"dW1": …, "db1": …}``); returns ``parameters``."""
        self._update(parameters, check_step(parameters, grads))
        return parameters

    def _update(self, parameters, grads):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _state(self, store, key, value):
        """The state array for ``key`` (zeros at first); refuse state from a network of another shape."""
        state = store.get(key)
        if state is None:
            state = store[key] = np.zeros_like(value)
        elif state.shape != value.shape or state.dtype != value.dtype:
            raise ValueError(
                f"this {type(self).__name__} optimizer holds state for {key} of shape {state.shape} ({state.dtype}) "
                f"but the parameter now has shape {value.shape} ({value.dtype}); use a new optimizer for each network")
        return state


class SGD(Optimizer):
    """θ ← θ − α dθ."""

    def __init__(self, learning_rate=0.01):
        self.learning_rate = check_positive_float("learning_rate", learning_rate)

    def _update(self, parameters, grads):
        for key, value in parameters.items():
            value -= self.learning_rate * grads["d" + key]

    def __repr__(self):
        return f"SGD(learning_rate={self.learning_rate})"


class Momentum(Optimizer):
    """v ← β v + (1 − β) dθ;  θ ← θ − α v  (an exponentially weighted average of gradients)."""

    def __init__(self, learning_rate=0.01, beta=0.9):
        self.learning_rate = check_positive_float("learning_rate", learning_rate)
        self.beta = _check_beta("beta", beta)
        self.v = {}

    def _update(self, parameters, grads):
        for key, value in parameters.items():
            g = grads["d" + key]
            v = self._state(self.v, "d" + key, value)
            v *= self.beta
            v += (1 - self.beta) * g
            value -= self.learning_rate * v

    def __repr__(self):
        return f"Momentum(learning_rate={self.learning_rate}, beta={self.beta})"


class Adam(Optimizer):
    """Adam (Kingma and Ba 2015), with bias correction at step t:

    v ← β₁ v + (1 − β₁) dθ,  s ← β₂ s + (1 − β₂) dθ²,
    θ ← θ − α (v / (1 − β₁ᵗ)) / (√(s / (1 − β₂ᵗ)) + ε).
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.learning_rate = check_positive_float("learning_rate", learning_rate)
        self.beta1 = _check_beta("beta1", beta1)
        self.beta2 = _check_beta("beta2", beta2)
        self.epsilon = check_positive_float("epsilon", epsilon)
        self.v, self.s, self.t = {}, {}, 0

    def _update(self, parameters, grads):
        self.t += 1
        c1 = 1 - self.beta1**self.t
        c2 = 1 - self.beta2**self.t
        for key, value in parameters.items():
            g = grads["d" + key]
            v = self._state(self.v, "d" + key, value)
            s = self._state(self.s, "d" + key, value)
            v *= self.beta1
            v += (1 - self.beta1) * g
            s *= self.beta2
            s += (1 - self.beta2) * (g * g)
            value -= (self.learning_rate / c1) * v / (np.sqrt(s / c2) + self.epsilon)

    def __repr__(self):
        return (f"Adam(learning_rate={self.learning_rate}, beta1={self.beta1}, beta2={self.beta2}, "
                f"epsilon={self.epsilon})")


def _check_beta(name, beta):
    if isinstance(beta, bool) or not isinstance(beta, (int, float, np.integer, np.floating)) \
            or not np.isfinite(beta) or not 0 <= beta < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {beta!r}")
    return float(beta)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
DEFAULT_LEARNING_RATE = 0.01


def make(optimizer, learning_rate=None):
    """An optimizer from a name ("sgd", "momentum", "adam") or an instance (returned as is).

    With a name, ``learning_rate`` sets α (``None``: 0.01).  An instance
    already carries its own α, so giving ``learning_rate`` as well is a
    ``ValueError`` rather than a rate silently ignored.
    """
    if isinstance(optimizer, str):
        check_choice("optimizer", optimizer, tuple(OPTIMIZERS))
        rate = DEFAULT_LEARNING_RATE if learning_rate is None else learning_rate
        return OPTIMIZERS[optimizer](rate)
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer must be one of {', '.join(map(repr, OPTIMIZERS))} or an object with a "
                        f"step(parameters, grads) method such as optim.Adam(0.001), got {optimizer!r}")
    if learning_rate is not None:
        raise ValueError(
            f"got learning_rate={learning_rate!r} and the optimizer instance {optimizer!r}, which has its own "
            "learning rate; the rate must be given once: set it on the instance "
            "(e.g. optim.Adam(learning_rate=0.001)) and leave learning_rate out, or pass the optimizer by name")
    return optimizer
