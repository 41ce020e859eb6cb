"""Self-checking exercises of Part II (chapters 6 to 10); see :mod:`companion.exercises`.

Each checker works the right answer out with ``companion`` when it is
called: the scalar network of chapter 6 is a 1-1-1 network run through
:func:`companion.network.forward`/``backward`` with squared error (for
m = 1 its dW[l] and dA[0] are the chapter's ∂E/∂w_l and ∂E/∂x), a layer's
gradients come from :mod:`companion.layers`, a whole network's from
:mod:`companion.network`, and the common slips are the same backward pass
with one formula swapped in through ``_core._backward``'s ``dZ_rule``
hook.  What is stored here is only the data an exercise poses (the
chapter's point, learning rates, layer sizes), never an answer.
"""
from __future__ import annotations

import numpy as np

from ._framework import compare_arrays, compare_number, exercise


def _as_float(value, name="your answer"):
    """(float, None) or (None, message) for an answer that must be a number."""
    if isinstance(value, (bool, np.bool_)):
        return None, f"{name} must be a number, got {value!r}"
    try:
        return float(value), None
    except (TypeError, ValueError):
        return None, f"{name} must be a number, got {type(value).__name__}"


# --- chapter 6: The chain rule on a scalar network -------------------------
_X, _Y = 1.5, 1.0  # the chapter's input and target


def _scalar_net(w1, w2, acts, dZ_rule=None):
    """Gradients of E of chapter 6's network z1 = w1 x, ..., E = ½(a2 − y)².

    A 1-1-1 network with zero biases and squared error; with one example
    dW1, dW2 are ∂E/∂w1, ∂E/∂w2 and dA0 is ∂E/∂x.  ``dZ_rule`` swaps in a
    slip (see ``_core._backward``).
    """
    from .._core import _backward
    from ..network import backward, forward

    P = {"W1": np.array([[w1]]), "b1": np.zeros((1, 1)),
         "W2": np.array([[w2]]), "b2": np.zeros((1, 1))}
    X, Y = np.array([[_X]]), np.array([[_Y]])
    AL, caches = forward(X, P, acts)
    if dZ_rule is None:
        grads = backward(AL, Y, caches, "mse")
    else:
        grads = _backward(AL, Y, caches, "mse", dZ_rule=dZ_rule)
    return {k: float(v[0, 0]) for k, v in grads.items()}


def _without_g_prime(layer):
    """A ``dZ_rule``: layer ``layer`` passes dA on as dZ (its g' left out)."""
    return lambda l, dZ, dA, cache: dA if l == layer else dZ


def _close_or_zero(value, want):
    return bool(np.isclose(value, want, rtol=1e-6, atol=1e-12))


@exercise("06.1", "the number ∂E/∂w1 with g1 = ReLU at x = 1.5, y = 1, "
                  "w1 = -0.5, w2 = -1.2 (so z1 < 0)")
def _relu_dead(value):
    value, problem = _as_float(value)
    if problem:
        return False, problem
    w1, w2 = -0.5, -1.2
    want = _scalar_net(w1, w2, ["relu", "sigmoid"])["dW1"]
    if _close_or_zero(value, want):
        return True, ("it matches the gradient of companion's network "
                      "with a ReLU first layer.")
    slips = [
        (_scalar_net(w1, w2, ["relu", "sigmoid"], _without_g_prime(1))["dW1"],
         "that leaves g1'(z1) out of the product (as if it were 1); "
         "what is the ReLU's slope where z1 < 0?"),
        (_scalar_net(w1, w2, ["sigmoid", "sigmoid"])["dW1"],
         "that is ∂E/∂w1 with g1 still the sigmoid; replace g1 by the ReLU."),
    ]
    for wrong, why in slips:
        if _close_or_zero(value, wrong):
            return False, why
    return False, f"your answer is {value:.6g}; that is not it."


@exercise("06.2", "the number ∂E/∂x at x = 1.5, y = 1, w1 = 0.8, w2 = -1.2 "
                  "(both activations sigmoids)")
def _dE_dx(value):
    w1, w2, acts = 0.8, -1.2, ["sigmoid", "sigmoid"]
    grads = _scalar_net(w1, w2, acts)
    want = grads["dA0"]
    delta1 = grads["dW1"] / _X                   # ∂E/∂w1 = δ1 x
    return compare_number(value, want, rtol=1e-6, hints=[
        (grads["dW1"], "that is ∂E/∂w1 = δ1 x. In z1 = w1 x the input and "
                       "the weight swap roles: which factor does x get?"),
        (delta1, "that is δ1 = ∂E/∂z1; one more step down the graph, "
                 "∂z1/∂x, is missing."),
        (grads["dA1"], "that is ∂E/∂a1 = δ2 w2; the path to x goes on "
                       "through g1 and through the weight w1."),
        (-want, "the sign is flipped: ∂E/∂a2 = a2 − y, not y − a2."),
        (_scalar_net(w1, w2, acts, _without_g_prime(1))["dA0"],
         "g1'(z1) is missing: the path to x passes through g1."),
        (_scalar_net(w1, w2, acts, _without_g_prime(2))["dA0"],
         "g2'(z2) is missing: δ2 = (a2 − y) g2'(z2)."),
    ])


