"""Gradient-descent optimizers working on the ``parameters``/``grads`` dicts.

Derived in the chapter *Beyond plain gradient descent*
(``book/13_optimizers.ipynb``).  Every optimizer updates ``parameters`` in
place with ``step(parameters, grads)``; state is kept in dicts keyed like the
gradients (``v["dW1"]``, ``s["db2"]``), as in the deeplearning.ai course.
"""
from __future__ import annotations

import numpy as np

from ._validate import check_choice, check_positive_float


class SGD:
    """θ ← θ − α dθ."""

    def __init__(self, learning_rate=0.01):
        self.learning_rate = check_positive_float("learning_rate", learning_rate)

    def step(self, parameters, grads):
        for key, value in parameters.items():
            value -= self.learning_rate * grads["d" + key]
        return parameters


class Momentum:
    """v ← β v + (1 − β) dθ;  θ ← θ − α v  (an exponentially weighted average of gradients)."""

    def __init__(self, learning_rate=0.01, beta=0.9):
        self.learning_rate = check_positive_float("learning_rate", learning_rate)
        self.beta = _check_beta("beta", beta)
        self.v = {}

    def step(self, parameters, grads):
        for key, value in parameters.items():
            g = grads["d" + key]
            v = self.v.setdefault("d" + key, np.zeros_like(value))
            v *= self.beta
            v += (1 - self.beta) * g
            value -= self.learning_rate * v
        return parameters


class Adam:
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

    def step(self, parameters, grads):
        self.t += 1
        c1 = 1 - self.beta1**self.t
        c2 = 1 - self.beta2**self.t
        for key, value in parameters.items():
            g = grads["d" + key]
            v = self.v.setdefault("d" + key, np.zeros_like(value))
            s = self.s.setdefault("d" + key, np.zeros_like(value))
            v *= self.beta1
            v += (1 - self.beta1) * g
            s *= self.beta2
            s += (1 - self.beta2) * (g * g)
            value -= (self.learning_rate / c1) * v / (np.sqrt(s / c2) + self.epsilon)
        return parameters


def _check_beta(name, beta):
    if not isinstance(beta, (int, float, np.floating)) or not 0 <= beta < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {beta!r}")
    return float(beta)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make(optimizer, learning_rate):
    """An optimizer from a name ("sgd", "momentum", "adam") or an instance (returned as is)."""
    if isinstance(optimizer, (SGD, Momentum, Adam)) or hasattr(optimizer, "step"):
        return optimizer
    check_choice("optimizer", optimizer, tuple(OPTIMIZERS))
    return OPTIMIZERS[optimizer](learning_rate)
