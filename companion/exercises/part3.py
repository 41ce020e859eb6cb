"""Self-checking exercises of Part III (chapters 11 to 14); see :mod:`companion.exercises`."""
from __future__ import annotations

import numpy as np  # noqa: F401

from ._framework import compare_arrays, compare_function, compare_number, exercise, two_numbers  # noqa: F401


# --- chapter 11: Gradient descent ------------------------------------------------------
def _curvature(J, w=0.7):
    """J''(w) of a one-parameter cost, by central differences of central differences."""
    from ..gradcheck import numerical_gradient

    slope = lambda v: float(numerical_gradient(J, np.array([[v.item()]]), eps=1e-4).item())  # noqa: E731
    return float(numerical_gradient(slope, np.array([[w]]), eps=1e-4).item())


def _gd_path(c, alpha, steps=6):
    """w after each of ``steps`` optim.SGD steps on J(w) = c w^2 / 2 from w = 1."""
    from ..gradcheck import numerical_gradient
    from ..optim import SGD

    J = lambda w: 0.5 * c * float(w.item()) ** 2  # noqa: E731
    p, opt, path = {"W1": np.ones((1, 1))}, SGD(alpha), []
    for _ in range(steps):
        opt.step(p, {"dW1": numerical_gradient(J, p["W1"].copy())})
        path.append(p["W1"].item())
    return np.array(path)


def _describe(c, alpha):
    path = _gd_path(c, alpha, steps=4)
    return f"for c = {c:g} and α = {alpha:.4g}, w goes 1 → " + " → ".join(f"{w:.3g}" for w in path)


@exercise("11.1", "a function thresholds(c) returning (α at which the steps start to oscillate, "
                  "α from which they diverge) for J(w) = c w^2 / 2")
def _thresholds(fn):
    if not callable(fn):
        return False, f"the answer must be a function thresholds(c), got {type(fn).__name__}"
    for c in (4.0, 0.5, 25.0):
        curvature = _curvature(lambda w: 0.5 * c * float(w.item()) ** 2)
        want_osc, want_div = 1 / curvature, 2 / curvature  # |1 - α J''| = 1 at 0 and at 2 / J''
        try:
            a_osc, a_div = (float(v) for v in fn(c))
        except (TypeError, ValueError):
            return False, f"thresholds({c:g}) must return two numbers (oscillation, divergence); got {fn(c)!r}"
        close = lambda x, y: bool(np.isclose(x, y, rtol=1e-6, atol=0))  # noqa: E731
        if close(a_osc, want_osc) and close(a_div, want_div):
            continue
        if close(a_osc, want_div) and close(a_div, want_osc):
            return False, "the two rates are swapped: the steps oscillate before they diverge."
        if not close(a_div, want_div):
            if a_div <= 0:
                return False, f"thresholds({c:g}) gives a divergence rate {a_div:g}; learning rates are positive."
            if any(close(a_div, k * c) for k in (0.5, 1.0, 2.0)):
                return False, ("your divergence rate grows with c, but a more curved cost "
                               "needs a smaller step, not a larger one.")
            for k in (2.0, 0.5):
                if close(a_div, k * want_div):
                    return False, (f"the divergence rate is off by a factor 2: "
                                   f"{_describe(c, a_div * (0.98 if k > 1 else 1.02))}.")
            below, above = _gd_path(c, 0.98 * a_div), _gd_path(c, 1.02 * a_div)
            if np.all(np.abs(np.diff(np.abs(above))) < 0) or abs(above[-1]) < 1:
                return False, f"just above your divergence rate it still converges: {_describe(c, 1.02 * a_div)}."
            return False, f"just below your divergence rate it does not converge: {_describe(c, 0.98 * a_div)}."
        if a_osc <= 0:
            return False, f"thresholds({c:g}) gives an oscillation rate {a_osc:g}; learning rates are positive."
        below = _gd_path(c, 0.98 * a_osc)
        if np.any(below[1:] * below[:-1] < 0):
            return False, ("the divergence rate is right; just below your oscillation rate w already changes "
                           f"sign: {_describe(c, 0.98 * a_osc)}.")
        return False, ("the divergence rate is right; just above your oscillation rate w keeps its sign: "
                       f"{_describe(c, 1.02 * a_osc)}.")
    return True, "both rates match what gradient descent (optim.SGD) does for c = 4, 0.5 and 25."


