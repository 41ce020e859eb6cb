"""A tiny reverse-mode automatic differentiation engine on NumPy arrays.

Built in the chapter *From hand-written backprop to autograd*
(``book/14_autograd.ipynb``).  In the spirit of micrograd, each operation's
backward rule sits right beside its forward rule: an operation creates a
:class:`Tensor` that remembers its operands (its *parents*) and a closure
``_backward`` that adds the output's gradient, times the local derivative, to
each parent's ``grad``.  :meth:`Tensor.backward` visits the graph in reverse
topological order, so every node's gradient is complete before it is passed
on.

    >>> W = Tensor(np.ones((2, 3)), name="W")
    >>> x = Tensor(np.arange(3.0).reshape(3, 1))
    >>> J = (W @ x).relu().sum()
    >>> J.backward()
    >>> W.grad            # ∂J/∂W = 1 · xᵀ for every row
    array([[0., 1., 2.],
           [0., 1., 2.]])

Gradients accumulate, as in PyTorch: ``backward()`` *adds* ∂J/∂leaf into the
``grad`` of every leaf (a tensor made by the user, such as a weight), so a
second ``backward()`` doubles them.  Call :meth:`Tensor.zero_grad` (or
:func:`zero_grad` on a list of parameters) before each training step.  The
``grad`` of an intermediate tensor is recomputed from zero by every pass.

Broadcasting in a forward rule (``Z + b`` with b of shape (n, 1)) becomes a
sum in the backward rule (``_unbroadcast``): the gradient of a broadcast
bias is the sum over the columns it was copied to — the db of the book.

Tensors cooperate with NumPy operators: ``__array_ufunc__ = None`` makes
``ndarray * Tensor``, ``ndarray @ Tensor``, ``2.0 / Tensor`` … call the
Tensor's reflected operator, so the result is a Tensor in the graph (not an
object array of Tensors).
"""
from __future__ import annotations

import numbers

import numpy as np

from . import activations as _act

__all__ = ["Tensor", "zero_grad", "draw_graph"]