_RATES, _STEPS = (2.0, 20.0, 200.0), 50  # what exercise 6.3 poses


def _descent(rate, w1=0.8, w2=-1.2):
    """E and the gradient's length before and after each of ``_STEPS``
    gradient-descent steps on w1, w2 (biases stay 0), by companion's
    forward, backward and cost."""
    from ..network import backward, compute_cost, forward

    P = {"W1": np.array([[w1]]), "b1": np.zeros((1, 1)),
         "W2": np.array([[w2]]), "b2": np.zeros((1, 1))}
    X, Y = np.array([[_X]]), np.array([[_Y]])
    acts, errors, lengths = ["sigmoid", "sigmoid"], [], []
    for _ in range(_STEPS + 1):
        AL, caches = forward(X, P, acts)
        errors.append(compute_cost(AL, Y, "mse"))
        grads = backward(AL, Y, caches, "mse")
        lengths.append(np.hypot(grads["dW1"][0, 0], grads["dW2"][0, 0]))
        P["W1"] = P["W1"] - rate * grads["dW1"]
        P["W2"] = P["W2"] - rate * grads["dW2"]
    return np.array(errors), np.array(lengths)


@exercise("06.3", "the learning rate (2, 20 or 200) whose E is smallest "
                  "after 50 steps from w1 = 0.8, w2 = -1.2")
def _best_rate(value):
    value, problem = _as_float(value, "the learning rate")
    if problem:
        return False, problem
    if not any(np.isclose(value, r) for r in _RATES):
        return False, f"answer with one of the three rates 2, 20, 200; got {value:g}"
    runs = {r: _descent(r) for r in _RATES}
    best = min(runs, key=lambda r: runs[r][0][-1])
    if np.isclose(value, best):
        return True, ("it has the smallest E after 50 steps of gradient "
                      "descent with companion's backward pass.")
    rate = next(r for r in _RATES if np.isclose(value, r))
    errors, lengths = runs[rate]
    ups = int((np.diff(errors) > 0).sum())
    said = f"with α = {rate:g}, E after 50 steps is not the smallest of the three"
    if ups:
        return False, (f"{said}: it goes up {ups} of the 50 times. Steps that "
                       "large overshoot.")
    if lengths[1:].max() < 0.01 * lengths[0]:
        return False, (f"{said}. Look at w after the first step: where do "
                       "the sigmoids sit, and how large is the gradient "
                       "there compared with at the start?")
    return False, (f"{said}, although it goes down at every step. How far "
                   "does a step at this rate move w when the gradient is as "
                   "small as the one printed above?")


# --- chapter 7: Backprop through one layer, vectorised ---------------------
def _distinct_sizes(rng):
    """n_l, n_prev, m: three different sizes, so no wrong product fits."""
    return (int(v) for v in rng.choice(np.arange(2, 8), size=3, replace=False))


@exercise("07.1", "a function dA_prev(W, dZ) that returns dA[l-1] from "
                  "W[l] (n_l, n_prev) and dZ[l] (n_l, m)")
def _dA_prev(fn):
    from ..layers import linear_backward

    if not callable(fn):
        return False, f"the answer must be a function dA_prev(W, dZ), got {type(fn).__name__}"
    rng = np.random.default_rng(71)
    for _ in range(3):
        n, n_prev, m = _distinct_sizes(rng)
        W, dZ = rng.normal(size=(n, n_prev)), rng.normal(size=(n, m))
        A_prev, b = rng.normal(size=(n_prev, m)), rng.normal(size=(n, 1))
        want = linear_backward(dZ, (A_prev, W, b))[0]
        shapes = f"for W {W.shape} and dZ {dZ.shape}"
        try:
            yours = fn(W.copy(), dZ.copy())
        except ValueError:
            return False, (f"{shapes} your function raised ValueError: the "
                           "product does not fit these shapes. Which "
                           f"arrangement gives ({n_prev}, {m})?")
        if np.shape(yours) == want.shape and np.allclose(yours, want / m):
            return False, (f"{shapes}: m = {m} times too small. dA is a "
                           "per-example derivative: no 1/m (it enters only "
                           "at dW and db).")
        ok, message = compare_arrays(yours, want, name="your dA_prev")
        if not ok:
            return False, f"{shapes}: {message}"
    return True, ("it agrees with layers.linear_backward on 3 random layers "
                  "(W and dZ of different sizes).")


def _update_runs(n, n_prev, m):
    """Does ``W -= 0.1 * (A_prev @ dZ.T / m)`` run in NumPy?"""
    W = np.ones((n, n_prev))
    dW = np.ones((n_prev, m)) @ np.ones((n, m)).T / m
    try:
        W -= 0.1 * dW
    except ValueError:
        return False
    return True


