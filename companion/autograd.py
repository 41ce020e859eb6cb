"""A tiny reverse-mode automatic differentiation engine on NumPy arrays.

Built in the chapter *From hand-written backprop to autograd*
(``book/14_autograd.ipynb``).  In the spirit of micrograd, each operation's
backward rule sits right beside its forward rule: an operation creates a
:class:`Tensor` that remembers its parents and a closure ``_backward`` that
adds the output's gradient, times the local derivative, to each parent's
``grad``.  :meth:`Tensor.backward` visits the graph in reverse topological
order, so every node's gradient is complete before it is passed on.

    >>> W = Tensor(np.ones((2, 3)), name="W")
    >>> x = Tensor(np.arange(3.0).reshape(3, 1))
    >>> J = (W @ x).relu().sum()
    >>> J.backward()
    >>> W.grad            # ∂J/∂W = 1 · xᵀ for every row
    array([[0., 1., 2.],
           [0., 1., 2.]])

Broadcasting in a forward rule (``Z + b`` with b of shape (n, 1)) becomes a
sum in the backward rule (``_unbroadcast``): the gradient of a broadcast
bias is the sum over the columns it was copied to — the db of the book.
"""
from __future__ import annotations

import numpy as np

from . import activations as _act

__all__ = ["Tensor"]


def _unbroadcast(grad, shape):
    """Sum ``grad`` over the axes along which an array of ``shape`` was broadcast."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Tensor:
    """An array that remembers how it was computed, so that it can be differentiated.

    ``data`` is a float64 ndarray; after :meth:`backward` on a scalar result,
    ``grad`` holds ∂result/∂data with ``data``'s shape.
    """

    def __init__(self, data, parents=(), op="", name=""):
        self.data = np.array(data, dtype=np.float64)
        self.grad = np.zeros_like(self.data)
        self._parents = tuple(parents)
        self._backward = lambda: None
        self.op = op
        self.name = name

    def __repr__(self):
        label = self.name or self.op or "leaf"
        return f"Tensor({label}, shape={self.data.shape})"

    @property
    def shape(self):
        return self.data.shape

    # --- arithmetic: forward and backward side by side ----------------------
    def __add__(self, other):
        other = _as_tensor(other)
        _check_broadcast("+", self, other)
        out = Tensor(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += _unbroadcast(out.grad, self.shape)
            other.grad += _unbroadcast(out.grad, other.shape)
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = _as_tensor(other)
        _check_broadcast("*", self, other)
        out = Tensor(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += _unbroadcast(out.grad * other.data, self.shape)
            other.grad += _unbroadcast(out.grad * self.data, other.shape)
        out._backward = _backward
        return out

    def __matmul__(self, other):
        other = _as_tensor(other)
        if self.data.ndim != 2 or other.data.ndim != 2 or self.shape[1] != other.shape[0]:
            raise ValueError(f"cannot multiply {self.shape} @ {other.shape}: expected 2-D arrays (n, k) @ (k, m)"
                             f" with matching inner size k")
        out = Tensor(self.data @ other.data, (self, other), "@")

        def _backward():  # C = A B:  dA = dC Bᵀ,  dB = Aᵀ dC
            self.grad += out.grad @ other.data.T
            other.grad += self.data.T @ out.grad
        out._backward = _backward
        return out

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-_as_tensor(other))

    def __rsub__(self, other):
        return _as_tensor(other) + (-self)

    __radd__ = __add__
    __rmul__ = __mul__

    def __truediv__(self, other):
        return self * (_as_tensor(other) ** -1)

    def __pow__(self, k):
        out = Tensor(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += out.grad * k * self.data ** (k - 1)
        out._backward = _backward
        return out

    # --- elementwise functions ----------------------------------------------
    def exp(self):
        out = Tensor(np.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.grad * out.data
        out._backward = _backward
        return out

    def log(self):
        out = Tensor(np.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def _activation(self, name):
        """g(self) for a name in companion.activations' registry; backward multiplies by g'(Z) from that registry."""
        g = _act.ACTIVATIONS[name]
        out = Tensor(g.forward(self.data), (self,), name)

        def _backward():  # dZ = dA ⊙ g'(Z), the package's own g' (relu'(0) = 0, σ' exact at large |z|)
            self.grad += out.grad * g.derivative(self.data)
        out._backward = _backward
        return out

    def relu(self):
        return self._activation("relu")

    def sigmoid(self):
        return self._activation("sigmoid")

    def tanh(self):
        return self._activation("tanh")

    # --- reductions and shape -----------------------------------------------
    def sum(self, axis=None, keepdims=False):
        out = Tensor(self.data.sum(axis=axis, keepdims=keepdims), (self,), "sum")

        def _backward():  # every summed entry receives the output's gradient
            g = out.grad if keepdims or axis is None else np.expand_dims(out.grad, axis)
            self.grad += np.broadcast_to(g, self.shape)
        out._backward = _backward
        return out

    def mean(self):
        return self.sum() * (1.0 / self.data.size)

    @property
    def T(self):
        out = Tensor(self.data.T, (self,), "T")

        def _backward():
            self.grad += out.grad.T
        out._backward = _backward
        return out

    def log_softmax(self):
        """log softmax over axis 0 (per column), shifted by the column maximum for stability."""
        shift = Tensor(self.data.max(axis=0, keepdims=True))  # a constant: softmax ignores shifts
        z = self - shift
        return z - z.exp().sum(axis=0, keepdims=True).log()

    # --- reverse mode -------------------------------------------------------
    def graph(self):
        """Every tensor this one depends on, itself last, each after all its parents (topological order)."""
        order, expanded, stack = [], set(), [(self, False)]
        while stack:  # depth-first, iteratively: a node is appended after all its parents
            t, parents_done = stack.pop()
            if parents_done:
                order.append(t)
            elif id(t) not in expanded:
                expanded.add(id(t))
                stack.append((t, True))
                stack.extend((p, False) for p in t._parents if id(p) not in expanded)
        return order

    def backward(self):
        """Fill ``grad`` of every tensor this scalar depends on (∂self/∂tensor)."""
        if self.data.size != 1:
            raise ValueError(f"backward() starts from a scalar (a cost); this tensor has shape {self.shape}")
        order = self.graph()
        for t in order:
            t.grad = np.zeros_like(t.data)
        self.grad = np.ones_like(self.data)
        for t in reversed(order):
            t._backward()


def _check_broadcast(op, a, b):
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"cannot combine shapes {a.shape} {op} {b.shape}: they do not broadcast"
                         " (a bias must be a column (n, 1) to be added to (n, m))") from None


def _as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)
