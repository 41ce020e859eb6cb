"""Self-checking exercises of Part I (chapters 1 to 5); see :mod:`companion.exercises`.

Each checker works out the right answer with ``companion`` (or, for "does
NumPy run this?", by running NumPy) when it is called; what is stored here
is only the data an exercise poses (layer sizes, the 2-3-1 network of
chapter 2), never an answer.
"""
from __future__ import annotations

import numpy as np

from ._framework import compare_arrays, compare_function, compare_number, exercise


def _close(x, y, rtol=1e-6):
    """True when x and y are arrays of the same shape and equal within rtol."""
    try:
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return x.shape == y.shape and np.allclose(x, y, rtol=rtol, atol=1e-12)


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


def _numpy_runs(make):
    """True when ``make()`` runs in NumPy, False when it raises ValueError (a shape mismatch)."""
    try:
        make()
    except ValueError:
        return False
    return True


# --- chapter 1: Notation and shapes ----------------------------------------------------
_CAT_SIZES, _CAT_M = [12288, 20, 7, 5, 1], 64  # the network and batch the exercise poses
_CAT_ASKED = ("W3", "b2", "Z4", "dA1", "dW1")
_SHAPE_RULE = {
    "W": "W[l] is (units in layer l, units in layer l-1)",
    "b": "b[l] is a column: one bias per unit of layer l",
    "Z": "examples are columns: Z[l] is (units in layer l, m)",
    "dA": "dA[l] has the shape of A[l]: (units in layer l, m)",
    "dW": "dW[l] has the shape of W[l]",
}


def _judge_shape(key, yours, shapes):
    """(ok, message) for one shape of exercise 1.1, naming a transpose or a layer off by one."""
    kind, layer = key.rstrip("0123456789"), int(key.lstrip("dWbZA"))
    try:
        yours = tuple(int(v) for v in yours)
    except (TypeError, ValueError):
        return False, f"{key} must be a shape, a tuple such as (3, 4); got {yours!r}"
    want = shapes[key]
    if yours == want:
        return True, ""
    if len(yours) != 2:
        return False, f"{key} has two axes (rows, columns); you gave {len(yours)}: {yours}"
    if yours == want[::-1]:
        return False, f"{key} is the wrong way round: {_SHAPE_RULE[kind]}."
    for other in (layer - 1, layer + 1):
        name = f"{kind}{other}"
        if shapes.get(name) == yours:
            return False, (f"{yours} is the shape of {name}, one layer off: layers count from 1 "
                           "(layer 0 is the input X), and layer l is the l-th entry after the input size.")
    return False, f"{key} is not {yours}: {_SHAPE_RULE[kind]}."


@exercise("01.1", 'a dict {"W3": shape, "b2": shape, "Z4": shape, "dA1": shape, "dW1": shape, '
                  '"parameters": count} (shapes as tuples)')
def _cat_shapes(answer):
    from ..network import shape_table

    if not isinstance(answer, dict):
        keys = ", ".join(_CAT_ASKED + ("parameters",))
        return False, f"the answer must be a dict with keys {keys}; got {type(answer).__name__}"
    missing = [k for k in _CAT_ASKED + ("parameters",) if k not in answer]
    if missing:
        return False, f"your dict has no {', '.join(missing)}"
    table = shape_table(_CAT_SIZES, m=_CAT_M)
    shapes = dict(zip(table["tensor"], table["shape"]))
    for key in _CAT_ASKED:
        ok, message = _judge_shape(key, answer[key], shapes)
        if not ok:
            return False, message
    count = {kind: sum(int(np.prod(s)) for t, s in shapes.items() if t[0] == kind) for kind in "Wb"}
    n_params = count["W"] + count["b"]
    count_given = answer["parameters"]
    if isinstance(count_given, bool) or not isinstance(count_given, (int, np.integer, float, np.floating)) \
            or not float(count_given).is_integer():
        return False, f"the parameter count must be a whole number, got {count_given!r}"
    ok, message = compare_number(answer["parameters"], n_params, rtol=0, name="the parameter count", hints=[
        (count["W"], "the five shapes are right; the count has the weights only: every unit also has a bias."),
        (n_params + _CAT_SIZES[0], "the five shapes are right; the count gives the input a bias, but X has none."),
        (count["W"] + sum(_CAT_SIZES[:-1]), "the five shapes are right; the count has biases for the input, "
                                     "not for the output unit: b[l] belongs to layers 1 to L."),
    ])
    if ok:
        return True, "all five shapes and the parameter count match network.shape_table."
    return False, message if "shapes are right" in message else "the five shapes are right; " + message