@exercise("07.3", "a function learner(n_l, n_prev, m) that returns (shape, "
                  "runs): the shape of A_prev @ dZ.T / m, and True or False "
                  "for whether W -= lr * dW then runs in NumPy")
def _transposed_dW(fn):
    if not callable(fn):
        return False, ("the answer must be a function learner(n_l, n_prev, m), "
                       f"got {type(fn).__name__}")
    cases = [(n + 1, k + 1, m + 1) for n, k, m in np.ndindex(5, 5, 5)]
    answers = {}
    for n, n_prev, m in cases:                   # first every shape
        case = f"for n_l = {n}, n_prev = {n_prev}, m = {m}"
        out = fn(n, n_prev, m)
        if not isinstance(out, tuple) or len(out) != 2:
            return False, ("learner(n_l, n_prev, m) must return a pair "
                           f"(shape, runs); got {out!r}")
        shape, answers[n, n_prev, m] = out
        try:
            shape = tuple(int(v) for v in shape)
        except (TypeError, ValueError):
            return False, (f"{case}: the shape must be a tuple such as "
                           f"(3, 4); got {shape!r}")
        truth = (np.ones((n_prev, m)) @ np.ones((n, m)).T / m).shape
        if shape == truth:
            continue
        if shape == (n, n_prev):
            return False, (f"{case}: {shape} is the shape of the correct dW; "
                           "work out the learner's product, A_prev @ dZ.T, "
                           "from the shapes of its two factors.")
        if m in shape and m not in truth:
            return False, (f"{case}: {shape} keeps the m examples, but the "
                           "product sums over them.")
        return False, f"{case}: the shape is not {shape}. Try it in NumPy."
    for n, n_prev, m in cases:                   # then whether W -= runs
        case = f"for n_l = {n}, n_prev = {n_prev}, m = {m}"
        runs = answers[n, n_prev, m]
        if not isinstance(runs, (bool, np.bool_)):
            return False, f"runs must be True or False; {case} it is {runs!r}"
        if runs == _update_runs(n, n_prev, m):
            continue
        if runs:
            extra = (" W -= ... writes into W, so broadcasting cannot "
                     "stretch W to a new shape." if 1 in (n, n_prev) else "")
            return False, (f"the shapes are right; {case} your function says "
                           "W -= lr * dW runs, but NumPy raises ValueError."
                           + extra + " Try it.")
        return False, (f"the shapes are right; {case} NumPy runs "
                       "W -= lr * dW without an error; your function says "
                       "it fails.")
    return True, ("the shape and whether the update runs agree with NumPy "
                  "for every n_l, n_prev, m from 1 to 5.")


# --- chapter 9: The whole network ------------------------------------------
def _network_inputs(rng, sizes, m):
    """Fresh parameters (biases not zero), inputs and 0/1 labels."""
    from .._core import init_parameters

    P = init_parameters(sizes, seed=int(rng.integers(1 << 30)))
    for l in range(1, len(sizes)):
        P[f"b{l}"] = rng.normal(scale=0.1, size=P[f"b{l}"].shape)
    X = rng.normal(size=(sizes[0], m))
    Y = rng.integers(0, 2, size=(sizes[-1], m)).astype(float)
    Y[0, :2] = 0.0, 1.0                          # both labels occur
    return P, X, Y


def _slipped(P, X, Y, acts, loss, rule):
    """The gradients of ``_core._backward`` with ``rule(l, dZ, dA, cache, Y)``
    swapped in as its dZ_rule."""
    from .._core import _backward, _forward

    AL, caches = _forward(X, P, acts)
    return _backward(AL, Y, caches, loss, need_dA0=False,
                     dZ_rule=lambda l, dZ, dA, cache: rule(l, dZ, dA, cache, Y))


def _judge_listing(fn, sizes, acts, slips, seed, name):
    """(ok, message) for a backward function fn(P, X, Y) -> grads.

    The right gradients are ``network.backward``'s; ``slips`` is a list of
    (rule, hint): the gradients the same pass gives with ``rule`` as its
    dZ_rule (see :func:`_slipped`).  Otherwise layers are compared from the
    top down, so the message names the highest gradient that is wrong (a
    slip is there; it spreads below).
    """
    from ..network import backward, forward

    if not callable(fn):
        return False, f"the answer must be a function {name}(P, X, Y), got {type(fn).__name__}"
    loss, L = "binary_cross_entropy", len(sizes) - 1
    keys = [f"{k}{l}" for l in range(L, 0, -1) for k in ("dW", "db")]
    rng = np.random.default_rng(seed)
    for m in (7, 12, 5):
        P, X, Y = _network_inputs(rng, sizes, m)
        AL, caches = forward(X, P, acts)
        want = backward(AL, Y, caches, loss)
        yours = fn({k: v.copy() for k, v in P.items()}, X.copy(), Y.copy())
        if not isinstance(yours, dict):
            return False, f"{name} must return a dict of gradients, got {type(yours).__name__}"
        missing = [k for k in keys if k not in yours]
        if missing:
            return False, f"the dict {name} returns has no {', '.join(missing)}"
        if all(compare_arrays(yours[k], want[k])[0] for k in keys):
            continue
        for rule, hint in slips:
            slipped = _slipped(P, X, Y, acts, loss, rule)
            if all(compare_arrays(yours[k], slipped[k])[0] for k in keys):
                return False, hint
        right = []
        for k in keys:
            ok, message = compare_arrays(yours[k], want[k], m=m, name="it")
            if not ok:
                so_far = f"{', '.join(right)} right; " if right else ""
                return False, f"with m = {m}: {so_far}{k}: {message}"
            right.append(k)
    return True, ("it agrees with network.backward on 3 random networks "
                  f"of sizes {sizes}.")