def _unbroadcast(grad, shape):
    """Sum ``grad`` over the axes along which ``shape`` was broadcast."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def _as_array(what, data):
    """``data`` as a float64 ndarray, or a TypeError naming ``what``."""
    if isinstance(data, Tensor):
        raise TypeError(f"{what} is already a Tensor; pass its .data "
                        "to make a new leaf")
    try:
        arr = np.asarray(data)
    except (TypeError, ValueError) as exc:  # e.g. ragged nested lists
        raise TypeError(f"{what} must be a number or a numeric array; "
                        f"got {type(data).__name__} that NumPy cannot "
                        f"turn into an array ({exc})") from None
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or np.issubdtype(arr.dtype, np.floating)):
        kind = ("an object array (a Tensor inside an array? combine "
                "Tensors with operators, not np.array)"
                if arr.dtype == object else f"dtype {arr.dtype}")
        raise TypeError(f"{what} must be real numbers (integer or float); "
                        f"got {type(data).__name__} of {kind}")
    return arr.astype(np.float64)


class Tensor:
    """An array that remembers how it was computed, to be differentiated.

    ``data`` is a float64 ndarray of any shape (integers are converted;
    booleans, strings, objects and complex numbers are a ``TypeError``; a
    leaf — a tensor with no ``parents`` — must be finite).  After
    :meth:`backward` on a scalar J, ``grad`` holds ∂J/∂data, with ``data``'s
    shape.  Chapter: ``book/14_autograd.ipynb``.
    """

    # NumPy hands ndarray ∘ Tensor to the Tensor's reflected operator
    __array_ufunc__ = None

    def __init__(self, data, parents=(), op="", name=""):
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, got {type(name).__name__}")
        if not isinstance(op, str):
            raise TypeError(f"op must be a str, got {type(op).__name__}")
        parents = tuple(parents)
        for p in parents:
            if not isinstance(p, Tensor):
                raise TypeError("parents must be Tensors; got "
                                f"{type(p).__name__}")
        self.data = _as_array("Tensor data", data)
        if not parents:
            _check_finite("Tensor data", self.data)
        self.grad = np.zeros_like(self.data)
        self._parents = parents
        self._backward = lambda: None
        self._attrs = {}
        self.op = op
        self.name = name

    def __repr__(self):
        label = self.name or self.op or "leaf"
        return f"Tensor({label}, shape={self.data.shape})"

    @property
    def shape(self):
        return self.data.shape

    @property
    def parents(self):
        """The operands this tensor was computed from (empty for a leaf)."""
        return self._parents

    @property
    def is_leaf(self):
        """True for a tensor made by the user (no parents)."""
        return not self._parents

    # --- arithmetic: forward and backward side by side ----------------------
    # In the rules, C = self ∘ other is the result and ∂J/∂C (C's grad) is
    # what backward() has accumulated for it; P, Q are generic operands,
    # not the book's activations A (see the chapter for the mapping).
    def __add__(self, other):
        """C = P + Q (shapes broadcast); ∂J/∂P = ∂J/∂C, ∂J/∂Q = ∂J/∂C,
        each summed over the axes along which it was broadcast."""
        other = _operand("+", other)
        _check_broadcast("+", self, other)
        out = Tensor(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += _unbroadcast(out.grad, self.shape)
            other.grad += _unbroadcast(out.grad, other.shape)
        out._backward = _backward
        return out

    def __radd__(self, other):
        """other + self for a NumPy array or number on the left."""
        return _operand("+", other) + self

    def __sub__(self, other):
        """C = P − Q (shapes broadcast); ∂J/∂P = ∂J/∂C, ∂J/∂Q = −∂J/∂C."""
        other = _operand("-", other)
        _check_broadcast("-", self, other)
        out = Tensor(self.data - other.data, (self, other), "-")

        def _backward():
            self.grad += _unbroadcast(out.grad, self.shape)
            other.grad -= _unbroadcast(out.grad, other.shape)
        out._backward = _backward
        return out

    def __rsub__(self, other):
        """other − self for a NumPy array or number on the left."""
        return _operand("-", other) - self

    def __mul__(self, other):
        """C = P ⊙ Q (elementwise, shapes broadcast);
        ∂J/∂P = ∂J/∂C ⊙ Q, ∂J/∂Q = ∂J/∂C ⊙ P."""
        other = _operand("*", other)
        _check_broadcast("*", self, other)
        out = Tensor(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += _unbroadcast(out.grad * other.data, self.shape)
            other.grad += _unbroadcast(out.grad * self.data, other.shape)
        out._backward = _backward
        return out

    def __rmul__(self, other):
        """other ⊙ self for a NumPy array or number on the left."""
        return _operand("*", other) * self

    def __truediv__(self, other):
        """C = P / Q (elementwise, shapes broadcast);
        ∂J/∂P = ∂J/∂C / Q, ∂J/∂Q = −∂J/∂C ⊙ P / Q²."""
        other = _operand("/", other)
        _check_broadcast("/", self, other)
        out = Tensor(self.data / other.data, (self, other), "/")

        def _backward():
            self.grad += _unbroadcast(out.grad / other.data, self.shape)
            other.grad -= _unbroadcast(
                out.grad * self.data / other.data ** 2, other.shape)
        out._backward = _backward
        return out

    def __rtruediv__(self, other):
        """other / self for a NumPy array or number on the left."""
        return _operand("/", other) / self

    def __matmul__(self, other):
        """C = P Q, (n, k) @ (k, m) -> (n, m);
        ∂J/∂P = (∂J/∂C) Qᵀ, ∂J/∂Q = Pᵀ (∂J/∂C)."""
        other = _operand("@", other)
        if (self.data.ndim != 2 or other.data.ndim != 2
                or self.shape[1] != other.shape[0]):
            raise ValueError(
                f"cannot multiply {self.shape} @ {other.shape}: expected "
                "2-D arrays (n, k) @ (k, m) with matching inner size k")
        out = Tensor(self.data @ other.data, (self, other), "@")

        def _backward():
            self.grad += out.grad @ other.data.T
            other.grad += self.data.T @ out.grad
        out._backward = _backward
        return out

    def __rmatmul__(self, other):
        """other @ self for a NumPy array on the left."""
        return _operand("@", other) @ self

    def __neg__(self):
        """C = −P; ∂J/∂P = −∂J/∂C."""
        out = Tensor(-self.data, (self,), "neg")

        def _backward():
            self.grad -= out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        """C = P ** k for a fixed real k; ∂J/∂P = ∂J/∂C ⊙ k P^(k−1)."""
        if isinstance(k, bool) or not isinstance(k, numbers.Real):
            raise TypeError("the exponent k in Tensor ** k must be a real "
                            f"number; got {type(k).__name__}")
        out = Tensor(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += out.grad * k * self.data ** (k - 1)
        out._backward = _backward
        return out

    # --- elementwise functions ----------------------------------------------
    def exp(self):
        """C = exp(P) elementwise; ∂J/∂P = ∂J/∂C ⊙ exp(P)."""
        out = Tensor(np.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.grad * out.data
        out._backward = _backward
        return out

    def log(self):
        """C = log(P) elementwise; ∂J/∂P = ∂J/∂C / P."""
        out = Tensor(np.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def _activation(self, name):
        """A = g(Z); ∂J/∂Z = ∂J/∂A ⊙ g'(Z), g' from companion.activations."""
        g = _act.ACTIVATIONS[name]
        out = Tensor(g.forward(self.data), (self,), name)

        def _backward():  # the package's g' (relu'(0) = 0, σ' exact)
            self.grad += out.grad * g.derivative(self.data)
        out._backward = _backward
        return out

    def relu(self):
        """max(Z, 0) elementwise; backward multiplies by relu'(Z) (0 at 0)."""
        return self._activation("relu")

    def sigmoid(self):
        """σ(Z) = 1 / (1 + e^(−Z)); backward multiplies by σ(Z)(1 − σ(Z))."""
        return self._activation("sigmoid")

    def tanh(self):
        """tanh(Z); backward multiplies by 1 − tanh²(Z)."""
        return self._activation("tanh")

    # --- reductions and shape -----------------------------------------------
    def sum(self, axis=None, keepdims=False):
        """C = Σ P over ``axis`` (None: all entries), shaped as ndarray.sum;
        ∂J/∂P = ∂J/∂C copied to every entry that was summed."""
        _check_axis(axis, self.data.ndim)
        out = Tensor(self.data.sum(axis=axis, keepdims=keepdims),
                     (self,), "sum")
        out._attrs = _reduction_attrs(axis, keepdims)

        def _backward():
            g = out.grad
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            self.grad += np.broadcast_to(g, self.shape)
        out._backward = _backward
        return out

    def mean(self, axis=None, keepdims=False):
        """C = (1/N) Σ P over ``axis`` (N entries averaged into each);
        ∂J/∂P = ∂J/∂C / N for every entry.  J = losses.mean() over the m
        examples is where the cost's 1/m enters the graph."""
        _check_axis(axis, self.data.ndim)
        out = Tensor(self.data.mean(axis=axis, keepdims=keepdims),
                     (self,), "mean")
        out._attrs = _reduction_attrs(axis, keepdims)
        count = self.data.size // max(out.data.size, 1)

        def _backward():
            g = out.grad
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            self.grad += np.broadcast_to(g / count, self.shape)
        out._backward = _backward
        return out

    @property
    def T(self):
        """C = Pᵀ, (n, m) -> (m, n); ∂J/∂P = (∂J/∂C)ᵀ."""
        out = Tensor(self.data.T, (self,), "T")

        def _backward():
            self.grad += out.grad.T
        out._backward = _backward
        return out

    def log_softmax(self):
        """log softmax(Z) per column: Z − c − log Σ_k exp(Z_k − c).

        Shape (n, m) -> (n, m); c is each column's maximum, held as a
        constant (softmax ignores shifts), so exp never overflows.  Built from
        ``-``, ``exp``, ``sum`` and ``log``, whose rules give its backward.
        Chapters ``book/05_softmax.ipynb`` and ``book/14_autograd.ipynb``.
        """
        shift = Tensor(self.data.max(axis=0, keepdims=True), name="max")
        z = self - shift
        return z - z.exp().sum(axis=0, keepdims=True).log()

    # --- reverse mode -------------------------------------------------------
    def graph(self):
        """Every tensor this one depends on, each after all its parents.

        A topological order (a list of Tensors), ending with ``self``;
        :meth:`backward` visits it in reverse.  Chapter:
        ``book/14_autograd.ipynb``.
        """
        order, expanded, stack = [], set(), [(self, False)]
        while stack:  # iterative depth-first search: parents first
            t, parents_done = stack.pop()
            if parents_done:
                order.append(t)
            elif id(t) not in expanded:
                expanded.add(id(t))
                stack.append((t, True))
                stack.extend((p, False) for p in t._parents
                             if id(p) not in expanded)
        return order

    def backward(self):
        """leaf.grad += ∂J/∂leaf for every leaf; J = self must be a scalar.

        Each ``grad`` has its tensor's shape.  Leaves accumulate (call
        :meth:`zero_grad` between steps, as in PyTorch); every intermediate
        tensor's ``grad`` is reset and then holds ∂J/∂tensor for this pass
        only.  Chapter: ``book/14_autograd.ipynb``.
        """
        if self.data.size != 1:
            raise ValueError("backward() starts from a scalar (a cost); "
                             f"this tensor has shape {self.shape}")
        order = self.graph()
        for t in order:
            if not t.is_leaf:
                t.grad = np.zeros_like(t.data)
        self.grad = self.grad + 1.0  # ∂J/∂J = 1 (added: J may be a leaf)
        for t in reversed(order):
            t._backward()

    def zero_grad(self):
        """grad ← 0 (in place, same shape), before the next backward()."""
        self.grad[...] = 0.0