@exercise("01.2", "a function rule(n1, m) (True: W1 @ X + b1 runs with b1 of shape (1, n1) and m examples; "
                  "False: it raises)")
def _row_bias(fn):
    if not callable(fn):
        return False, f"the answer must be a function rule(n1, m), got {type(fn).__name__}"
    n0 = 3
    for n1 in (2, 3, 4, 5, 6, 1):  # n1 = 1 last: the special case after the general ones
        for m in range(1, 9):
            truth = _numpy_runs(lambda: np.ones((n1, n0)) @ np.ones((n0, m)) + np.ones((1, n1)))
            yours = fn(n1, m)
            if not _is_bool(yours):
                return False, f"rule(n1, m) must return True or False; rule({n1}, {m}) returned {yours!r}"
            if yours != truth:
                said = "runs" if yours else "fails"
                numpy = "runs it (broadcasting stretches every axis of size 1)" if truth else "raises ValueError"
                return False, f"for n1 = {n1}, m = {m}: your function says it {said}, but NumPy {numpy}. Try it."
    return True, "it agrees with NumPy for n1 = 1..6 and m = 1..8."


# --- chapter 2: Forward propagation ----------------------------------------------------
_P_231 = {  # the 2-3-1 network chapter 2 poses (relu, then sigmoid): data, not an answer
    "W1": [[1.0, -1.0], [0.5, 2.0], [-1.0, 0.0]],
    "b1": [[0.0], [-1.0], [0.5]],
    "W2": [[1.0, -2.0, 0.5]],
    "b2": [[0.25]],
}


@exercise("02.1", "a tuple (Z1, A1, Z2, y_hat) for x = (0, 0) (Z1 and A1: three numbers each)")
def _by_hand(answer):
    from ..activations import sigmoid
    from ..network import forward

    P = {k: np.array(v) for k, v in _P_231.items()}
    AL, caches = forward(np.zeros((2, 1)), P, ["relu", "sigmoid"])
    Z1, A1, Z2, y_hat = caches[0].Z[:, 0], caches[0].A[:, 0], caches[1].Z[0, 0], AL[0, 0]
    try:
        z1, a1, z2, yh = answer
        z1, a1 = (np.asarray(v, dtype=np.float64).ravel() for v in (z1, a1))
    except (TypeError, ValueError):
        return False, "give four things, (Z1, A1, Z2, y_hat), with Z1 and A1 as three numbers each"
    for name, v in (("Z1", z1), ("A1", a1)):
        if v.size != 3:
            return False, f"{name} has one entry per hidden unit, 3 of them; yours has {v.size}"
    if not _close(z1, Z1):
        if _close(z1, np.zeros(3)):
            return False, "Z1 = W1 x + b1: with x = 0 the product vanishes, but b1 does not."
        return False, compare_arrays(z1, Z1, name="Z1")[1]
    if not _close(a1, A1):
        if _close(a1, Z1):
            return False, "A1 equals Z1: the hidden layer applies its ReLU."
        if _close(a1, sigmoid(Z1)):
            return False, "the hidden layer's activation is the ReLU, not the sigmoid."
        return False, compare_arrays(a1, A1, name="A1")[1]
    W2, b2 = P["W2"][0], P["b2"][0, 0]
    ok, message = compare_number(z2, Z2, rtol=1e-6, name="Z2", hints=[
        (W2 @ Z1 + b2, "Z2 = W2 A1 + b2 takes A1, after the ReLU, not Z1."),
        (W2 @ A1, "Z2 = W2 A1 + b2: b2 is missing."),
    ])
    if not ok:
        return False, "Z1 and A1 are right; " + message
    ok, message = compare_number(yh, y_hat, rtol=1e-3, name="y_hat", hints=[
        (Z2, "y_hat = sigmoid(Z2): the output unit applies its sigmoid."),
        (sigmoid(-Z2), "that is 1 - y_hat: sigmoid(z) = 1 / (1 + e^(-z)), with a minus in the exponent."),
    ])
    if not ok:
        return False, "Z1, A1 and Z2 are right; " + message
    return True, "all four agree with network.forward."