_MOONS = dict(sizes=[2, 16, 8, 1], activations=["relu", "relu", "sigmoid"], loss="binary_cross_entropy")


def _moons_net(**kw):
    from ..network import MLP

    return MLP(_MOONS["sizes"], _MOONS["activations"], _MOONS["loss"], seed=0, **kw)


@exercise("11.2", "a pair (small_random accuracy, He accuracy): training accuracies after 100 epochs, "
                  "as fractions between 0 and 1")
def _small_init(answer):
    from .. import data

    X, Y = data.make_moons(m=400, noise=0.2, seed=0)
    X_val, Y_val = data.make_moons(m=400, noise=0.2, seed=1)
    nets = {}
    for init in ("small_random", "he"):
        nets[init] = _moons_net(init=init)
        nets[init].fit(X, Y, epochs=100, batch_size=32, learning_rate=0.1, seed=0, progress=False)
    want = [nets[k].score(X, Y) for k in ("small_random", "he")]
    val = [nets[k].score(X_val, Y_val) for k in ("small_random", "he")]
    yours, problem = two_numbers(answer, "(small_random, He)")
    if problem:
        return False, problem
    close = lambda x, y: bool(np.isclose(x, y, rtol=2e-3, atol=0))  # noqa: E731
    if all(map(close, yours, want)):
        return True, "both match MLP.fit with the chapter's settings."
    if all(map(close, yours, want[::-1])):
        return False, "the two accuracies are swapped: small_random first, then He."
    if all(close(y, 100 * w) for y, w in zip(yours, want)):
        return False, "give fractions between 0 and 1, not percentages."
    if all(map(close, yours, val)):
        return False, "those are validation accuracies; the exercise asks for training accuracy (on X, Y)."
    names = ("small_random", "He")
    for name, y, w in zip(names, yours, want):
        if not close(y, w):
            return False, (f"your {name} accuracy differs: train MLP(sizes, acts, loss, init=..., seed=0) "
                           "with fit(X, Y, epochs=100, batch_size=32, learning_rate=0.1, seed=0) "
                           "and take the training accuracy.")
    return False, "not yet"  # pragma: no cover - one of the two differs


def _costs_per_epoch(X, Y, batch_size, learning_rate, epochs):
    """(exact J on all of X after each epoch, history['loss'] of each epoch) for the moons network."""
    from ..network import compute_cost

    net, costs, history = _moons_net(), [], []
    for e in range(epochs):
        h = net.fit(X, Y, epochs=1, batch_size=batch_size, learning_rate=learning_rate, seed=e, progress=False)
        costs.append(compute_cost(net.forward(X), Y, _MOONS["loss"]))
        history.append(h["loss"][-1])
    return costs, history


@exercise("11.3", "the number of steps (an integer) minibatch SGD (B = 32, α = 0.1) needs to reach the "
                  "cost batch gradient descent has after 300 steps")
