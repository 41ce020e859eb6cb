"""companion: the tested NumPy package behind *Backprop, Derived*.

Andrew Ng's notation throughout: X is (n_0, m) with one example per column,
W[l] is (n_l, n_{l-1}), b[l] is (n_l, 1); parameters and gradients live in
dicts keyed "W1", "b1", "dW1", "db1", …

Modules, one idea each:

* ``activations`` – g and g', softmax and its Jacobian
* ``losses``      – costs, dAL, from-logits forms, the fused AL − Y
* ``layers``      – linear and activation steps, forward beside backward
* ``network``     – parameters, L-layer forward/backward, shapes
* ``mlp``         – ``MLP``, the training loop (also ``network.MLP``)
* ``gradcheck``   – numerical gradients and a report that diagnoses bugs
                    (also through L2, dropout masks and batch norm)
* ``symbolic``    – SymPy derivations turned into NumPy functions
* ``optim``       – SGD, momentum, Adam
* ``autograd``    – a tiny reverse-mode autodiff engine (``Tensor``)
* ``data``        – one-hot, minibatches, toy sets, MNIST
* ``plotting``    – the book's figures
* ``display``     – ``Table``, the tables that reports and chapters print
* ``exercises``     – self-checking exercises (``exercises.check(key, answer)``)
* ``regularization`` – L2 and inverted dropout (Part IV)
* ``batchnorm``   – batch normalisation forward, backward, inference (Part IV)

The unchecked engine that ``network``, ``mlp`` and ``gradcheck`` share is
the private ``_core`` (with ``_options`` for the Part IV passes, used only
when an option is set); the checker's internals are ``_estimate``,
``_problems``, ``_diagnose``, ``_report`` and ``_learner_errors``.  No module
imports one that imports it back.
``symbolic`` and ``plotting`` are imported on first use (``import companion``
does not load SymPy or Matplotlib).
"""
import importlib

from . import activations, autograd, data, display, gradcheck, layers, losses, mlp, network, optim  # noqa: F401

__version__ = "0.1.0"

# Loaded on first use: SymPy (``symbolic``) and Matplotlib (``plotting``) take
# longer to import than the rest of the package together.
_LAZY = ("symbolic", "plotting")


def __getattr__(name):
    """``companion.symbolic`` and ``companion.plotting`` import their module on first access."""
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