@exercise("02.2", "a function rule(n0, n1, m) (True: Z = X @ W + b runs for X (n0, m), W (n1, n0) and "
                  "b (n1, 1); False: it raises)")
def _rows_layer(fn):
    if not callable(fn):
        return False, f"the answer must be a function rule(n0, n1, m), got {type(fn).__name__}"
    for n0, n1, m in np.ndindex(5, 5, 5):
        n0, n1, m = n0 + 1, n1 + 1, m + 1
        X, W, b = np.ones((n0, m)), np.ones((n1, n0)), np.ones((n1, 1))
        truth = _numpy_runs(lambda: X @ W + b)
        yours = fn(n0, n1, m)
        if not _is_bool(yours):
            return False, f"rule(n0, n1, m) must return True or False; rule{(n0, n1, m)} returned {yours!r}"
        if yours == truth:
            continue
        case = f"for n0 = {n0}, n1 = {n1}, m = {m}"
        if not truth and _numpy_runs(lambda: X @ W):
            return False, f"{case}: X @ W runs there, but adding b raises ValueError: your rule forgets the + b."
        if truth:
            return False, f"{case}: NumPy runs it (broadcasting stretches an axis of size 1); your function says no."
        return False, f"{case}: your function says it runs, but NumPy raises ValueError. Try it."
    return True, "it agrees with NumPy for every n0, n1, m from 1 to 5."


@exercise("02.3", "a function bias_trick(A_prev, W, b) that returns (Wb, A_ones) (W with the column b "
                  "added, A_prev with a row of ones added)")
def _bias_trick(fn):
    from ..layers import linear_forward

    if not callable(fn):
        return False, f"the answer must be a function bias_trick(A_prev, W, b), got {type(fn).__name__}"
    rng = np.random.default_rng(23)
    for n_prev, n, m in [(3, 4, 5), (2, 6, 3), (5, 1, 4)]:
        A_prev, W, b = rng.normal(size=(n_prev, m)), rng.normal(size=(n, n_prev)), rng.normal(size=(n, 1))
        out = fn(A_prev.copy(), W.copy(), b.copy())
        if not isinstance(out, tuple) or len(out) != 2:
            return False, "bias_trick must return two arrays, (Wb, A_ones)"
        Wb, A_ones = (np.asarray(v, dtype=np.float64) for v in out)
        shapes = f"for W {W.shape} and A_prev {A_prev.shape}"
        if Wb.shape != (n, n_prev + 1):
            if Wb.shape == (n + 1, n_prev):
                return False, f"{shapes}: Wb is {Wb.shape}: b went in as a row; it is a column, one bias per row of W."
            return False, f"{shapes}: Wb is {Wb.shape}; it needs W's rows and one column more."
        if A_ones.shape != (n_prev + 1, m):
            if A_ones.shape == (n_prev, m + 1):
                return False, (f"{shapes}: A_ones is {A_ones.shape}: the ones went in as a column; "
                               "add a row (one 1 per example).")
            return False, f"{shapes}: A_ones is {A_ones.shape}; it needs A_prev's columns and one row more."
        Z, _ = linear_forward(A_prev, W, b)
        if not _close(Wb @ A_ones, Z):
            b_col = [j for j in range(n_prev + 1) if _close(Wb[:, j], b[:, 0])]
            ones_row = [i for i in range(n_prev + 1) if _close(A_ones[i], np.ones(m))]
            if b_col and ones_row and b_col[0] != ones_row[0]:
                return False, (f"{shapes}: b is column {b_col[0]} of Wb but the ones are row {ones_row[0]} "
                               "of A_ones: they must meet.")
            why = compare_arrays(Wb @ A_ones, Z, name="it")[1]
            return False, f"{shapes}: Wb @ A_ones is not W @ A_prev + b: {why}"
    return True, "Wb @ A_ones equals layers.linear_forward on 3 random layers."