def _no_g_prime(layers):
    """A slip: the layers in ``layers`` pass dA on as dZ, leaving g' out."""
    return lambda l, dZ, dA, cache, Y: dA if l in layers else dZ


_SIZES_4 = [2, 5, 4, 3, 1]  # the 4-layer network exercise 9.1 poses
_ACTS_4 = ["relu", "relu", "relu", "sigmoid"]


@exercise("09.1", "a function backward_4(P, X, Y) that returns the dict of "
                  "dW1 ... dW4, db1 ... db4 of the network 2-5-4-3-1 "
                  "(ReLU, ReLU, ReLU, sigmoid; binary cross-entropy)")
def _four_layers(fn):
    from ..activations import sigmoid_derivative

    slips = [
        (lambda l, dZ, dA, c, Y:
         (c.A - Y) * sigmoid_derivative(c.Z) if l == 4 else dZ,
         "dZ[4] has an extra σ'(Z[4]): with a sigmoid output and binary "
         "cross-entropy the g' cancels, and dZ[4] = A[4] − Y."),
        (lambda l, dZ, dA, c, Y: c.A - Y if l == 3 else dZ,
         "layer 3 is a hidden layer now: its dZ comes from dA[3] through "
         "g'(Z[3]), like the layers below it; the output rule A − Y belongs "
         "to the output layer only."),
    ] + [(_no_g_prime({l}), f"dZ[{l}] leaves relu'(Z[{l}]) out: "
                           f"dZ[{l}] = dA[{l}] ⊙ relu'(Z[{l}]).")
         for l in (3, 2, 1)]
    return _judge_listing(fn, _SIZES_4, _ACTS_4, slips, 91, "backward_4")


_SIZES_3 = [2, 4, 3, 1]  # the seed network of chapter 9, as in its listing
_ACTS_TANH = ["tanh", "tanh", "sigmoid"]


@exercise("09.2", "a function backward_tanh(P, X, Y) that returns the dict of "
                  "dW1 ... dW3, db1 ... db3 of the network 2-4-3-1 (tanh, "
                  "tanh, sigmoid; binary cross-entropy)")
def _tanh_listing(fn):
    from ..activations import relu_derivative

    kinds = [
        (lambda dA, c: dA * relu_derivative(c.Z),
         "g' is still relu'; with tanh it is 1 − tanh²(Z)."),
        (lambda dA, c: dA * (1 - c.Z ** 2),
         "g' is written 1 − Z²; tanh' is 1 − tanh²(Z), which the cache "
         "holds as 1 − A²."),
        (lambda dA, c: dA * c.A * (1 - c.A),
         "g' is written A(1 − A), the sigmoid's; tanh's is 1 − A²."),
        (lambda dA, c: dA, "g' is left out; with tanh it is 1 − tanh²(Z)."),
    ]
    slips = []
    for swap, says in kinds:
        for layers in ({1, 2}, {2}, {1}):
            which = " and ".join(f"dZ[{l}]" for l in sorted(layers))

            def rule(l, dZ, dA, c, Y, swap=swap, layers=layers):
                return swap(dA, c) if l in layers else dZ
            slips.append((rule, f"in {which}, {says}"))
    return _judge_listing(fn, _SIZES_3, _ACTS_TANH, slips, 92,
                          "backward_tanh")


_MNIST_SIZES = [784, 128, 64, 10]  # the network exercise 9.3 poses


def _counted(sizes, m, seed):
    """(forward, backward) multiply-adds of the matrix products, counted
    from the arrays one training pass of ``_core`` computes (need_dA0=False,
    as ``MLP.fit`` runs it)."""
    from .._core import _backward, _forward, init_parameters

    rng = np.random.default_rng(seed)
    out = "softmax" if sizes[-1] > 1 else "sigmoid"
    loss = "cross_entropy" if out == "softmax" else "binary_cross_entropy"
    acts = ["relu"] * (len(sizes) - 2) + [out]
    P = init_parameters(sizes, seed=seed)
    X = rng.normal(size=(sizes[0], m))
    labels = rng.integers(0, sizes[-1], size=m)
    Y = np.eye(sizes[-1])[:, labels] if out == "softmax" else \
        rng.integers(0, 2, size=(1, m)).astype(float)
    AL, caches = _forward(X, P, acts)
    grads = _backward(AL, Y, caches, loss, need_dA0=False)
    fwd = bwd = 0
    for l, cache in enumerate(caches, start=1):
        n = cache.W.shape[0]
        fwd += cache.Z.size * cache.A_prev.shape[0]   # W A_prev
        bwd += grads[f"dW{l}"].size * m              # dZ A_prevᵀ
        if f"dA{l - 1}" in grads:
            bwd += grads[f"dA{l - 1}"].size * n      # Wᵀ dZ
    return fwd, bwd


