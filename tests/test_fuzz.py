"""Property-based fuzz of the public API with bad input.

The property, for every case: the call either raises a ``ValueError`` or
``TypeError`` whose message names the argument and says what was expected,
or it returns a finite result equal to the float64 reference, the same call
on clean float64 arrays holding the same numbers.  A result that differs
from the reference (a silent broadcast, a truncation, a NaN) fails.

Two families of cases:

* array cases: every array argument of every public function (``SLOTS``),
  each damaged in every way of ``CORRUPTIONS`` (transposed, 1-D, 3-D, a
  scalar, an extra row or column, NaN, inf, empty, integer, bool, complex,
  object, string, a list, float32, None).  Hypothesis draws the sizes and
  the numbers; a few corruptions are legitimate for some arguments (a list,
  integer values, more columns where m is free) and must then give the
  reference result.
* argument cases (``ARGUMENT_CASES``): bad sizes, rates, epochs, seeds,
  betas, names, activation lists, labels out of range, Y that is not
  one-hot, mixed dtypes across layers, output/loss pairings, caches from
  another call, an optimizer instance given a learning rate too.

Hypothesis is derandomized (``derandomize=True``), so CI sees the same
examples every run.  ``test_case_count`` prints how many distinct cases run.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion import activations, data, gradcheck, layers, losses, network, optim
from companion.mlp import MLP

FUZZ = settings(derandomize=True, max_examples=3, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
EXPECTING = re.compile(r"expect|must|valid|need|cannot|only|use |should", re.I)
N0, N1, N2 = 3, 4, 2  # layer sizes; m is drawn from 5..7 so no array is square


# --- what a valid call looks like, per function ----------------------------------------------
def probs(rng, n, m):
    return activations.ACTIVATIONS["softmax"].forward(rng.normal(size=(n, m)))


def onehot(rng, n, m):
    return data.one_hot(rng.integers(0, n, m), n)


def params(rng, dtype=np.float64):
    P = network.init_parameters([N0, N1, N2], "xavier", seed=int(rng.integers(100)), dtype=dtype)
    P["b1"] = rng.normal(size=(N1, 1)).astype(dtype)
    return P


def grads_of(rng):
    return {"dW1": rng.normal(size=(N1, N0)), "db1": rng.normal(size=(N1, 1)),
            "dW2": rng.normal(size=(N2, N1)), "db2": rng.normal(size=(N2, 1))}


def sigmoid_net(rng, m):
    P = params(rng)
    X = rng.normal(size=(N0, m))
    AL, caches = network.forward(X, P, ["tanh", "sigmoid"])
    return P, X, AL, caches


def softmax_net(rng, m):
    P = params(rng)
    X = rng.normal(size=(N0, m))
    AL, caches = network.forward(X, P, ["relu", "softmax"])
    return P, X, AL, caches


class Slot:
    """One array argument of one function.

    ``build(rng, m)`` returns ``(args, call)`` where ``args`` is a dict of the
    valid inputs and ``call(args)`` calls the function; ``arg`` is the key of
    the array to damage (a path such as ``("parameters", "W1")``), ``names``
    the words an error about it may use, ``free`` the corruptions that are
    legitimate input for this argument, ``elementwise`` True when any shape is,
    ``refuse`` the value-keeping corruptions that must still be refused (a
    list or an integer array cannot be updated in place).
    """

    def __init__(self, name, build, arg, names, free=(), elementwise=False, refuse=()):
        self.name, self.build, self.arg, self.names = name, build, arg, names
        self.free, self.elementwise, self.refuse = set(free), elementwise, set(refuse)

    def __repr__(self):
        return self.name


def s(name, build, arg, names, **kw):
    return Slot(name, build, arg, names, **kw)


def b_forward(rng, m):
    P = params(rng)
    return {"X": rng.normal(size=(N0, m)), "parameters": P}, lambda a: network.forward(a["X"], a["parameters"], ["tanh", "sigmoid"])


def b_predict(rng, m):
    P = params(rng)
    return {"X": rng.normal(size=(N0, m)), "parameters": P}, lambda a: network.predict(a["X"], a["parameters"], ["relu", "softmax"])


def b_cost(loss):
    def build(rng, m):
        if loss == "binary_cross_entropy":
            AL, Y = 1 / (1 + np.exp(-rng.normal(size=(N2, m)))), (rng.random((N2, m)) > 0.5) * 1.0
        elif loss == "cross_entropy":
            AL, Y = probs(rng, N2, m), onehot(rng, N2, m)
        else:
            AL, Y = rng.normal(size=(N2, m)), rng.normal(size=(N2, m))
        return {"AL": AL, "Y": Y}, lambda a: network.compute_cost(a["AL"], a["Y"], loss)
    return build


def b_cost_caches(rng, m):
    _, _, AL, caches = softmax_net(rng, m)
    return {"AL": AL, "Y": onehot(rng, N2, m)}, lambda a: network.compute_cost(a["AL"], a["Y"], "cross_entropy", caches)


def b_backward(rng, m):
    _, _, AL, caches = sigmoid_net(rng, m)
    return {"AL": AL, "Y": (rng.random((N2, m)) > 0.5) * 1.0}, \
        lambda a: network.backward(a["AL"], a["Y"], caches, "binary_cross_entropy")


def b_update(rng, m):
    return {"parameters": params(rng), "grads": grads_of(rng)}, \
        lambda a: network.update_parameters(a["parameters"], a["grads"], 0.1)


def b_step(cls):
    def build(rng, m):
        opt = cls(0.1)
        return {"parameters": params(rng), "grads": grads_of(rng)}, lambda a: (opt.step(a["parameters"], a["grads"]),
                                                                               opt.step(a["parameters"], a["grads"]))[1]
    return build


def b_linear_forward(rng, m):
    return {"A_prev": rng.normal(size=(N0, m)), "W": rng.normal(size=(N1, N0)), "b": rng.normal(size=(N1, 1))}, \
        lambda a: layers.linear_forward(a["A_prev"], a["W"], a["b"])


def b_linear_backward(rng, m):
    A, W, b = rng.normal(size=(N0, m)), rng.normal(size=(N1, N0)), rng.normal(size=(N1, 1))
    return {"dZ": rng.normal(size=(N1, m)), "A_prev": A, "W": W}, \
        lambda a: layers.linear_backward(a["dZ"], (a["A_prev"], a["W"], b))


def b_activation_forward(name):
    def build(rng, m):
        return {"Z": rng.normal(size=(N1, m))}, lambda a: layers.activation_forward(a["Z"], name)
    return build


def b_activation_backward(name):
    def build(rng, m):
        Z = rng.normal(size=(N1, m))
        A, cache = layers.activation_forward(Z, name)
        return {"dA": rng.normal(size=(N1, m))}, lambda a: layers.activation_backward(a["dA"], cache, name)
    return build


def b_loss(fn, kind):
    def build(rng, m):
        if kind == "bce":
            A, Y = 1 / (1 + np.exp(-rng.normal(size=(N2, m)))), (rng.random((N2, m)) > 0.5) * 1.0
        elif kind == "ce":
            A, Y = probs(rng, N2, m), onehot(rng, N2, m)
        else:  # logits or regression outputs
            A = rng.normal(size=(N2, m))
            Y = onehot(rng, N2, m) if kind == "ce_logits" else (rng.random((N2, m)) > 0.5) * 1.0 if kind == "bce_logits" \
                else rng.normal(size=(N2, m))
        return {"AL": A, "Y": Y}, lambda a: fn(a["AL"], a["Y"])
    return build


def b_elementwise(fn):
    def build(rng, m):
        return {"Z": rng.normal(size=(N1, m))}, lambda a: fn(a["Z"])
    return build


def b_softmax_backward(rng, m):
    return {"dA": rng.normal(size=(N1, m)), "A": probs(rng, N1, m)}, lambda a: activations.softmax_backward(a["dA"], a["A"])


def b_softmax_jacobian(rng, m):
    return {"z": rng.normal(size=(m, 1))}, lambda a: activations.softmax_jacobian(a["z"])


def b_minibatches(rng, m):
    return {"X": rng.normal(size=(N0, m)), "Y": rng.normal(size=(N2, m))}, \
        lambda a: list(data.minibatches(a["X"], a["Y"], batch_size=2, seed=1))


def b_fit(loss):
    def build(rng, m):
        X = rng.normal(size=(N0, m))
        if loss == "cross_entropy":
            model = MLP([N0, N1, N2], ["relu", "softmax"], loss, seed=1)
            Y = onehot(rng, N2, m)
        else:
            model = MLP([N0, N1, N2], ["tanh", "sigmoid"], loss, seed=1)
            Y = (rng.random((N2, m)) > 0.5) * 1.0

        def call(a):
            h = model.fit(a["X"], a["Y"], epochs=2, batch_size=2, learning_rate=0.1, progress=False)
            return h["loss"], h["accuracy"], model.parameters
        return {"X": X, "Y": Y}, call
    return build


def b_fit_validation(rng, m):
    model = MLP([N0, N1, N2], ["relu", "softmax"], "cross_entropy", seed=1)
    X, Y = rng.normal(size=(N0, 8)), onehot(rng, N2, 8)
    return {"X_val": rng.normal(size=(N0, m)), "Y_val": onehot(rng, N2, m)}, \
        lambda a: model.fit(X, Y, epochs=1, batch_size=4, validation_data=(a["X_val"], a["Y_val"]), progress=False)["val_loss"]


def b_mlp_predict(rng, m):
    model = MLP([N0, N1, N2], ["relu", "softmax"], "cross_entropy", seed=1)
    return {"X": rng.normal(size=(N0, m))}, lambda a: model.predict(a["X"])


def b_mlp_score(rng, m):
    model = MLP([N0, N1, N2], ["tanh", "sigmoid"], "binary_cross_entropy", seed=1)
    return {"X": rng.normal(size=(N0, m)), "Y": (rng.random((N2, m)) > 0.5) * 1.0}, lambda a: model.score(a["X"], a["Y"])


def b_mlp_parameters(rng, m):
    model = MLP([N0, N1, N2], ["relu", "softmax"], "cross_entropy", seed=1)
    X = rng.normal(size=(N0, m))

    def call(a):
        model.parameters["W1"] = a["W1"]
        return model.predict(X)
    return {"W1": model.parameters["W1"].copy()}, call


def b_check_gradients(rng, m):
    P = params(rng)
    return {"X": rng.normal(size=(N0, m)), "Y": onehot(rng, N2, m), "parameters": P}, \
        lambda a: gradcheck.check_gradients(a["parameters"], a["X"], a["Y"], ["tanh", "softmax"], "cross_entropy").passed


def b_relative_error(rng, m):
    return {"a": rng.normal(size=(N1, m)), "b": rng.normal(size=(N1, m))}, lambda a: gradcheck.relative_error(a["a"], a["b"])


ELEMENTWISE = [activations.sigmoid, activations.sigmoid_derivative, activations.tanh, activations.tanh_derivative,
               activations.relu, activations.relu_derivative, activations.leaky_relu,
               activations.leaky_relu_derivative, activations.linear, activations.linear_derivative]
LOSS_FUNCTIONS = [
    (losses.binary_cross_entropy, "bce"), (losses.binary_cross_entropy_gradient, "bce"),
    (losses.binary_cross_entropy_from_logits, "bce_logits"), (losses.cross_entropy, "ce"),
    (losses.cross_entropy_gradient, "ce"), (losses.cross_entropy_from_logits, "ce_logits"),
    (losses.mean_squared_error, "mse"), (losses.mean_squared_error_gradient, "mse"), (losses.output_delta, "mse"),
]

W1_NAMES = ("W1",)
IN_PLACE = {"list", "integer"}
ANY_2D = {"transpose", "extra_col", "extra_row"}  # for arguments whose both sizes are free
SLOTS = [
    s("network.forward X", b_forward, ("X",), ("X",), free={"extra_col"}),
    s("network.forward W1", b_forward, ("parameters", "W1"), W1_NAMES),
    s("network.forward b1", b_forward, ("parameters", "b1"), ("b1",)),
    s("network.forward W2", b_forward, ("parameters", "W2"), ("W2",)),
    s("network.predict X", b_predict, ("X",), ("X",), free={"extra_col"}),
    s("network.predict W2", b_predict, ("parameters", "W2"), ("W2",)),
    s("network.compute_cost(caches) AL", b_cost_caches, ("AL",), ("AL",)),
    s("network.compute_cost(caches) Y", b_cost_caches, ("Y",), ("Y",)),
    s("network.backward AL", b_backward, ("AL",), ("AL",)),
    s("network.backward Y", b_backward, ("Y",), ("Y",)),
    s("network.update_parameters dW1", b_update, ("grads", "dW1"), ("dW1",)),
    s("network.update_parameters db2", b_update, ("grads", "db2"), ("db2",)),
    s("network.update_parameters W1", b_update, ("parameters", "W1"), W1_NAMES, refuse=IN_PLACE),
    s("layers.linear_forward A_prev", b_linear_forward, ("A_prev",), ("A_prev",), free={"extra_col"}),
    s("layers.linear_forward W", b_linear_forward, ("W",), ("W",)),
    s("layers.linear_forward b", b_linear_forward, ("b",), ("b",)),
    s("layers.linear_backward dZ", b_linear_backward, ("dZ",), ("dZ",)),
    s("layers.linear_backward cache A_prev", b_linear_backward, ("A_prev",), ("A_prev",)),
    s("layers.linear_backward cache W", b_linear_backward, ("W",), ("W",)),
    s("layers.activation_forward Z", b_activation_forward("relu"), ("Z",), ("Z",), free=ANY_2D),
    s("layers.activation_forward(softmax) Z", b_activation_forward("softmax"), ("Z",), ("Z",), free=ANY_2D),
    s("layers.activation_backward dA", b_activation_backward("tanh"), ("dA",), ("dA",)),
    s("layers.activation_backward(softmax) dA", b_activation_backward("softmax"), ("dA",), ("dA",)),
    s("activations.softmax Z", b_elementwise(activations.softmax), ("Z",), ("Z",), free=ANY_2D),
    s("activations.softmax_jacobian z", b_softmax_jacobian, ("z",), ("z",), free={"extra_row", "ravel"}),
    s("activations.softmax_backward dA", b_softmax_backward, ("dA",), ("dA",)),
    s("activations.softmax_backward A", b_softmax_backward, ("A",), ("A",)),
    s("optim.SGD.step dW1", b_step(optim.SGD), ("grads", "dW1"), ("dW1",)),
    s("optim.Momentum.step dW1", b_step(optim.Momentum), ("grads", "dW1"), ("dW1",)),
    s("optim.Adam.step dW1", b_step(optim.Adam), ("grads", "dW1"), ("dW1",)),
    s("optim.Adam.step db1", b_step(optim.Adam), ("grads", "db1"), ("db1",)),
    s("optim.SGD.step W1", b_step(optim.SGD), ("parameters", "W1"), W1_NAMES, refuse=IN_PLACE),
    s("optim.Momentum.step b2", b_step(optim.Momentum), ("parameters", "b2"), ("b2",), refuse=IN_PLACE),
    s("data.minibatches X", b_minibatches, ("X",), ("X",), free={"extra_row"}),  # any number of features
    s("data.minibatches Y", b_minibatches, ("Y",), ("Y",), free={"extra_row"}),
    s("MLP.fit(cross_entropy) X", b_fit("cross_entropy"), ("X",), ("X",)),
    s("MLP.fit(cross_entropy) Y", b_fit("cross_entropy"), ("Y",), ("Y",)),
    s("MLP.fit(binary_cross_entropy) Y", b_fit("binary_cross_entropy"), ("Y",), ("Y",)),
    s("MLP.fit validation X_val", b_fit_validation, ("X_val",), ("X_val",), free={"extra_col"}),
    s("MLP.fit validation Y_val", b_fit_validation, ("Y_val",), ("Y_val",)),
    s("MLP.predict X", b_mlp_predict, ("X",), ("X",), free={"extra_col"}),
    s("MLP.score X", b_mlp_score, ("X",), ("X",)),
    s("MLP.score Y", b_mlp_score, ("Y",), ("Y",)),
    s("MLP.parameters W1 then predict", b_mlp_parameters, ("W1",), W1_NAMES),
    s("gradcheck.relative_error a", b_relative_error, ("a",), ("a",)),
    s("gradcheck.check_gradients X", b_check_gradients, ("X",), ("X", "Y")),  # Y fixes m
    s("gradcheck.check_gradients Y", b_check_gradients, ("Y",), ("Y",)),
    s("gradcheck.check_gradients W2", b_check_gradients, ("parameters", "W2"), ("W2",)),
]
SLOTS += [s(f"network.compute_cost({loss}) {arg}", b_cost(loss), (arg,), (arg,))
          for loss in ("binary_cross_entropy", "cross_entropy", "mse") for arg in ("AL", "Y")]
SLOTS += [s(f"losses.{fn.__name__} {arg}", b_loss(fn, kind), (arg,), ("ZL" if arg == "AL" and "logits" in fn.__name__ else arg,))
          for fn, kind in LOSS_FUNCTIONS for arg in ("AL", "Y")]
SLOTS += [s(f"activations.{fn.__name__} Z", b_elementwise(fn), ("Z",), ("Z",), elementwise=True) for fn in ELEMENTWISE]


# --- the ways to damage an array ---------------------------------------------------------------
def _set(v, value):
    v = v.copy()
    v.flat[v.size // 2] = value
    return v


# name -> (damage(v) -> (damaged, clean float64 twin or None)); a clean twin means the damage keeps the values
CORRUPTIONS = {
    "transpose": lambda v: (v.T, None),
    "ravel": lambda v: (v.ravel(), None),
    "3d": lambda v: (v[None], None),
    "scalar": lambda v: (np.float64(v.flat[0]), None),
    "extra_row": lambda v: (np.vstack([v, v[:1]]), None),
    "extra_col": lambda v: (np.hstack([v, v[:, :1]]), None),
    "nan": lambda v: (_set(v, np.nan), None),
    "inf": lambda v: (_set(v, np.inf), None),
    "-inf": lambda v: (_set(v, -np.inf), None),
    "empty": lambda v: (v[:, :0], None),
    "bool": lambda v: (v > 0, None),
    "complex": lambda v: (v.astype(complex), None),
    "object": lambda v: (v.astype(object), None),
    "string": lambda v: (v.astype(str), None),
    "none": lambda v: (None, None),
    "list": lambda v: (v.tolist(), v),
    "integer": lambda v: (np.rint(v).astype(np.int64), np.rint(v)),
    "float32": lambda v: (v.astype(np.float32), v.astype(np.float32).astype(np.float64)),
}
CASES = [(slot, kind) for slot in SLOTS for kind in CORRUPTIONS]


def get_path(args, path):
    for key in path[:-1]:
        args = args[key]
    return args, path[-1]


def flatten(result):
    """Every number in a result (arrays, floats, tuples, lists, dicts, caches) as float64 arrays."""
    if result is None or isinstance(result, str):
        return []
    if isinstance(result, dict):
        return [x for k in sorted(result) for x in flatten(result[k])]
    if isinstance(result, (list, tuple)):
        return [x for r in result for x in flatten(r)]
    arr = np.asarray(result)
    if arr.dtype == object or arr.dtype.kind in "US":
        return []
    return [arr.astype(np.float64)]


def check_error(exc, slot_names, case):
    assert isinstance(exc, (ValueError, TypeError)), f"{case}: {type(exc).__name__}: {exc}"
    msg = str(exc)
    named = any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])", msg) for n in slot_names)
    assert named, f"{case}: the message does not name {slot_names}: {msg}"
    assert EXPECTING.search(msg), f"{case}: the message does not say what was expected: {msg}"


def run_case(slot, kind, seed, m):
    rng = np.random.default_rng(seed)
    args, call = slot.build(rng, m)
    holder, key = get_path(args, slot.arg)
    damaged, clean = CORRUPTIONS[kind](np.asarray(holder[key]))
    legit = (clean is not None and kind not in slot.refuse) or kind in slot.free or (slot.elementwise and kind in
                                                       ("transpose", "ravel", "3d", "scalar", "extra_row", "extra_col"))
    if clean is None and legit:
        clean = np.asarray(damaged, dtype=np.float64)
    reference = None
    if legit:
        rng = np.random.default_rng(seed)  # the same valid arguments again, with the clean twin
        ref_args, ref_call = slot.build(rng, m)
        ref_holder, _ = get_path(ref_args, slot.arg)
        ref_holder[key] = clean
        try:
            reference = ref_call(ref_args)
        except (ValueError, TypeError) as exc:  # the clean twin is invalid too: the damaged one must say so
            reference = exc
    holder[key] = damaged
    case = f"{slot.name} <- {kind}"
    with np.errstate(all="ignore"):
        try:
            result = call(args)
        except Exception as exc:  # noqa: BLE001 - the property is about which exception
            check_error(exc, slot.names, case)
            if legit and not isinstance(reference, Exception) and kind != "float32":
                raise AssertionError(f"{case}: valid input refused: {exc}") from exc
            return "error"
    assert legit, f"{case}: accepted silently, returning {result!r:.300}"
    assert not isinstance(reference, Exception), f"{case}: accepted, but its float64 twin is refused: {reference}"
    got, want = flatten(result), flatten(reference)
    assert len(got) == len(want), f"{case}: {len(got)} arrays, the reference has {len(want)}"
    tol = dict(rtol=2e-4, atol=1e-5) if kind == "float32" else dict(rtol=1e-12, atol=1e-12)
    for g, w in zip(got, want):
        assert g.shape == w.shape, f"{case}: shape {g.shape}, reference {w.shape}"
        assert np.isfinite(g).all(), f"{case}: non-finite result {g}"
        np.testing.assert_allclose(g, w, err_msg=case, **tol)
    return "result"


@pytest.mark.parametrize("slot", SLOTS, ids=repr)
@FUZZ
@given(seed=st.integers(0, 2**16), m=st.integers(5, 7))
def test_damaged_arrays(slot, seed, m):
    for kind in CORRUPTIONS:
        run_case(slot, kind, seed, m)


# --- bad arguments that are not arrays --------------------------------------------------------------
BAD_POSITIVE_INTS = [0, -1, 1.5, "3", None, True, math.nan]
BAD_POSITIVE_FLOATS = [0, -0.1, math.nan, math.inf, "0.1", None, True, [0.1]]
BAD_SEEDS = [-1, 1.5, "0", True, [0]]
BAD_BETAS = [1.0, -0.1, math.nan, "0.9", True]
BAD_NAMES = ["Relu", "", None, 3, ["relu"]]
BAD_DTYPES = [np.int32, np.float16, "int8", np.bool_, complex]  # ("float" and None mean float64 in NumPy: valid)
Xs, Ys = np.ones((2, 6)), np.ones((1, 6))


def moons_model():
    return MLP([2, 3, 1], ["tanh", "sigmoid"], "binary_cross_entropy")


def softmax_model():
    return MLP([2, 3, 2], ["tanh", "softmax"], "cross_entropy")


def fit(**kw):
    kw = {"epochs": 1, "batch_size": 2, "progress": False, **kw}
    return lambda: moons_model().fit(Xs, Ys, **kw)


VALUE_ARGS = {  # argument -> (function of the bad value, names an error may use, bad values)
    "init_parameters layer_sizes[1]": (lambda v: network.init_parameters([2, v]), ("layer_sizes[1]",), BAD_POSITIVE_INTS),
    "init_parameters seed": (lambda v: network.init_parameters([2, 1], seed=v), ("seed",), BAD_SEEDS),
    "init_parameters method": (lambda v: network.init_parameters([2, 1], v), ("init method",), BAD_NAMES),
    "init_parameters dtype": (lambda v: network.init_parameters([2, 1], dtype=v), ("dtype",), BAD_DTYPES),
    "init_parameters scale": (lambda v: network.init_parameters([2, 1], "small_random", scale=v), ("scale",),
                              BAD_POSITIVE_FLOATS),
    "make_circles factor": (lambda v: data.make_circles(factor=v), ("factor",), [-0.5, math.nan, "0.5", None]),
    "activations.get name": (lambda v: activations.get(v), ("activation",), BAD_NAMES),
    "losses.get name": (lambda v: losses.get(v), ("loss",), BAD_NAMES),
    "losses.check_pairing output": (lambda v: losses.check_pairing(v, "cross_entropy"), ("output activation",),
                                    ["linear", "sigmoid", "relu", None]),
    "layers.activation_forward activation": (lambda v: layers.activation_forward(np.ones((2, 3)), v),
                                             ("activation",), BAD_NAMES),
    "layers.activation_backward activation": (lambda v: layers.activation_backward(
        np.ones((2, 3)), (np.ones((2, 3)), np.ones((2, 3))), v), ("activation",), BAD_NAMES),
    "layers.linear_backward cache": (lambda v: layers.linear_backward(np.ones((2, 3)), v), ("cache",),
                                     [None, (np.ones((3, 3)), np.ones((2, 3))), "cache", np.ones((2, 3))]),
    "layers.activation_backward cache": (lambda v: layers.activation_backward(np.ones((2, 3)), v, "relu"), ("cache",),
                                         [None, (np.ones((2, 3)),), "cache", np.ones((2, 3))]),
    "shape_table m": (lambda v: network.shape_table([2, 1], v), ("m",), BAD_POSITIVE_INTS),
    "update_parameters learning_rate": (lambda v: network.update_parameters(
        network.init_parameters([2, 1]), {"dW1": np.ones((1, 2)), "db1": np.ones((1, 1))}, v),
        ("learning_rate",), BAD_POSITIVE_FLOATS),
    "forward activations[1]": (lambda v: network.forward(Xs, network.init_parameters([2, 3, 1]), ["relu", v]),
                               ("activation",), BAD_NAMES),
    "compute_cost loss": (lambda v: network.compute_cost(np.full((1, 2), 0.5), np.ones((1, 2)), v), ("loss",), BAD_NAMES),
    "SGD learning_rate": (lambda v: optim.SGD(v), ("learning_rate",), BAD_POSITIVE_FLOATS),
    "Momentum learning_rate": (lambda v: optim.Momentum(v), ("learning_rate",), BAD_POSITIVE_FLOATS),
    "Adam learning_rate": (lambda v: optim.Adam(v), ("learning_rate",), BAD_POSITIVE_FLOATS),
    "Adam epsilon": (lambda v: optim.Adam(epsilon=v), ("epsilon",), BAD_POSITIVE_FLOATS),
    "Momentum beta": (lambda v: optim.Momentum(beta=v), ("beta",), BAD_BETAS),
    "Adam beta1": (lambda v: optim.Adam(beta1=v), ("beta1",), BAD_BETAS),
    "Adam beta2": (lambda v: optim.Adam(beta2=v), ("beta2",), BAD_BETAS),
    "optim.make optimizer": (lambda v: optim.make(v, 0.1), ("optimizer",), ["lbfgs", None, 3, ["sgd"]]),
    "one_hot n_classes": (lambda v: data.one_hot([0, 1], v), ("n_classes",), [v for v in BAD_POSITIVE_INTS if v is not None]),
    "one_hot dtype": (lambda v: data.one_hot([0, 1], 2, dtype=v), ("dtype",), BAD_DTYPES),
    "batch_indices m": (lambda v: data.batch_indices(v, 2), ("m",), BAD_POSITIVE_INTS),
    "batch_indices batch_size": (lambda v: data.batch_indices(6, v), ("batch_size",), BAD_POSITIVE_INTS),
    "minibatches batch_size": (lambda v: data.minibatches(Xs, Ys, v), ("batch_size",), BAD_POSITIVE_INTS),
    "minibatches seed": (lambda v: data.minibatches(Xs, Ys, 2, seed=v), ("seed",), BAD_SEEDS),
    "make_moons m": (lambda v: data.make_moons(m=v), ("m",), BAD_POSITIVE_INTS),
    "make_moons noise": (lambda v: data.make_moons(noise=v), ("noise",), [-0.1, math.nan, math.inf, "0.1", None]),
    "make_circles seed": (lambda v: data.make_circles(seed=v), ("seed",), BAD_SEEDS),
    "make_spirals n_classes": (lambda v: data.make_spirals(n_classes=v), ("n_classes",), BAD_POSITIVE_INTS),
    "make_xor seed": (lambda v: data.make_xor(seed=v), ("seed",), BAD_SEEDS),
    "load_mnist_sample test_size": (lambda v: data.load_mnist_sample(test_size=v), ("test_size",),
                                    BAD_POSITIVE_INTS + [10_000]),
    "load_mnist_sample dtype": (lambda v: data.load_mnist_sample(dtype=v), ("dtype",), BAD_DTYPES),
    "MLP layer_sizes": (lambda v: MLP(v, ["softmax"], "cross_entropy"), ("layer_sizes",), [[2], [], 3, "23", None]),
    "MLP loss": (lambda v: MLP([2, 2], ["softmax"], v), ("loss",), BAD_NAMES),
    "MLP init": (lambda v: MLP([2, 2], ["softmax"], "cross_entropy", init=v), ("init method",), BAD_NAMES),
    "MLP seed": (lambda v: MLP([2, 2], ["softmax"], "cross_entropy", seed=v), ("seed",), BAD_SEEDS),
    "MLP dtype": (lambda v: MLP([2, 2], ["softmax"], "cross_entropy", dtype=v), ("dtype",), BAD_DTYPES),
    "MLP activations": (lambda v: MLP([2, 3, 2], v, "cross_entropy"), ("activation", "activations"),
                        ["relu", None, 3, ["relu"], ["relu", "softmax", "softmax"], ["relu", "Softmax"]]),
    "MLP.fit epochs": (lambda v: fit(epochs=v)(), ("epochs",), BAD_POSITIVE_INTS),
    "MLP.fit batch_size": (lambda v: fit(batch_size=v)(), ("batch_size",), BAD_POSITIVE_INTS),
    "MLP.fit learning_rate": (lambda v: fit(learning_rate=v)(), ("learning_rate",),
                              [v for v in BAD_POSITIVE_FLOATS if v is not None]),  # None: the default 0.01
    "MLP.fit seed": (lambda v: fit(seed=v)(), ("seed",), BAD_SEEDS + [None]),
    "MLP.fit optimizer": (lambda v: fit(optimizer=v)(), ("optimizer",), ["lbfgs", None, 3]),
    "MLP.fit progress": (lambda v: fit(progress=v)(), ("progress",), ["yes", None, 2]),
    "MLP.fit validation_data": (lambda v: fit(validation_data=v)(), ("validation_data",),
                                [Xs, (Xs,), (Xs, Ys, Ys), "val"]),
    "numerical_gradient eps": (lambda v: gradcheck.numerical_gradient(lambda x: float(x.sum()), np.ones(2), v),
                               ("eps",), BAD_POSITIVE_FLOATS),
}

Y2 = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
A2 = np.array([[0.7, 0.2, 0.6], [0.3, 0.8, 0.4]])
P21 = network.init_parameters([2, 3, 1])
_, CACHES_SIG = network.forward(Xs, P21, ["tanh", "sigmoid"])
_, CACHES_LIN = network.forward(Xs, P21, ["tanh", "linear"])
STRUCTURE_CASES = {  # name -> (call, names an error may use)
    "one_hot label above n_classes": (lambda: data.one_hot([0, 3], 3), ("labels",)),
    "one_hot negative label": (lambda: data.one_hot([-1, 0]), ("labels",)),
    "one_hot fractional label": (lambda: data.one_hot([0.5, 1]), ("labels",)),
    "one_hot NaN label": (lambda: data.one_hot([np.nan, 1]), ("labels",)),
    "one_hot string labels": (lambda: data.one_hot(["0", "1"]), ("labels",)),
    "one_hot bool labels": (lambda: data.one_hot([True, False]), ("labels",)),
    "one_hot 2-D labels": (lambda: data.one_hot(np.zeros((2, 2), int)), ("labels",)),
    "one_hot empty": (lambda: data.one_hot([]), ("labels",)),
    "cross_entropy Y two ones": (lambda: losses.cross_entropy(A2, np.ones((2, 3))), ("Y",)),
    "cross_entropy Y all zeros": (lambda: losses.cross_entropy(A2, np.zeros((2, 3))), ("Y",)),
    "cross_entropy Y soft labels": (lambda: losses.cross_entropy(A2, np.full((2, 3), 0.5)), ("Y",)),
    "cross_entropy AL not summing to 1": (lambda: network.compute_cost(A2 * 3 / 4, Y2, "cross_entropy"), ("AL",)),
    "bce AL above 1": (lambda: network.compute_cost(np.array([[1.5, -0.2]]), np.array([[1, 0]]), "binary_cross_entropy"),
                       ("AL",)),
    "bce Y = 2": (lambda: losses.binary_cross_entropy(np.full((1, 2), 0.5), np.full((1, 2), 2.0)), ("Y",)),
    "compute_cost caches of another call": (lambda: network.compute_cost(np.full((1, 6), 0.5), np.ones((1, 6)),
                                                                         "binary_cross_entropy", CACHES_SIG), ("AL",)),
    "compute_cost caches not a list": (lambda: network.compute_cost(np.full((1, 6), 0.5), np.ones((1, 6)),
                                                                    "binary_cross_entropy", "caches"), ("caches",)),
    "backward AL of another call": (lambda: network.backward(np.full((1, 6), 0.5), np.ones((1, 6)), CACHES_SIG,
                                                             "binary_cross_entropy"), ("AL",)),
    "backward linear output with bce": (lambda: network.backward(CACHES_LIN[-1].A, np.ones((1, 6)), CACHES_LIN,
                                                                 "binary_cross_entropy"), ("output activation",)),
    "backward caches of tuples": (lambda: network.backward(CACHES_SIG[-1].A, np.ones((1, 6)),
                                                           [tuple(c) for c in CACHES_SIG], "binary_cross_entropy"),
                                  ("caches",)),
    "MLP linear output with bce": (lambda: MLP([3, 4, 1], ["relu", "linear"], "binary_cross_entropy"),
                                   ("output activation",)),
    "MLP sigmoid output with cross_entropy": (lambda: MLP([3, 4, 2], ["relu", "sigmoid"], "cross_entropy"),
                                              ("output activation",)),
    "forward mixed float32/float64 layers": (lambda: network.forward(Xs, {
        "W1": np.ones((3, 2), np.float32), "b1": np.zeros((3, 1), np.float32),
        "W2": np.ones((1, 3)), "b2": np.zeros((1, 1))}, ["relu", "sigmoid"]), ("W2", "b2")),
    "forward parameters not a dict": (lambda: network.forward(Xs, [np.ones((3, 2))], ["relu"]), ("parameters",)),
    "forward parameters missing b2": (lambda: network.forward(Xs, {k: v for k, v in P21.items() if k != "b2"},
                                                              ["relu", "sigmoid"]), ("b2",)),
    "forward too many activations": (lambda: network.forward(Xs, P21, ["relu", "relu", "sigmoid"]), ("activations",)),
    "forward activations a string": (lambda: network.forward(Xs, P21, "relu"), ("activations",)),
    "forward activations None": (lambda: network.forward(Xs, P21, None), ("activations",)),
    "MLP float64 layer in a float32 model": (lambda: _swap_dtype(), ("W1",)),
    "MLP.fit CE labels out of range": (lambda: softmax_model().fit(Xs, np.array([0, 1, 2, 0, 1, 0]), progress=False),
                                       ("labels",)),
    "MLP.fit BCE labels as a 1-D vector": (lambda: moons_model().fit(Xs, np.ones(6), progress=False), ("Y",)),
    "MLP.fit Y with other m": (lambda: moons_model().fit(Xs, np.ones((1, 5)), progress=False), ("Y",)),
    "MLP.fit non-one-hot Y": (lambda: softmax_model().fit(Xs, np.ones((2, 6)), progress=False), ("Y",)),
    "MLP.fit instance and learning_rate": (lambda: moons_model().fit(Xs, Ys, optimizer=optim.Adam(0.01),
                                                                     learning_rate=0.1, progress=False),
                                           ("learning_rate",)),
    "MLP.fit object without step": (lambda: moons_model().fit(Xs, Ys, optimizer=object(), progress=False),
                                    ("optimizer",)),
    "MLP.score of a regression": (lambda: MLP([2, 1], ["linear"], "mse").score(Xs, Ys), ("output activation",)),
    "optimizer reused on another network": (lambda: _reuse_optimizer(), ("dW1",)),
    "step grads not a dict": (lambda: optim.SGD(0.1).step(network.init_parameters([2, 1]), [np.ones((1, 2))]), ("grads",)),
    "step parameters not a dict": (lambda: optim.Adam().step([np.ones((1, 2))], {}), ("parameters",)),
    "step integer parameters": (lambda: optim.SGD(0.1).step({"W1": np.ones((1, 2), int)}, {"dW1": np.ones((1, 2))}),
                                ("W1",)),
    "step grads missing db1": (lambda: optim.Adam().step(network.init_parameters([2, 1]), {"dW1": np.ones((1, 2))}),
                               ("db1",)),
    "step db 1-D": (lambda: optim.Momentum().step(network.init_parameters([2, 3]),
                                                  {"dW1": np.ones((3, 2)), "db1": np.ones(3)}), ("db1",)),
    "step dW broadcastable row": (lambda: optim.SGD(0.1).step(network.init_parameters([3, 4]),
                                                              {"dW1": np.ones((1, 3)), "db1": np.ones((4, 1))}),
                                  ("dW1",)),
    "minibatches X and Y of different m": (lambda: data.minibatches(Xs, np.ones((1, 5))), ("Y",)),
    "read_idx not a gzip file": (lambda: data.read_idx(__file__), ("path",)),
    "relative_error shapes differ": (lambda: gradcheck.relative_error(np.ones(2), np.ones(3)), ("shapes",)),
    "numerical_gradient x a list": (lambda: gradcheck.numerical_gradient(lambda x: 0.0, [1.0, 2.0]), ("x",)),
}


def _swap_dtype():
    model = MLP([2, 3, 1], ["tanh", "sigmoid"], "binary_cross_entropy", dtype=np.float32)
    model.parameters["W1"] = model.parameters["W1"].astype(np.float64)
    model.parameters["b1"] = model.parameters["b1"].astype(np.float64)
    model.parameters["W2"] = model.parameters["W2"].astype(np.float64)
    model.parameters["b2"] = model.parameters["b2"].astype(np.float64)
    return model.fit(Xs, Ys, progress=False)


def _reuse_optimizer():
    opt = optim.Adam()
    opt.step(network.init_parameters([2, 1]), {"dW1": np.ones((1, 2)), "db1": np.ones((1, 1))})
    return opt.step(network.init_parameters([2, 3]), {"dW1": np.ones((3, 2)), "db1": np.ones((3, 1))})


ARGUMENT_CASES = [(f"{arg} = {v!r}", (lambda fn=fn, v=v: fn(v)), names)
                  for arg, (fn, names, values) in VALUE_ARGS.items() for v in values]
ARGUMENT_CASES += [(name, call, names) for name, (call, names) in STRUCTURE_CASES.items()]


@pytest.mark.parametrize("case, call, names", ARGUMENT_CASES, ids=[c[0] for c in ARGUMENT_CASES])
def test_bad_arguments(case, call, names):
    with np.errstate(all="ignore"):
        try:
            result = call()
            if hasattr(result, "__next__"):  # a lazy generator must still refuse at once
                raise AssertionError(f"{case}: returned a generator instead of refusing")
        except AssertionError:
            raise
        except Exception as exc:  # noqa: BLE001 - the property is about which exception
            check_error(exc, names, case)
            return
    raise AssertionError(f"{case}: accepted silently, returning {result!r:.300}")


def test_case_count():
    """How many distinct cases the fuzz runs (the README quotes this number)."""
    n_array, n_args = len(CASES), len(ARGUMENT_CASES)
    print(f"\nfuzz: {n_array} damaged-array cases ({len(SLOTS)} arguments x {len(CORRUPTIONS)} corruptions) "
          f"+ {n_args} bad-argument cases = {n_array + n_args} distinct cases")
    assert len({(slot.name, kind) for slot, kind in CASES}) == n_array
    assert len({c[0] for c in ARGUMENT_CASES}) == n_args
    assert n_array + n_args >= 150