# --- chapter 3: Activation functions ---------------------------------------------------
@exercise("03.1", "a function dtanh(z) that computes tanh'(z) from act.sigmoid_derivative")
def _dtanh(fn):
    from ..activations import sigmoid_derivative, tanh_derivative

    ok, message = compare_function(fn, tanh_derivative, lambda rng: (rng.normal(scale=2, size=(3, 5)),), seed=31)
    if ok or not callable(fn):
        return ok, message
    z = np.linspace(-3, 3, 12)
    yours = fn(z.copy())
    for wrong, why in [
        (2 * sigmoid_derivative(2 * z), "one factor 2 is missing: the outer 2 and the inner 2z each give one."),
        (sigmoid_derivative(2 * z), "both factors 2 are missing: the outer 2 and the inner 2z each give one."),
        (4 * sigmoid_derivative(z), "the chain rule evaluates sigma' at the inner function's value, 2z."),
        (2 * sigmoid_derivative(z), "sigma' is evaluated at the inner value 2z, "
                                    "and the chain rule gives two factors 2."),
    ]:
        if _close(yours, wrong):
            return False, why
    return False, message


@exercise("03.2", "the factor (a number) by which the derivative at least shrinks through ten sigmoid layers")
def _ten_sigmoids(value):
    from ..activations import sigmoid_derivative

    factor = 1 / sigmoid_derivative(np.linspace(-10, 10, 2001)).max()  # one layer's smallest shrink
    want = factor**10
    ok, message = compare_number(value, want, rtol=1e-6, hints=[
        (1 / want, "that is the largest the product of the ten sigma' can be; "
                   "the derivative shrinks by its inverse, a factor above 1."),
        (factor, "that is one layer's factor; the derivative passes ten of them."),
        (10 * factor, "the ten factors multiply; they do not add."),
        (factor**9, "ten layers give ten factors sigma', not nine."),
        (factor**11, "ten layers give ten factors sigma', not eleven."),
        (2.0**10, "sigma' peaks at z = 0, but its peak is not sigma(0) = 1/2."),
    ])
    if not ok and compare_number(value, want, rtol=0.1)[0]:
        return False, "close: give the exact factor, not a rounded one."
    return ok, message


@exercise("03.3", "the companion function that computes softplus'(z) (act.<its name>)")
def _softplus_derivative(fn):
    import sympy as sp

    from .. import activations as act

    z = sp.symbols("z", real=True)
    reference = sp.lambdify(z, sp.diff(sp.log(1 + sp.exp(z)), z), "numpy")  # from the definition
    ok, message = compare_function(fn, reference, lambda rng: (rng.uniform(-6, 6, size=(2, 7)),), seed=33,
                                   name="your answer")
    if ok:
        return True, "it agrees with the derivative of log(1 + e^z) on 3 random inputs."
    if not callable(fn):
        return ok, message
    z_test = np.linspace(-4.25, 3.75, 9)
    yours = fn(z_test.copy())
    for wrong, why in [
        (act.relu_derivative(z_test), "that is the ReLU's derivative, a step; "
                                      "softplus is smooth, and so is its slope."),
        (act.relu(z_test), "that is the ReLU, which softplus smooths; the exercise asks for softplus's derivative."),
        (np.logaddexp(0, z_test), "that is softplus itself; differentiate it."),
        (act.sigmoid_derivative(z_test), "that is one derivative too many: the derivative of the right function."),
    ]:
        if _close(yours, wrong):
            return False, why
    return False, message


