"""``MLP``: the functions of :mod:`companion.network` wrapped in a training loop.

Used from the chapter *MNIST from scratch* (``book/12_mnist.ipynb``) on.  The
loop is the one derived in the book — forward, cost, backward, update — with
three choices that make it fast without changing a formula:

* the data are checked once, in ``fit``, not once per minibatch;
* examples are stored as the rows of a C-ordered copy, and each shuffled
  minibatch (its indices from :func:`companion.data.batch_indices`, the
  package's one shuffling rule) is gathered from it right before its step:
  one contiguous block of memory (used through a transposed view, which BLAS
  reads without copying) that is still in the CPU cache for the backward pass;
* dA[0] = W[1]ᵀ dZ[1], which no parameter needs, is not computed.

The Part IV options (L2 and dropout in ``fit``, batch norm in the
constructor) switch the loop to the passes of :mod:`companion._options`;
without them it runs the plain passes of :mod:`companion._core`.
"""
from __future__ import annotations

import time

import numpy as np

from . import _options
from . import losses as _loss
from . import optim as _optim
from . import regularization as _reg
from ._validate import as_numeric, check_choice, check_positive_int, check_seed, check_shape, resolve_dtype
from .data import batch_indices, one_hot
from ._core import (
    _backward,
    _check_batchnorm_layers,
    _check_layer_sizes,
    _check_parameters,
    _cost,
    _forward,
    _labels_from_output,
    init_parameters,
)