def zero_grad(params):
    """Zero the ``grad`` of every Tensor in ``params`` (a list or a dict).

    The step before each ``backward()`` in a training loop, like PyTorch's
    ``optimizer.zero_grad()``.  Chapter: ``book/14_autograd.ipynb``.
    """
    items = params.values() if isinstance(params, dict) else params
    try:
        items = list(items)
    except TypeError:
        raise TypeError("params must be a list or dict of Tensors; got "
                        f"{type(params).__name__}") from None
    for i, p in enumerate(items):
        if not isinstance(p, Tensor):
            raise TypeError(f"params must hold Tensors; item {i} is "
                            f"{type(p).__name__}")
    for p in items:
        p.zero_grad()


def _operand(op, x):
    """The other operand of ``op`` as a Tensor (a constant leaf if needed)."""
    if isinstance(x, Tensor):
        return x
    what = f"the other operand of {op}"
    arr = _as_array(what, x)
    _check_finite(what, arr)
    return Tensor(arr)


def _check_finite(what, arr):
    if not np.isfinite(arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{what} contains NaN or inf (first at index "
                         f"{bad}); a leaf must be finite")


def _check_broadcast(op, a, b):
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"cannot combine shapes {a.shape} {op} {b.shape}: they do not "
            "broadcast (a bias must be a column (n, 1) to be added to "
            "(n, m))") from None