# --- chapter 4: Loss functions ---------------------------------------------------------
@exercise("04.1", 'a pair of names ("<output activation>", "<loss>")')
def _linear_mse(answer):
    from .. import activations as act
    from .. import losses

    try:
        activation, loss = answer
    except (TypeError, ValueError):
        return False, f"give two names, (activation, loss); got {answer!r}"
    spec_a, spec_l = act.get(activation), losses.get(loss)  # unknown names: a ValueError listing the valid ones
    rng = np.random.default_rng(41)
    z = rng.normal(size=(1, 6))
    a, y = rng.uniform(0.05, 0.95, size=(2, 1, 6))
    linear = _close(spec_a.forward(z), z)
    squared = _close(spec_l.gradient(a, y), a - y)  # dL/da = a - y is the derivative of (a - y)^2 / 2
    if linear and squared:
        return True, "a linear output with squared error: dL/dz = a - y."
    if spec_l.fused_with == spec_a.name:
        return False, "that pair gives dZ = A - Y as well, but its output is not linear (a = z)."
    if not linear:
        return False, f"{activation!r} is not linear: g(z) differs from z."
    return False, f"{loss!r} is not squared error: its dL/da is not a - y."


@exercise("04.2", "(learner, correct): each a pair of dAL values at a = 0.8 (y = 0 first, then y = 1)")
def _bce_derivative_slip(answer):
    from ..losses import binary_cross_entropy_gradient

    a, y = np.full((1, 2), 0.8), np.array([[0.0, 1.0]])
    correct = binary_cross_entropy_gradient(a, y)[0]
    learner = -(y / a - (1 - y) / a)[0]  # the exercise's formula, evaluated
    try:
        yours_l, yours_c = (np.asarray(v, dtype=np.float64).ravel() for v in answer)
    except (TypeError, ValueError):
        return False, "give two pairs, (learner, correct), each two numbers: y = 0, then y = 1"
    if yours_l.size != 2 or yours_c.size != 2:
        return False, "each pair holds two numbers: the value for y = 0, then for y = 1"
    if _close(yours_l, correct) and _close(yours_c, learner):
        return False, "the two pairs are swapped: the learner's values first, then the correct ones."
    for name, yours, want in (("the learner's pair", yours_l, learner), ("the correct pair", yours_c, correct)):
        if _close(yours, want):
            continue
        if _close(yours, want[::-1]):
            return False, f"{name} is in the wrong order: y = 0 first, then y = 1."
        if name == "the correct pair" and _close(yours, learner):
            return False, "your correct pair is the learner's: differentiate log(1 - a) carefully."
        if name == "the correct pair" and _close(yours[1], want[1]):
            if _close(yours[0], -want[0]):
                return False, ("the correct pair is right for y = 1; for y = 0 the sign is flipped: "
                               "the loss is -log(1 - a), and d/da of log(1 - a) brings its own minus.")
            return False, "the correct pair is right for y = 1 but not for y = 0: there the loss is -log(1 - a)."
        if name == "the correct pair" and _close(yours[0], want[0]):
            return False, "the correct pair is right for y = 0 but not for y = 1: there the loss is -log a."
        return False, compare_arrays(yours, want, name=name)[1]
    return True, "both pairs match (the correct one from losses.binary_cross_entropy_gradient)."


@exercise("04.3", "a function factor(m) giving the number the buggy dW is multiplied by (relative to the "
                  "right dW) for a batch of m examples")