def _steps_to_match(value):
    from .. import data

    X, Y = data.make_moons(m=400, noise=0.2, seed=0)
    m, B = X.shape[1], 32
    target = _costs_per_epoch(X, Y, m, 0.5, 300)[0][-1]
    costs, history = _costs_per_epoch(X, Y, B, 0.1, 300)
    epoch = next(i + 1 for i, J in enumerate(costs) if J <= target)
    steps = epoch * -(-m // B)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)) \
            or not float(value).is_integer():
        return False, f"the number of steps is a whole number; got {value!r}"
    hints = [
        (epoch, "that counts epochs; the exercise asks for steps, one per minibatch."),
        (epoch * (m // B), "an epoch has one more step: the last, smaller minibatch is a step too."),
        (300, "that is batch gradient descent's count, one step per epoch."),
    ]
    by_history = next((i + 1 for i, J in enumerate(history) if J <= target), None)
    if by_history is not None and by_history != epoch:
        hints.append((by_history * -(-m // B), "you compared history['loss'], the mean over an epoch's "
                      "minibatches; measure the cost on all of X after the epoch."))
    return compare_number(value, steps, rtol=0, name="the number of steps", hints=hints)


# --- chapter 12: MNIST -----------------------------------------------------------------
@exercise("12.3", "a pair (parameters of 784-32-10, parameters of 784-128-64-10), two integers")
def _parameter_counts(answer):
    from .._core import init_parameters

    nets = ([784, 32, 10], [784, 128, 64, 10])
    try:
        yours = [v for v in answer]
    except TypeError:
        return False, f"give two integers (small, large); got {answer!r}"
    if len(yours) != 2:
        return False, f"give two integers (small, large); got {len(yours)} values"
    for name, sizes, y in zip(("small", "large"), nets, yours):
        P = init_parameters(sizes)
        n = sum(v.size for v in P.values())
        n_W = sum(v.size for k, v in P.items() if k[0] == "W")
        ok, message = compare_number(y, n, rtol=0, name=f"the {name} network's count", hints=[
            (n_W, "that counts the weights only: every unit of layers 1 to L also has a bias."),
            (n + sizes[0], "that gives the input pixels biases too; b[l] belongs to layers 1 to L."),
        ])
        if not ok:
            if name == "small" and yours[1] == n:
                return False, "the two counts are swapped: the small network first."
            return False, f"{sizes}: {message}"
    return True, "both counts match network.init_parameters."


@exercise("12.1", "True or False: should the float32 and float64 runs of 5 epochs agree exactly "
                  "(the same trained weights, the same held-out accuracy)?")
def _float32_run(value):
    from ..data import load_mnist_sample
    from ..network import MLP

    if not isinstance(value, (bool, np.bool_)):
        return False, f"answer True or False; got {value!r}"
    X = load_mnist_sample().X_train[:, :32]
    out = {}
    for dtype in (np.float64, np.float32):  # the same network, before any training step
        net = MLP([784, 128, 64, 10], ["relu", "relu", "softmax"], "cross_entropy", seed=0, dtype=dtype)
        out[dtype] = net.forward(X.astype(dtype)).astype(np.float64)
    gap = float(np.abs(out[np.float64] - out[np.float32]).max())
    want = gap == 0.0  # exact agreement is possible only if even the first forward pass agrees
    if bool(value) == want:
        return True, ("already the first forward pass differs (in the output probabilities of 32 "
                      "digits), and every step builds on it.")  # no number: it depends on the BLAS
    eps32 = float(np.finfo(np.float32).eps)
    return False, (f"float32 keeps about 7 significant digits (machine epsilon {eps32:.1e}), float64 "
                   "about 16: already the first forward pass differs, in the output "
                   "probabilities of 32 digits, and 1,250 training steps build on those "
                   "differences. The accuracies can come close, even tie by chance, but "
                   "nothing makes the runs agree.")


# --- chapter 13: Beyond plain gradient descent -----------------------------------------
def _thetas_and_gradients(rng):
    theta = rng.normal(size=(2, 3))
    gradients = rng.normal(scale=rng.uniform(0.1, 10), size=(5, 2, 3))
    return theta, gradients, rng.uniform(0.01, 0.5)


@exercise("13.1", "a function gd(theta, gradients, learning_rate) that returns theta after one plain "
                  "gradient descent step per gradient, without companion.optim")
def _momentum_beta0(fn):
    from ..optim import Momentum

    def momentum(theta, gradients, learning_rate, beta=0.0):
        p, opt = {"W1": theta}, Momentum(float(learning_rate), beta=beta)
        for d in gradients:
            opt.step(p, {"dW1": d})
        return p["W1"]

    ok, message = compare_function(fn, momentum, _thetas_and_gradients, seed=13)
    if ok:
        return True, "it agrees with optim.Momentum(beta=0.0) on 3 random gradient sequences."
    if not callable(fn):
        return ok, message
    theta, gradients, lr = _thetas_and_gradients(np.random.default_rng(131))
    yours = fn(theta.copy(), gradients.copy(), lr)
    for wrong, why in [
        (theta + lr * gradients.sum(0), "your steps go up the gradient: descent steps against it."),
        (theta - gradients.sum(0), "the learning rate is missing from your steps."),
        (theta - lr * gradients[-1], "only the last gradient counts in yours: every step moves theta."),
        (theta - lr * gradients.mean(0), "you step along the mean gradient, once; take one step per gradient."),
        (momentum(theta, gradients, lr, beta=0.9), "that is momentum with β = 0.9, the default, not plain steps."),
    ]:
        try:
            if np.allclose(np.asarray(yours, dtype=np.float64), wrong, rtol=1e-9):
                return False, why
        except (TypeError, ValueError):
            break
    return False, message


@exercise("13.2", "a pair (first step / α without bias correction, first step / α with it), for "
                  "β1 = 0.9, β2 = 0.999")
def _adam_first_step(answer):
    from ..optim import Adam

    rng = np.random.default_rng(132)
    d1 = rng.choice([-1, 1], size=(1, 6)) * np.geomspace(1e-1, 1e3, 6)  # sizes far apart
    alpha = 0.01
    opt, p = Adam(learning_rate=alpha), {"W1": np.zeros((1, 6))}
    opt.step(p, {"dW1": d1})
    with_c = np.abs(p["W1"]) / alpha  # Adam's own first step
    v, s = opt.v["dW1"], opt.s["dW1"]  # its averages, before correction
    without = np.abs(v / (np.sqrt(s) + opt.epsilon))  # the same step with the corrections left out
    assert np.ptp(with_c) < 1e-5 * with_c.max() and np.ptp(without) < 1e-5 * without.max()
    want = (float(without.mean()), float(with_c.mean()))
    yours, problem = two_numbers(answer, "(without, with)")
    if problem:
        return False, problem
    if np.allclose(yours, want[::-1], rtol=1e-3) and not np.allclose(yours, want, rtol=1e-3):
        return False, "the two are swapped: without the correction first, then with it."
    b1, b2 = opt.beta1, opt.beta2
    ok, message = compare_number(yours[0], want[0], rtol=1e-3, name="the factor without correction", hints=[
        ((1 - b1) / (1 - b2), "s holds squared gradients: the step divides by its square root."),
        (np.sqrt(1 - b2) / (1 - b1), "upside down: v is divided by √s, not the other way round."),
        (1 - b1, "leave s uncorrected too: neither average is divided by 1 - β^t."),
        (1 / np.sqrt(1 - b2), "leave v uncorrected too: neither average is divided by 1 - β^t."),
    ])
    if not ok:
        return False, message
    ok, message = compare_number(yours[1], want[1], rtol=1e-3, name="the factor with correction", hints=[
        (want[0], "that is still the uncorrected step: at t = 1 divide v by 1 - β1 and s by 1 - β2."),
    ])
    if not ok:
        return False, "the factor without correction is right; " + message
    return True, "both match optim.Adam's first step (and its averages v and s) on a fresh gradient."


@exercise("13.3", "a pair (SGD's factor, Adam's factor): how many times larger theta_20 - theta_0 gets "
                  "when every gradient is multiplied by 1,000")
def _scale_invariance(answer):
    from ..optim import SGD, Adam

    rng = np.random.default_rng(133)
    theta0, gradients = rng.normal(size=(2, 3)), rng.normal(size=(20, 2, 3))
    factors = []
    for make in (lambda: SGD(0.01), lambda: Adam(0.01)):
        moved = []
        for scale in (1.0, 1000.0):
            p, opt = {"W1": theta0.copy()}, make()
            for d in gradients:
                opt.step(p, {"dW1": scale * d})
            moved.append(p["W1"] - theta0)
        k = float(np.linalg.norm(moved[1]) / np.linalg.norm(moved[0]))
        assert np.allclose(moved[1], k * moved[0], rtol=1e-5)  # one factor for every entry
        factors.append(k)
    yours, problem = two_numbers(answer, "(SGD, Adam)")
    if problem:
        return False, problem
    if np.allclose(yours, factors[::-1], rtol=1e-3):
        return False, "the two are swapped: SGD's factor first, then Adam's."
    ok, message = compare_number(yours[0], factors[0], rtol=1e-3, name="SGD's factor", hints=[
        (1.0, "SGD's step is α times the gradient: it follows the gradient's scale."),
        (1e6, "SGD's step is linear in the gradient, not quadratic."),
    ])
    if not ok:
        return False, message
    ok, message = compare_number(yours[1], factors[1], rtol=1e-3, name="Adam's factor", hints=[
        (1000.0, "Adam divides v̂ by √ŝ, and √ŝ grows with the gradients too."),
        (1e-3, "Adam divides v̂ by √ŝ, and v̂ grows with the gradients too."),
    ])
    if not ok:
        return False, "SGD's factor is right; " + message
    return True, "both match optim.SGD and optim.Adam on 20 fresh gradients."


# --- chapter 14: From hand-written backprop to autograd --------------------------------
@exercise("14.1", "a function leaky_relu(t, slope=0.01) that returns a Tensor with parents (t,) and a _backward")
def _leaky_relu_op(fn):
    from ..activations import leaky_relu, leaky_relu_derivative
    from ..autograd import Tensor

    rng = np.random.default_rng(14)
    for slope in (0.01, 0.2):
        z = rng.normal(size=(3, 4))
        z[0, 0] = 0.0  # the kink: the book's convention is g'(0) = slope
        t = Tensor(z)
        out = fn(t, slope)
        if not isinstance(out, Tensor):
            return False, f"leaky_relu must return a Tensor, got {type(out).__name__}"
        ok, message = compare_arrays(out.data, leaky_relu(z, slope), name=f"the forward value (slope {slope})")
        if not ok:
            return False, message
        weights = rng.normal(size=z.shape)
        (out * weights).sum().backward()
        ok, message = compare_arrays(t.grad, weights * leaky_relu_derivative(z, slope),
                                     name=f"the gradient reaching t (slope {slope})")
        if not ok:
            return False, message + " Check the _backward: out.grad times g'(z), added to t.grad."
        if out.grad is not None:
            (out * weights).sum().backward()  # a second pass must add, not assign
            if not np.allclose(t.grad, 2 * weights * leaky_relu_derivative(z, slope)):
                return False, "a second backward() did not add to t.grad: use +=, not ="
    return True, "forward values and backward rule agree with companion.activations, and gradients add."


@exercise("14.3", "the number df/dx at x = 2 for f = x·x + x")
def _df_dx(value):
    return compare_number(value, 2 * 2.0 + 1, rtol=1e-9, hints=[
        (2.0, "that is what an engine that assigns (=) instead of adding (+=) would report."),
        (4.0, "that is d(x·x)/dx alone: the path through + x adds its 1."),
        (3.0, "that counts each use of x once: the product contributes 2x, not x."),
    ])


@exercise("14.4", "the smallest batch size B (an integer) at which the float32 caches beyond X outweigh the parameters")
def _cache_batch(value):
    from .._core import init_parameters

    sizes = [784, 128, 64, 10]
    n_params = sum(v.size for v in init_parameters(sizes).values())
    per_example = 2 * sum(sizes[1:])  # Z and A of each layer; X is held by any forward pass
    B = n_params // per_example + 1
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        return False, f"B must be an integer, got {value!r}"
    if value == B - 1:
        return False, f"at B = {value} the caches take {4 * per_example * value:,} bytes, not more than the parameters"
    if value == n_params // (sizes[0] + per_example) + 1:
        return False, "leave X out: a forward pass that only predicts holds the input too."
    if value == n_params // sum(sizes[1:]) + 1:
        return False, "count both Z and A for every layer: each is kept for the backward pass."
    return compare_number(value, B, rtol=0)
