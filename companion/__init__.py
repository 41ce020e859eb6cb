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
* ``symbolic``    – SymPy derivations turned into NumPy functions
* ``optim``       – SGD, momentum, Adam
* ``autograd``    – a tiny reverse-mode autodiff engine (``Tensor``)
* ``data``        – one-hot, minibatches, toy sets, MNIST
* ``plotting``    – the book's figures
* ``display``     – ``Table``, the tables that reports and chapters print

The unchecked engine that ``network``, ``mlp`` and ``gradcheck`` share is
the private ``_core``; no module imports one that imports it back.
"""
from . import activations, autograd, data, display, gradcheck, layers, losses, mlp, network, optim, symbolic  # noqa: F401

__version__ = "0.1.0"