def _extra_mean(fn):
    from .._core import _backward, _forward, init_parameters
    from ..layers import activation_backward

    if not callable(fn):
        return False, f"the answer must be a function factor(m), e.g. a lambda; got {type(fn).__name__}"
    rng = np.random.default_rng(43)
    P = init_parameters([3, 4, 1], seed=43)
    acts, loss = ["tanh", "sigmoid"], "binary_cross_entropy"
    yours = {m: fn(m) for m in (5, 8, 13, 2)}
    for m in yours:
        X, Y = rng.normal(size=(3, m)), rng.integers(0, 2, size=(1, m)).astype(float)
        AL, caches = _forward(X, P, acts)
        right = _backward(AL, Y, caches, loss)

        def with_mean_in_dAL(l, dZ, dA, cache, m=m):  # dA[L] = dJ/dA[L], with its 1/m
            return activation_backward(dA / m, cache.activation_cache, cache.activation) if l == len(caches) else dZ

        buggy = _backward(AL, Y, caches, loss, dZ_rule=with_mean_in_dAL)
        r, w = right["dW1"].ravel(), buggy["dW1"].ravel()
        want = float(w @ r / (r @ r))
        assert np.allclose(w, want * r)  # one factor for every entry
        ok, message = compare_number(yours[m], want, rtol=1e-6, name=f"factor({m})", hints=[
            (1 / want, f"factor({m}) is how many times too small dW is; "
                       "the factor it is multiplied by is the inverse."),
            (want**2, f"factor({m}) counts the right dW's own 1/m too; compare with the right dW, which has it."),
            (1.0, f"factor({m}) = 1 says dW is right; the extra 1/m does not cancel."),
        ])
        if not ok:
            if "not it" in message and len(set(map(float, yours.values()))) == 1:
                return False, f"your factor is {yours[m]} for every m; it depends on m."
            return False, message
    return True, "it matches companion's backward pass with the 1/m in dA[L], for m = 2, 5, 8 and 13."


# --- chapter 5: Softmax and cross-entropy ----------------------------------------------
@exercise("05.1", "a function sigmoid_layer(W, b) that takes a 2-unit softmax layer's W (2, n) and "
                  "b (2, 1) and returns (w, b0): the weights (1, n) and bias (1, 1) of the 1-unit "
                  "sigmoid layer whose output is the softmax's first row s_1")
def _two_class_softmax(fn):
    from ..activations import sigmoid, softmax

    if not callable(fn):
        return False, f"the answer must be a function sigmoid_layer(W, b), got {type(fn).__name__}"
    rng = np.random.default_rng(51)
    for n, m in [(4, 7), (3, 5), (6, 2)]:
        W, b, A = rng.normal(size=(2, n)), rng.normal(size=(2, 1)), rng.normal(size=(n, m))
        want_w, want_b = W[:1] - W[1:], b[:1] - b[1:]
        assert _close(sigmoid(want_w @ A + want_b), softmax(W @ A + b)[:1])  # s_1 = σ(z_1 − z_2)
        out = fn(W.copy(), b.copy())
        if not isinstance(out, tuple) or len(out) != 2:
            return False, "sigmoid_layer must return two arrays, (w, b0)"
        w, b0 = (np.asarray(v, dtype=np.float64) for v in out)
        case = f"for W of shape {W.shape}"
        if w.shape == (n,):
            return False, (f"{case}: w has shape {w.shape}; a 1-unit layer's weights are a row, (1, n), "
                           "like any W[l]: W[:1] - W[1:] keeps it.")
        ok, message = compare_arrays(w, want_w, name="w", slips=[
            (W[1:] - W[:1], "w = w_2 − w_1 gives s_2 = 1 − s_1: the sign is flipped; s_1 = σ(z_1 − z_2), "
                            "so subtract row 2 from row 1."),
            (W[:1], "w = w_1 alone ignores z_2, but s_1 depends on both scores: only the difference "
                    "z_1 − z_2 counts, so w = w_1 − w_2."),
            (W[:1] + W[1:], "the scores are subtracted, not added: s_1 = σ(z_1 − z_2), so w = w_1 − w_2."),
        ])
        if not ok:
            return False, f"{case}: {message}"
        if b0.shape != (1, 1):
            return False, (f"the weights are right; the bias has shape {b0.shape}: a 1-unit layer's b "
                           "is (1, 1), like any b[l] (n_l, 1).")
        ok, message = compare_arrays(b0, want_b, name="the bias", slips=[
            (b[1:] - b[:1], "the weights are right; the bias is b_2 − b_1: the sign is flipped, "
                            "it is b_1 − b_2 like the weights."),
            (np.zeros((1, 1)), "the weights are right; the bias is missing: z_1 − z_2 = (w_1 − w_2) a "
                               "+ (b_1 − b_2)."),
            (b[:1], "the weights are right; the bias is b_1 alone: it is b_1 − b_2, like the weights."),
        ])
        if not ok:
            return False, message if message.startswith("the weights") else f"the weights are right; {message}"
    return True, "σ(w A + b0) equals the softmax's first row s_1 on 3 random layers."