@exercise("09.3", "a function multiply_adds(sizes, m) that returns (forward, "
                  "backward): the multiply-adds of the matrix products in "
                  "one forward pass and in the backward pass MLP runs in "
                  "training, for layer sizes `sizes` and a batch of m")
def _multiply_adds(fn):
    if not callable(fn):
        return False, ("the answer must be a function multiply_adds(sizes, m), "
                       f"got {type(fn).__name__}")
    for seed, (sizes, m) in enumerate([(_MNIST_SIZES, 16), ([3, 5, 2], 7),
                                       ([4, 6, 6, 1], 9), ([5, 3, 8, 2], 4)]):
        fwd, bwd = _counted(sizes, m, seed)
        case = f"for sizes {sizes} and m = {m}"
        out = fn(list(sizes), m)
        try:
            yours_f, yours_b = (_exact_count(v) for v in out)
        except (TypeError, ValueError):
            return False, ("multiply_adds must return two whole numbers, "
                           f"(forward, backward); {case} it returned {out!r}")
        if (yours_f, yours_b) == (fwd, bwd):
            continue
        if (yours_f, yours_b) == (bwd, fwd):
            return False, f"{case}: the two counts are swapped: (forward, backward)."
        if yours_f != fwd:
            bias = sum(sizes[1:]) * m
            if yours_f * m == fwd:
                return False, (f"{case}: your forward count is per example; "
                               "the exercise asks for a batch of m.")
            if yours_f == fwd + bias:
                return False, (f"{case}: your forward count includes the bias "
                               "additions; count the multiply-adds of the "
                               "matrix products W A only.")
            return False, (f"{case}: your forward count is {yours_f:,}; that "
                           "is not it. Z[l] = W[l] A[l-1] is one product per "
                           "layer.")
        n0_n1 = sizes[0] * sizes[1] * m
        for wrong, why in [
            (bwd + n0_n1, "that counts dA[0] = W[1]ᵀ dZ[1]; the training "
                          "pass skips it (need_dA0=False)."),
            (fwd, "that counts the dW products only; above the first "
                  "layer, each layer also passes dA[l-1] = W[l]ᵀ dZ[l] "
                  "down."),
            (bwd // m if bwd % m == 0 else None,
             "that is per example; the exercise asks for a batch of m."),
        ]:
            if yours_b == wrong:
                return False, f"{case}: the forward count is right; {why}"
        return False, (f"{case}: the forward count is right; your backward "
                       f"count is {yours_b:,}; that is not it.")
    return True, ("both counts agree with the arrays companion's training "
                  "pass computes, for the MNIST network and three others.")


def _exact_count(value):
    """A whole number (int, or a float without a fraction) as an int."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("a count is not True or False")
    as_float = float(value)
    if not as_float.is_integer():
        raise ValueError("a count is a whole number")
    return int(as_float)


# --- chapter 8: Gradient checking ------------------------------------------
@exercise("08.2", "the number: the relative error of g = (1e-9, 2e-9) and "
                  "n = (2e-9, 1e-9)")
def _tiny_gradients(value):
    from ..gradcheck import relative_error

    g, n = np.array([1e-9, 2e-9]), np.array([2e-9, 1e-9])
    diff = np.linalg.norm(g - n)
    return compare_number(value, relative_error(g, n), rtol=1e-3, hints=[
        (diff, "that is the absolute difference ‖g − n‖; divide it by "
               "‖g‖ + ‖n‖, so that the scale of the gradients cancels."),
        (diff / np.linalg.norm(g),
         "you divided by ‖g‖ alone; the relative error divides by "
         "‖g‖ + ‖n‖."),
        (diff / np.linalg.norm(g + n),
         "the denominator is ‖g‖ + ‖n‖, the sum of the two lengths, "
         "not ‖g + n‖."),
        (diff ** 2 / (g @ g + n @ n),
         "the norms are not squared: ‖g − n‖ / (‖g‖ + ‖n‖)."),
    ])


def _failing_rows(acts, m, seed, scaled):
    """The gradients ``check_backward`` FAILs when the gradients named in
    ``scaled`` come out of ``network.backward`` m times too large (the 1/m
    forgotten there), on the chapter's moons, sizes 2-4-3-1 and BCE."""
    from ..data import make_moons
    from ..gradcheck import check_backward
    from ..network import backward, forward, init_parameters

    X, Y = make_moons(m=m, noise=0.2, seed=0)
    loss = "binary_cross_entropy"

    def planted(p, X, Y):
        AL, caches = forward(X, p, acts)
        grads = backward(AL, Y, caches, loss)
        return {k: v * X.shape[1] if k in scaled else v
                for k, v in grads.items()}

    report = check_backward(planted, init_parameters([2, 4, 3, 1], seed=seed),
                            X, Y, acts, loss)
    return {k for k, v in report.results.items() if v == "FAIL"}