def _check_axis(axis, ndim):
    if axis is None:
        return
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be None or an int; got "
                        f"{type(axis).__name__}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of range for a tensor with "
                         f"{ndim} dimensions")


def _reduction_attrs(axis, keepdims):
    attrs = {}
    if axis is not None:
        attrs["axis"] = axis
    if keepdims:
        attrs["keepdims"] = True
    return attrs


# --- drawing the graph -------------------------------------------------------
_FUNCTIONS = {"neg": "-{0}", "T": "{0}ᵀ"}
_INFIX = {"+", "-", "*", "/", "@"}


def _expression(t, names):
    """The operation that made ``t``, with its operands' names: 'w1 * x'."""
    args = [names[id(p)] for p in t._parents]
    if t.op in _INFIX:
        return f"{args[0]} {t.op} {args[1]}"
    if t.op.startswith("**"):
        return f"{args[0]}**{t.op[2:]}"
    if t.op in _FUNCTIONS:
        return _FUNCTIONS[t.op].format(*args)
    extra = [f"{k}={v}" for k, v in t._attrs.items()]
    return f"{t.op}({', '.join(args + extra)})"


def _number(x):
    return f"{x.item():.4g}" if x.size == 1 else f"shape {x.shape}"


def _layout(order):
    """(column, row) of every node: columns by depth, rows near consumers."""
    col = {}
    for t in order:  # operations: one column right of their last operand
        if t._parents:
            col[id(t)] = 1 + max(col.get(id(p), 0) for p in t._parents)
    consumers = {id(t): [] for t in order}
    for t in order:
        for i, p in enumerate(t._parents):
            consumers[id(p)].append((t, i))
    for t in order:  # leaves: one column left of their first use
        if not t._parents:
            uses = [col[id(c)] for c, _ in consumers[id(t)]]
            col[id(t)] = min(uses) - 1 if uses else 0
    row = {id(order[-1]): 0.0}
    for c in sorted({col[id(t)] for t in order}, reverse=True):
        nodes = [t for t in order if col[id(t)] == c and id(t) not in row]

        def key(t):  # the mean row of its consumers, operand order to break
            uses = [(row[id(u)], i) for u, i in consumers[id(t)]
                    if id(u) in row]
            return (np.mean([r for r, _ in uses]) if uses else 0.0,
                    min((i for _, i in uses), default=0))
        nodes.sort(key=key)
        ys = [key(t)[0] for t in nodes]
        for i in range(1, len(ys)):  # at least one row apart
            ys[i] = max(ys[i], ys[i - 1] + 1.0)
        if ys:
            centre = np.mean([key(t)[0] for t in nodes]) - np.mean(ys)
            for t, y in zip(nodes, ys):
                row[id(t)] = y + centre
    return col, row