_SHARPEN = (0.1, 0.5, 1, 2, 4, 8, 16)  # the factors exercise 5.2 poses
_TRENDS = ("grows", "shrinks", "stays")


def _diagonal_only_errors(seed=5):
    """The relative error of dZ = dA ⊙ s(1 − s) against act.softmax_backward
    at each factor, for 64 random columns of 10 scores (scale 2), as in the chapter."""
    from ..activations import softmax, softmax_backward
    from ..gradcheck import relative_error

    rng = np.random.default_rng(seed)
    Z, dA = rng.normal(scale=2, size=(10, 64)), rng.normal(size=(10, 64))
    errors = []
    for factor in _SHARPEN:
        S = softmax(factor * Z)
        errors.append(relative_error(dA * S * (1 - S), softmax_backward(dA, S)))
    return np.array(errors)


@exercise("05.2", 'one word for how the relative error changes as the outputs sharpen: '
                  '"grows", "shrinks" or "stays"')
def _diagonal_only(word):
    if not isinstance(word, str) or word.strip().lower() not in _TRENDS:
        return False, f'answer with one of the words "grows", "shrinks", "stays"; got {word!r}'
    word = word.strip().lower()
    trends = set()
    for seed in (5, 6, 7):  # flattest against sharpest: between them the error need not be monotonic
        flat, sharp = _diagonal_only_errors(seed)[[0, -1]]
        trends.add("grows" if sharp > 1.5 * flat else "shrinks" if flat > 1.5 * sharp else "stays")
    assert len(trends) == 1, trends  # the same trend on three sets of random scores
    want = trends.pop()
    if word == want:
        return True, ("that is what the error does from flat columns (factor 0.1) to nearly one-hot "
                      "ones (factor 16), measured on three sets of 64 random columns.")
    measure = ("Measure it: relative_error(dA * S * (1 - S), act.softmax_backward(dA, S)) "
               "with S = act.softmax(factor * Z), for each factor from 0.1 to 16.")
    if word == "shrinks":
        return False, ("the rule drops s_i Σ_{j≠i} s_j da_j, products of two probabilities, but what it "
                       "keeps, s_i(1 − s_i) da_i, is one too: relative to it, the dropped part does not "
                       "shrink. " + measure)
    return False, "the error does not stay about the same. " + measure


@exercise("05.3", "True or False: dZ[L] = A[L] − Y still holds for label-smoothed targets")
def _label_smoothing(value):
    from ..activations import softmax, softmax_backward

    if not isinstance(value, (bool, np.bool_)):
        return False, f"answer True or False; got {value!r}"
    rng = np.random.default_rng(53)
    A = softmax(rng.normal(scale=2, size=(10, 20)))
    Y = np.eye(10)[:, rng.integers(0, 10, size=20)]
    Y_smooth = 0.9 * Y + 0.1 / 9 * (1 - Y)  # what the exercise poses
    want = _close(softmax_backward(-Y_smooth / A, A), A - Y_smooth)  # the long way: dL/da = -y/a, then softmax
    if value == want:
        return True, ("the long way, act.softmax_backward(-Y_smooth / A, A), equals A − Y_smooth "
                      "on 20 random columns.")
    if not value:
        return False, ("the derivation needs only Σ_k y_k = 1; do smoothed labels satisfy it? Compute the "
                       "long way, act.softmax_backward(-Y_smooth / A, A), and compare with A − Y_smooth. "
                       "(losses.cross_entropy_gradient refuses smoothed labels because it insists on "
                       "one-hot ones, not because the formula fails.)")
    return False, "the long way differs from A − Y_smooth here."  # pragma: no cover - want is True