class MLP:
    """A fully connected network: ``MLP([784, 128, 64, 10], ["relu", "relu", "softmax"], "cross_entropy")``.

    ``parameters`` is the usual ``{"W1": …, "b1": …}`` dict, so everything in
    the book (gradient checks, plots) works on a trained model too.

    ``batchnorm``: ``True`` batch-normalises every hidden layer, a list such
    as ``[1]`` the layers named (never the output layer).  Such a layer l has
    ``"gamma{l}"``, ``"beta{l}"`` (n_l, 1) and no ``"b{l}"`` in
    ``parameters`` (β[l] takes the bias's place; see
    :func:`companion.network.init_parameters`), and ``running`` holds its
    running mean and variance, ``"mean{l}"`` and ``"var{l}"`` (n_l, 1),
    starting at 0 and 1 and updated after every training step as
    r ← 0.9 r + 0.1 · (the batch's μ or σ², the 1/m variance of training).
    ``forward``, ``predict``, ``score`` and the validation numbers of ``fit``
    use them (chapter *Batch normalisation*, ``book/17_batchnorm.ipynb``).
    """

    def __init__(self, layer_sizes, activations, loss, init="he", seed=0, dtype=np.float64, batchnorm=False):
        self.layer_sizes = _check_layer_sizes(layer_sizes)
        self.activations = list(activations) if isinstance(activations, (list, tuple)) else activations
        self.loss = loss
        _loss.get(loss)
        self.dtype = resolve_dtype(dtype)
        self.batchnorm = _check_batchnorm_layers(batchnorm, len(self.layer_sizes) - 1)
        self.parameters = init_parameters(self.layer_sizes, init, seed=seed, dtype=self.dtype,
                                          batchnorm=self.batchnorm)
        _check_parameters(self.parameters, self.activations, loss, batchnorm=self.batchnorm)
        self.running = _options.initial_running(self.parameters, self.batchnorm)

    # -- checks -------------------------------------------------------------------------
    def _check_model(self):
        """The parameters, activations and loss still form a valid network of this dtype.

        ``parameters`` is a public dict that chapters edit; a layer replaced by
        a list or an integer array is converted in place, a layer of another
        float dtype is an error.
        """
        checked = _check_parameters(self.parameters, self.activations, self.loss, batchnorm=self.batchnorm)
        sizes = self.layer_sizes
        for l in range(1, len(sizes)):
            want = (sizes[l], sizes[l - 1])
            if checked[f"W{l}"].shape != want:
                raise ValueError(f"parameters['W{l}'] has shape {checked[f'W{l}'].shape}; expected {want}, "
                                 f"since this MLP was built with layer sizes {sizes}")
        for key, value in checked.items():
            if value.dtype != self.dtype:
                raise TypeError(f"parameters[{key!r}] is {value.dtype} but this MLP is {self.dtype}; every layer "
                                f"must be {self.dtype} (convert with .astype(np.{self.dtype.name}))")
            if value is not self.parameters[key]:
                self.parameters[key] = value
        if self.batchnorm:
            self.running = _options.check_running(self.running, self.parameters, self.batchnorm)

    # -- data checks ------------------------------------------------------------
    def _check_XY(self, X, Y, name_X="X", name_Y="Y"):
        n_0, n_L = self.layer_sizes[0], self.layer_sizes[-1]
        X = as_numeric(name_X, X, dtype=self.dtype)
        check_shape(name_X, X, (n_0, None), f"the network's input layer has n_0 = {n_0} units, one example per column")
        if np.ndim(Y) == 1 and self.loss == "cross_entropy":  # integer labels: one-hot them
            Y = one_hot(Y, n_L, dtype=self.dtype)
        Y = as_numeric(name_Y, Y, dtype=self.dtype)
        check_shape(name_Y, Y, (n_L, None), f"the output layer has n_L = {n_L} units")
        if Y.shape[1] != X.shape[1]:
            raise ValueError(f"{name_X} has {X.shape[1]} examples (columns) but {name_Y} has {Y.shape[1]}; they must match")
        _loss.check_labels(self.loss, Y)
        return X, Y

    # -- training -----------------------------------------------------------------
    def _n_correct(self, AL, Y):
        out = self.activations[-1]
        if out == "softmax":
            return int((AL.argmax(axis=0) == Y.argmax(axis=0)).sum())
        if out == "sigmoid":
            return int(((AL > 0.5) == (Y > 0.5)).all(axis=0).sum())
        return None

    def fit(self, X, Y, epochs=10, batch_size=64, learning_rate=None, optimizer="sgd", seed=0,
            validation_data=None, progress=True, l2=0.0, keep_prob=1.0):
        """Minibatch training; returns ``history`` with per-epoch lists.

        X: (n_0, m); Y: (n_L, m), or for cross-entropy a length-m vector of
        integer labels.  ``optimizer`` is a name ("sgd", "momentum", "adam"),
        whose learning rate is ``learning_rate`` (default 0.01), or an
        instance such as ``optim.Adam(0.001)``, which carries its own rate:
        giving ``learning_rate`` too is a ``ValueError``.  Each epoch shuffles
        with ``seed`` + epoch (:func:`companion.data.batch_indices`), steps
        through ceil(m / batch_size) minibatches (when batch_size does not
        divide m, the last one holds the m mod batch_size left over), and
        records the training cost
        and accuracy over the epoch (``loss``: the mean of every example's
        loss, taken at the step that used it; ``accuracy``: the fraction of
        columns classified right, a sigmoid column counting only when every
        unit is on the right side of 0.5) and, with
        ``validation_data=(X_val, Y_val)``, ``val_loss`` and ``val_accuracy``
        after the epoch; ``seconds`` holds each epoch's wall-clock time.

        ``l2`` = λ > 0 trains on J + (λ / 2m) Σ‖W[l]‖² (m: the minibatch's
        size), so each step adds (λ/m) W[l] to dW[l].  ``keep_prob`` = p < 1
        applies inverted dropout to every hidden layer during training, with
        masks drawn from ``np.random.default_rng([seed, 1])``.  ``loss`` and
        ``accuracy`` are then measured on the training passes as they ran
        (dropped units, batch statistics) and ``loss`` is the data cost J
        without the L2 term; ``val_loss`` and ``val_accuracy`` use the full
        network (nothing dropped, running statistics), as ``predict`` does
        (chapter *L2 regularisation and dropout*, ``book/16_regularisation.ipynb``).
        With batch norm every minibatch needs at least 2 examples.
        """
        from tqdm import tqdm  # only training needs it

        self._check_model()
        X, Y = self._check_XY(X, Y)
        epochs = check_positive_int("epochs", epochs)
        batch_size = check_positive_int("batch_size", batch_size)
        seed = check_seed("seed", seed)
        if not isinstance(progress, bool):
            raise TypeError(f"progress must be True or False, got {progress!r}")
        lambd = _reg._check_lambda(l2, "l2")
        keep_prob = _reg._check_keep_prob(keep_prob)
        m = X.shape[1]
        if self.batchnorm and (min(batch_size, m) < 2 or m % batch_size == 1):
            raise ValueError(f"batch normalisation needs at least 2 examples in every minibatch, but m = {m} with "
                             f"batch_size = {batch_size} gives a minibatch of 1; choose another batch_size")
        opt = _optim.make(optimizer, learning_rate)
        step = opt._update if isinstance(opt, _optim.Optimizer) else opt.step  # our gradients need no re-check
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a pair (X_val, Y_val)")
            X_val, Y_val = self._check_XY(*validation_data, name_X="X_val", name_Y="Y_val")
        rows_X, rows_Y = np.ascontiguousarray(X.T), np.ascontiguousarray(Y.T)  # one example per row
        if self.batchnorm or keep_prob < 1:  # the passes with options; else the plain ones
            rng = np.random.default_rng([seed, 1])

            def forward(Xb):
                return _options._forward(Xb, self.parameters, self.activations, keep_prob, rng)

            backward = _options._backward
        else:
            def forward(Xb):
                return _forward(Xb, self.parameters, self.activations)

            backward = _backward
        classifies = self.activations[-1] in ("softmax", "sigmoid")
        history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": [], "seconds": []}
        bar = tqdm(range(epochs), desc="epochs", disable=not progress, leave=True, mininterval=1.0)
        for epoch in bar:
            started = time.perf_counter()
            total_cost, correct = 0.0, 0
            for batch in batch_indices(m, batch_size, seed + epoch):
                Xb, Yb = rows_X[batch].T, rows_Y[batch].T  # gathered just before use: contiguous and in cache
                AL, caches = forward(Xb)
                grads = backward(AL, Yb, caches, self.loss, need_dA0=False)
                if lambd:
                    _options._add_l2(grads, caches, lambd)
                if self.batchnorm:
                    _options._update_running(self.running, caches)
                step(self.parameters, grads)
                total_cost += _cost(AL, caches, Yb, self.loss) * Xb.shape[1]
                if classifies:
                    correct += self._n_correct(AL, Yb)
            history["loss"].append(total_cost / m)
            history["accuracy"].append(correct / m if classifies else None)
            if validation_data is not None:
                AL, caches = self._inference(X_val)
                history["val_loss"].append(_cost(AL, caches, Y_val, self.loss))
                history["val_accuracy"].append(self._n_correct(AL, Y_val) / X_val.shape[1] if classifies else None)
            history["seconds"].append(time.perf_counter() - started)
            bar.set_postfix(loss=f"{history['loss'][-1]:.4f}", refresh=False)
        return history

    # -- using the trained network ---------------------------------------------------
    def _inference(self, X):
        """(A[L], caches) of the full network: nothing dropped, batch norm with the running statistics."""
        if self.batchnorm:
            return _options._forward(X, self.parameters, self.activations, running=self.running)
        return _forward(X, self.parameters, self.activations)

    def forward(self, X):
        """A[L] for X: (n_0, m); nothing is dropped and batch norm uses the running statistics."""
        self._check_model()
        X = as_numeric("X", X, dtype=self.dtype)
        check_shape("X", X, (self.layer_sizes[0], None), f"n_0 = {self.layer_sizes[0]} rows, one example per column")
        return self._inference(X)[0]

    def predict(self, X):
        """Predictions for X: (n_0, m), as :func:`companion.network.predict`.

        One integer label per example, shape (m,), for a softmax output or a
        single sigmoid unit; (n_L, m) of 0/1 for several sigmoid units; A[L]
        for other outputs.
        """
        return _labels_from_output(self.forward(X), self.activations[-1])

    def score(self, X, Y):
        """Accuracy in [0, 1]: the fraction of columns classified correctly.

        A sigmoid column counts as correct only when every output unit is on
        the right side of 0.5.
        """
        self._check_model()
        X, Y = self._check_XY(X, Y)
        check_choice("output activation for score", self.activations[-1], ("softmax", "sigmoid"))
        AL = self._inference(X)[0]
        return self._n_correct(AL, Y) / X.shape[1]

    def __repr__(self):
        bn = f", batchnorm={list(self.batchnorm)}" if self.batchnorm else ""
        return f"MLP({self.layer_sizes}, {self.activations}, {self.loss!r}, dtype={self.dtype.name}{bn})"