def _as_names(value):
    """(set of str, None) or (None, message) for a set of gradient names."""
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        return None, ("answer with a set of gradient names such as "
                      f"{{'dW1', 'db2'}}; got {value!r}")
    names = set(value)
    if not all(isinstance(k, str) for k in names):
        return None, f"the names must be strings such as 'db1'; got {value!r}"
    return names, None


def _compare_rows(value, want, hints):
    """(ok, message) for a set of failing rows; ``hints`` is a list of
    (test(names), message) tried in order on a wrong answer."""
    names, problem = _as_names(value)
    if problem:
        return False, problem
    if names == want:
        return True, ("exactly the rows gradcheck.check_backward FAILs on "
                      "the planted bug.")
    if names and all(not k.startswith("d") for k in names):
        return False, ("name the gradients as the report does, with a d: "
                       "'db1', not 'b1'.")
    for test, why in hints:
        if test(names):
            return False, why
    return False, "that is not the set of rows the report FAILs."


@exercise("08.3", "the set of gradient names whose rows FAIL, e.g. "
                  "{'dW1', 'db2'}")
def _forgot_m_in_db(value):
    scaled = {"db1", "db2", "db3"}
    want = _failing_rows(["relu", "relu", "sigmoid"], 64, 2, scaled)
    return _compare_rows(value, want, [
        (lambda s: any(k.startswith("dW") for k in s),
         "the dW rows keep their 1/m: they are computed from dZ, which the "
         "bug does not touch."),
        (lambda s: s < want,
         "every db forgets the 1/m, in every layer; a row is missing."),
    ])


# --- chapter 10: Where am I wrong? -----------------------------------------
@exercise("10.2", "the set of gradient names whose rows FAIL, e.g. "
                  "{'dW1', 'db2'}")
def _forgot_m_in_db2(value):
    want = _failing_rows(["tanh", "relu", "sigmoid"], 50, 2, {"db2"})
    return _compare_rows(value, want, [
        (lambda s: want < s,
         "the bug does not spread down: nothing below is computed from "
         "db2 (dZ[2] is passed on, db2 is not)."),
        (lambda s: not s,
         "a row fails: db2 is m times too large."),
    ])


# --- chapter 8, exercises 1 and 4 --------------------------------------------
_SWEEP = np.logspace(-1, -12, 23)  # the ε grid of the chapter's sweep


def _one_sided_sweep():
    """(relative errors of the one-sided difference at each ε of ``_SWEEP``,
    the same for the central difference), float64, for ∂J/∂W2 of the
    chapter's network: moons (m = 64), 2-4-3-1, tanh-tanh-sigmoid, BCE,
    Xavier initialisation with seed 1."""
    from ..data import make_moons
    from ..gradcheck import numerical_gradient, relative_error
    from ..network import backward, compute_cost, forward, init_parameters

    X, Y = make_moons(m=64, noise=0.2, seed=0)
    acts, loss = ["tanh", "tanh", "sigmoid"], "binary_cross_entropy"
    P = init_parameters([2, 4, 3, 1], method="xavier", seed=1)
    AL, caches = forward(X, P, acts)
    exact = backward(AL, Y, caches, loss)["dW2"]

    def J(W2):
        AL, _ = forward(X, dict(P, W2=W2), acts)
        return compute_cost(AL, Y, loss)

    def one_sided(W, e):
        base, g = J(W), np.zeros_like(W)
        for k in np.ndindex(W.shape):
            old = W[k]
            W[k] = old + e
            g[k] = (J(W) - base) / e
            W[k] = old
        return g

    one = [relative_error(exact, one_sided(P["W2"].copy(), e)) for e in _SWEEP]
    central = [relative_error(exact, numerical_gradient(J, P["W2"].copy(), eps=e)) for e in _SWEEP]
    return np.array(one), np.array(central)


@exercise("08.1", "a pair (ε, error): the ε of the sweep where the one-sided "
                  "difference's relative error is smallest, and that error")