def draw_graph(root, ax=None, backward=False, width=2.3, height=1.0):
    """Draw the graph that computed ``root``, read from the Tensors themselves.

    Each operation is a blue box ``name = expression`` naming its operands
    (``r = z - d``), with its value below; each leaf is a grey box.  Unnamed
    operations are called t1, t2, … in the order they were computed; unnamed
    scalar constants show their value.  Columns follow the order of
    computation (a node sits right of all its operands), so a value used
    twice has two outgoing arrows: the drawing is the DAG, not a chain.

    ``backward=False``: arrows from operands to results (the forward pass),
    values in the boxes.  ``backward=True``: arrows from each result back to
    its operands (the order ``backward()`` visits), and the boxes show
    ``grad`` = ∂root/∂node, so call ``root.backward()`` first.  Returns the
    matplotlib axes.  Chapter: ``book/14_autograd.ipynb``.
    """
    import matplotlib.pyplot as plt

    if not isinstance(root, Tensor):
        raise TypeError(f"root must be a Tensor; got {type(root).__name__}")
    order = root.graph()
    names, k = {}, 0
    for t in order:
        if t.name:
            names[id(t)] = t.name
        elif t._parents:
            k += 1
            names[id(t)] = f"t{k}"
        else:
            names[id(t)] = _number(t.data) if t.data.size == 1 else "const"
    col, row = _layout(order)
    n_cols = max(col.values()) - min(col.values()) + 1
    rows = list(row.values())
    if ax is None:
        span = max(rows) - min(rows) + 1
        _, ax = plt.subplots(figsize=(width * n_cols, height * span + 0.6))
        ax.figure.patch.set_facecolor("white")
    left = min(col.values())
    where = {id(t): (col[id(t)] - left, -row[id(t)]) for t in order}
    boxes = {}
    for t in order:
        x, y = where[id(t)]
        if t._parents:
            value = t.grad if backward else t.data
            what = "grad " if backward else ""
            text = (f"{names[id(t)]} = {_expression(t, names)}\n"
                    f"{what}{_number(value)}")
            face = "#fbe3d6" if backward else "#dbe9f6"
        else:
            text = names[id(t)]
            if t.name and t.data.size == 1:
                text += "\n" + ("grad " if backward else "") + _number(
                    t.grad if backward else t.data)
            face = "#eeeeee"
        boxes[id(t)] = ax.text(
            x, y, text, ha="center", va="center", fontsize=10, zorder=2,
            bbox=dict(boxstyle="round,pad=0.35", facecolor=face,
                      edgecolor="black"))
    colour = "C3" if backward else "black"
    for t in order:
        for i, p in enumerate(t._parents):
            start, end = (t, p) if backward else (p, t)
            # an operand used twice, or an arrow that skips a column, bends
            # so that no two arrows lie on one line
            twice = sum(q is p for q in t._parents) > 1
            skips = col[id(t)] - col[id(p)] > 1
            rad = (0.25 if i == 0 else -0.25) if twice else (
                0.35 if skips else 0.0)
            ax.annotate(
                "", xy=where[id(end)], xytext=where[id(start)], zorder=3,
                arrowprops=dict(arrowstyle="-|>", lw=1.3, color=colour,
                                shrinkA=0, shrinkB=0,
                                connectionstyle=f"arc3,rad={rad}",
                                patchA=boxes[id(start)].get_bbox_patch(),
                                patchB=boxes[id(end)].get_bbox_patch()))
    ax.set_xlim(-0.6, n_cols - 0.4)
    ys = [y for _, y in where.values()]
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.axis("off")
    return ax