def _one_sided_minimum(answer):
    from ..gradcheck import EPSILON

    try:
        eps, err = (float(v) for v in answer)
    except (TypeError, ValueError):
        return False, f"give two numbers, (ε, smallest relative error); got {answer!r}"
    one, central = _one_sided_sweep()
    k, c = int(np.argmin(one)), int(np.argmin(central))
    same_order = lambda x, y: y / 1.5 <= x <= 1.5 * y   # noqa: E731 (printed to one digit)
    at = lambda e: np.isclose(_SWEEP, e, rtol=0.1, atol=0)  # noqa: E731 (grid: factors √10)
    if at(err).any() and same_order(eps, one[k]):
        return False, "the two numbers are swapped: ε first, then the error."
    if np.isclose(eps, np.sqrt(np.finfo(np.float64).eps / 2), rtol=0.02, atol=0):
        return False, ("that is the estimate u^(1/2); the exercise asks where the measured "
                       "minimum lies: give the ε of the sweep whose error is smallest.")
    i = int(np.argmax(at(eps))) if at(eps).any() else None
    if i is not None and i != k and same_order(err, one[i]):
        if np.isclose(eps, EPSILON, rtol=1e-3, atol=0):
            return False, (f"that is the one-sided error at the package's ε = {EPSILON:g}, where the "
                           "central difference does well; the one-sided one is best at a smaller ε.")
        return False, (f"at ε = {eps:.1e} the one-sided error is {one[i]:.1e}; the sweep goes lower "
                       "elsewhere.")
    if i == c or same_order(err, central[c]):
        return False, ("that is where the central difference is best (ε ≈ u^(1/3)); the one-sided "
                       "difference's truncation error is O(ε), not O(ε²), so its best ε is smaller "
                       "and its smallest error larger.")
    if i is None:
        return False, f"ε = {eps:.3g} is not one of the sweep's ε (np.logspace(-1, -12, 23))."
    if i != k:
        return False, (f"at ε = {eps:.1e} the one-sided error is {one[i]:.1e}, not {err:.1e}; "
                       "and the sweep goes lower elsewhere.")
    if not same_order(err, one[k]):
        return False, (f"ε is right; the error there is not {err:.1e}: compute "
                       "gradcheck.relative_error(exact, one_sided(J64, W2.copy(), ε)).")
    return True, ("both match a one-sided sweep of ∂J/∂W2 against network.backward "
                  "(the error to one significant digit).")


_ALL_ROWS = {"dA_prev", "dW", "db"}


@exercise("08.4", "a pair of sets of the rows that FAIL for linear_backward "
                  "without the transpose: (default sizes, sizes=(4, 4, 5))")
def _no_transpose_rows(answer):
    from ..gradcheck import check_linear_backward
    from ..layers import linear_backward

    def no_transpose(dZ, cache):
        _, dW, db = linear_backward(dZ, cache)
        return cache[1] @ dZ, dW, db             # dA_prev = W dZ: the bug

    def failing(report):
        return {k for k, v in report.results.items() if v == "FAIL"}

    want = (failing(check_linear_backward(no_transpose)),
            failing(check_linear_backward(no_transpose, sizes=(4, 4, 5))))
    try:
        default, square = answer
    except (TypeError, ValueError):
        return False, ("give two sets of row names, (default sizes, square W), "
                       f"such as ({{'dW'}}, {{'db'}}); got {answer!r}")
    names = []
    for value in (default, square):
        if isinstance(value, str) or not hasattr(value, "__iter__") \
                or not all(isinstance(k, str) for k in value):
            return False, ("each of the two is a set of row names such as "
                           f"{{'dA_prev', 'dW'}}; got {value!r}")
        names.append(set(value))
        if not set(value) <= _ALL_ROWS:
            return False, ("the rows of the report are dA_prev, dW and db; "
                           f"got {sorted(set(value) - _ALL_ROWS)}")
    default, square = names
    if (default, square) == want:
        return True, "both sets match gradcheck.check_linear_backward on the planted bug."
    if (square, default) == want:
        return False, "the two sets are swapped: the default sizes first, then the square W."
    if default != want[0]:
        return False, ("with the default sizes, which all differ, W @ dZ raises ValueError: the "
                       "function returns nothing, so no row is computed and every row FAILs "
                       "(the report shows the line and the fix).")
    if square > want[1]:
        return False, ("the default sizes are right; with a square W the function runs, and dW and "
                       "db do not use dA_prev: they pass.")
    return False, ("the default sizes are right; a square W hides the bug from NumPy, not from "
                   "the check: W dZ is not Wᵀ dZ.")


# --- chapter 10, exercises 1 and 3 -------------------------------------------
def _ge_mask_rows(acts, seed):
    """The rows check_backward FAILs when the ReLU of layer 2 uses the mask
    Z2 >= 0 (relu'(0) = 1) in an otherwise correct backward pass, on the
    chapter's moons (m = 50), sizes 2-4-3-1 and BCE."""
    from .._core import _backward, _forward
    from ..data import make_moons
    from ..gradcheck import check_backward
    from ..network import init_parameters

    X, Y = make_moons(m=50, noise=0.2, seed=0)
    loss = "binary_cross_entropy"

    def ge(p, X, Y):
        AL, caches = _forward(X, p, acts)
        return _backward(AL, Y, caches, loss, need_dA0=False,
                         dZ_rule=lambda l, dZ, dA, c:
                         dA * (c.Z >= 0) if l == 2 else dZ)

    report = check_backward(ge, init_parameters([2, 4, 3, 1], seed=seed),
                            X, Y, acts, loss)
    return {k for k, v in report.results.items() if v == "FAIL"}


@exercise("10.1", "a pair of sets of the gradient names whose rows FAIL with "
                  "dZ2 = dA2 * (Z2 >= 0): (zoo network, seed network with "
                  "ReLU in both hidden layers: the rows that FAIL for any of "
                  "the seeds 0 to 39)")
def _ge_mask(answer):
    try:
        zoo, seed_net = answer
    except (TypeError, ValueError):
        return False, ("give two sets of gradient names, (zoo network, seed "
                       f"network), such as ({{'db2'}}, set()); got {answer!r}")
    names = []
    for value in (zoo, seed_net):
        value, problem = _as_names(value)
        if problem:
            return False, problem
        names.append(value)
    zoo, seed_net = names
    want_zoo = _ge_mask_rows(["tanh", "relu", "sigmoid"], 2)
    want_seed = set().union(*(_ge_mask_rows(["relu", "relu", "sigmoid"], s)
                              for s in range(40)))
    if zoo != want_zoo:
        return False, (">= differs from > only where Z2 is exactly 0; in the "
                       "zoo network the layer below is tanh, and Z2 has no "
                       "exact zero, so the gradients do not change.")
    if seed_net != want_seed:
        return False, ("the zoo network is right. In the seed network exact "
                       "zeros do occur (an example whose layer-1 units are "
                       "all off has Z2 = b2 = 0), and there >= uses "
                       "relu'(0) = 1 where the package uses 0; but both are "
                       "valid subgradients, and the checker judges those "
                       "entries with one-sided slopes.")
    return True, ("both match gradcheck.check_backward on the planted mask "
                  "(the seed network for all 40 seeds).")


_BIG_M, _SEEDS = 1000, range(12)  # what exercise 10.3 poses


def _plain_vs_checker():
    """Per seed of the default initialisation: (plain central differences
    exceed the threshold in some gradient, check_gradients FAILs,
    Z2 has an exact zero), for ReLU-ReLU-sigmoid on 1,000 moons."""
    from ..data import make_moons
    from ..gradcheck import (THRESHOLD, check_gradients, numerical_gradient,
                             relative_error)
    from ..network import backward, compute_cost, forward, init_parameters

    X, Y = make_moons(m=_BIG_M, noise=0.2, seed=0)
    acts, loss = ["relu", "relu", "sigmoid"], "binary_cross_entropy"
    rows = []
    for s in _SEEDS:
        P = init_parameters([2, 4, 3, 1], seed=s)
        AL, caches = forward(X, P, acts)
        grads = backward(AL, Y, caches, loss)

        def cost(key, value):
            AL, caches = forward(X, dict(P, **{key: value}), acts)
            return compute_cost(AL, Y, loss, caches)

        plain = max(relative_error(grads["d" + k], numerical_gradient(
            lambda v, k=k: cost(k, v), P[k].copy())) for k in P)
        checked = check_gradients(P, X, Y, acts, loss)
        rows.append((plain > THRESHOLD, not checked.passed,
                     bool((caches[1].Z == 0).any())))
    return rows


@exercise("10.3", "a pair of counts (seeds where plain central differences "
                  "exceed 1e-7 in some gradient, seeds where "
                  "check_gradients FAILs), of the 12 seeds")
def _plain_against_checker(answer):
    try:
        plain, checked = (_exact_count(v) for v in answer)
    except (TypeError, ValueError):
        return False, ("give two whole numbers, (plain failures, "
                       f"check_gradients failures); got {answer!r}")
    rows = _plain_vs_checker()
    want_plain = sum(p for p, _, _ in rows)
    want_checked = sum(c for _, c, _ in rows)
    zeros = sum(z for _, _, z in rows)
    if (plain, checked) == (want_plain, want_checked):
        return True, ("both counts match plain central differences and "
                      "gradcheck.check_gradients on the 12 seeds.")
    if (checked, plain) == (want_plain, want_checked):
        return False, "the two counts are swapped: plain central differences first."
    if plain != want_plain:
        if plain == zeros:
            return False, ("that counts the seeds with exact zeros in Z2; with "
                           "1,000 examples a z within ε = 1e-5 of 0, not "
                           "exactly 0, also makes central differences wrong.")
        if plain == len(_SEEDS) - want_plain:
            return False, "that counts the seeds where the plain check passes."
        if plain == 0:
            return False, ("the plain check does fail: compare relative_error"
                           "(backward, numerical_gradient) with 1e-7 for every "
                           "parameter, biases included.")
        return False, f"the plain count is not {plain}."
    if checked == want_plain:
        return False, ("the plain count is right; check_gradients does not "
                       "fail where plain central differences do: it sees the "
                       "kinks and judges those entries one-sided.")
    return False, (f"the plain count is right; check_gradients FAILs for "
                   f"{checked} seeds? Run it: r.passed for each seed.")
