"""The Part IV options of the network and MLP: L2, inverted dropout, batch normalisation.

Every backward pass is checked against central differences of the cost it is
the gradient of (dropout with its mask fixed by a seeded generator); the plain
path must stay the listing chapter 09 prints and give bit-identical results
when the options are off; bad input is named.
"""
import inspect
import json
from pathlib import Path

import numpy as np
import pytest

from companion import _core, _options, gradcheck, network, optim
from companion.gradcheck import THRESHOLD, numerical_gradient, relative_error
from companion.mlp import MLP

BOOK = Path(__file__).resolve().parents[1] / "book"

# (layer sizes, activations, loss): one output pairing of each kind, 1 to 3 hidden layers
ARCHITECTURES = [
    ([3, 4, 1], ["relu", "sigmoid"], "binary_cross_entropy"),
    ([3, 5, 4, 3], ["tanh", "relu", "softmax"], "cross_entropy"),
    ([2, 4, 3, 2], ["sigmoid", "leaky_relu", "linear"], "mse"),
    ([4, 6, 5, 4, 2], ["relu", "tanh", "relu", "sigmoid"], "binary_cross_entropy"),
]

# name: (l2, keep_prob, batch-normalised layers: "all" hidden ones, "first", or none)
OPTIONS = {
    "l2": (0.3, 1.0, None),
    "dropout": (0.0, 0.7, None),
    "strong dropout": (0.0, 0.4, None),
    "batchnorm": (0.0, 1.0, "all"),
    "batchnorm first layer": (0.0, 1.0, "first"),
    "l2 + dropout": (0.2, 0.8, None),
    "everything": (0.1, 0.75, "all"),
}


def bn_layers(which, L):
    return {None: [], "all": list(range(1, L)), "first": [1]}[which]


def problem(sizes, activations, loss, bn=(), seed=0, m=7):
    """Random float64 parameters (biases, γ, β not at their initial values) and data."""
    rng = np.random.default_rng(seed)
    P = network.init_parameters(sizes, "xavier", seed=seed, batchnorm=bn)
    for key in P:
        P[key] = P[key] + 0.3 * rng.standard_normal(P[key].shape)
    X = rng.standard_normal((sizes[0], m))
    if loss == "cross_entropy":
        Y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], m)]
    elif loss == "binary_cross_entropy":
        Y = (rng.random((sizes[-1], m)) < 0.5).astype(float)
    else:
        Y = rng.standard_normal((sizes[-1], m))
    return P, X, Y


def cost(P, X, Y, activations, loss, l2, keep_prob, mask_seed=11):
    """J (+ the L2 term) of the network with the masks of np.random.default_rng(mask_seed): the same every call."""
    AL, caches = network.forward(X, P, activations, keep_prob=keep_prob, rng=np.random.default_rng(mask_seed))
    return network.compute_cost(AL, Y, loss, caches, l2=l2)


def central_differences(P, X, Y, activations, loss, l2, keep_prob, rng_for=None):
    """∂J/∂θ for every parameter, and m ∂J/∂X (the per-example dA0), by central differences."""
    make = rng_for or (lambda: np.random.default_rng(11))

    def J(P_, X_):
        AL, caches = network.forward(X_, P_, activations, keep_prob=keep_prob, rng=make())
        return network.compute_cost(AL, Y, loss, caches, l2=l2)

    out = {f"d{k}": numerical_gradient(lambda v, k=k: J({**P, k: v}, X), P[k].copy()) for k in P}
    out["dA0"] = X.shape[1] * numerical_gradient(lambda x: J(P, x), X.copy())
    return out


# --- every backward pass against central differences ------------------------------------
@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("sizes, activations, loss", ARCHITECTURES)
def test_backward_matches_central_differences_of_its_cost(sizes, activations, loss, option):
    l2, keep_prob, which = OPTIONS[option]
    P, X, Y = problem(sizes, activations, loss, bn_layers(which, len(activations)))
    AL, caches = network.forward(X, P, activations, keep_prob=keep_prob, rng=np.random.default_rng(11))
    grads = network.backward(AL, Y, caches, loss, l2=l2)
    numeric = central_differences(P, X, Y, activations, loss, l2, keep_prob)
    assert set(numeric) <= set(grads)
    assert not any(k.startswith("db") and k[2:] in map(str, bn_layers(which, len(activations))) for k in grads)
    for key, want in numeric.items():
        assert grads[key].shape == want.shape, key
        assert relative_error(grads[key], want) < THRESHOLD, (key, relative_error(grads[key], want))


@pytest.mark.parametrize("sizes, activations, loss", ARCHITECTURES)
@pytest.mark.parametrize("lambd", [0.05, 1.0, 7.5])
def test_the_shared_gradient_check_passes_the_package_l2_backward(sizes, activations, loss, lambd):
    P, X, Y = problem(sizes, activations, loss)

    def l2_backward(params, X_, Y_):
        AL, caches = network.forward(X_, params, activations)
        return network.backward(AL, Y_, caches, loss, l2=lambd)

    report = gradcheck.check_backward(l2_backward, P, X, Y, activations, loss, l2=lambd)
    assert report.passed, report
    # the same backward pass against the reference WITHOUT the penalty fails: the check sees the term
    assert not gradcheck.check_backward(l2_backward, P, X, Y, activations, loss).passed


@pytest.mark.parametrize("sizes, activations, loss", ARCHITECTURES)
def test_a_gradient_check_with_a_fresh_mask_each_call_fails(sizes, activations, loss):
    P, X, Y = problem(sizes, activations, loss)
    AL, caches = network.forward(X, P, activations, keep_prob=0.6, rng=np.random.default_rng(11))
    grads = network.backward(AL, Y, caches, loss)
    fixed = central_differences(P, X, Y, activations, loss, 0.0, 0.6)
    shared = np.random.default_rng(11)  # one generator: every evaluation of J draws new masks
    fresh = central_differences(P, X, Y, activations, loss, 0.0, 0.6, rng_for=lambda: shared)
    assert relative_error(grads["dW1"], fixed["dW1"]) < THRESHOLD
    # the estimate differences J(θ + ε) − J(θ − ε) of two different networks: nowhere near the gradient
    assert relative_error(grads["dW1"], fresh["dW1"]) > 0.5
    assert np.abs(fresh["dW1"]).max() > 100 * np.abs(grads["dW1"]).max()


# --- dropout and batch norm as the caches record them -----------------------------------
def test_dropout_masks_hidden_layers_only_and_the_same_seed_draws_the_same_masks():
    sizes, activations, _ = ARCHITECTURES[3]
    P, X, _ = problem(sizes, activations, "binary_cross_entropy", m=4000)
    _, caches = network.forward(X, P, activations, keep_prob=0.8, rng=np.random.default_rng(3))
    _, again = network.forward(X, P, activations, keep_prob=0.8, rng=np.random.default_rng(3))
    assert caches[-1].D is None and caches[-1].A is caches[-1].A_full  # the output layer is never dropped
    for c, d in zip(caches[:-1], again[:-1]):
        assert abs(c.D.mean() - 0.8) < 0.01
        np.testing.assert_array_equal(c.D, d.D)
        np.testing.assert_array_equal(c.A, c.A_full * c.D / 0.8)
    for l in range(1, len(caches)):
        assert caches[l].A_prev is caches[l - 1].A  # the next layer receives the dropped A


def test_batchnorm_layers_have_gamma_beta_and_no_bias_and_the_same_weights():
    plain = network.init_parameters([3, 4, 5, 2], seed=4)
    bn = network.init_parameters([3, 4, 5, 2], seed=4, batchnorm=True)
    assert list(bn) == ["W1", "gamma1", "beta1", "W2", "gamma2", "beta2", "W3", "b3"]
    for l in (1, 2, 3):
        np.testing.assert_array_equal(bn[f"W{l}"], plain[f"W{l}"])
    np.testing.assert_array_equal(bn["gamma2"], np.ones((5, 1)))
    np.testing.assert_array_equal(bn["beta2"], np.zeros((5, 1)))
    assert list(network.init_parameters([3, 4, 5, 2], batchnorm=[2])) == ["W1", "b1", "W2", "gamma2", "beta2",
                                                                          "W3", "b3"]


def test_batchnorm_training_normalises_each_unit_over_the_batch_and_inference_uses_running():
    P, X, _ = problem([3, 4, 2], ["relu", "sigmoid"], "binary_cross_entropy", bn=[1], m=50)
    _, caches = network.forward(X, P, ["relu", "sigmoid"])
    Z = P["W1"] @ X  # no bias in a batch-normalised layer
    np.testing.assert_allclose(caches[0].Z, Z, rtol=1e-14)
    z_hat = (Z - Z.mean(axis=1, keepdims=True)) / np.sqrt(Z.var(axis=1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(caches[0].Z_tilde, P["gamma1"] * z_hat + P["beta1"], rtol=1e-12)
    running = {"mean1": np.full((4, 1), 0.5), "var1": np.full((4, 1), 2.0)}
    _, inf = network.forward(X[:, :1], P, ["relu", "sigmoid"], running=running)  # one example is fine here
    np.testing.assert_allclose(inf[0].Z_tilde, P["gamma1"] * (Z[:, :1] - 0.5) / np.sqrt(2.0 + 1e-5) + P["beta1"],
                               rtol=1e-12)


# --- the plain path is unchanged ---------------------------------------------------------
def listing_printed_by_chapter_09(function):
    nb = json.loads((BOOK / "09_whole_network.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if f"inspect.getsource(_core.{function})" in "".join(cell["source"]):
            return "".join("".join(o.get("text", "")) for o in cell["outputs"] if o.get("name") == "stdout")
    raise AssertionError(f"chapter 09 no longer prints _core.{function}")


@pytest.mark.parametrize("function", ["_forward", "_backward"])
def test_the_plain_passes_are_the_listing_chapter_09_prints(function):
    source = inspect.getsource(getattr(_core, function))
    assert source.strip() == listing_printed_by_chapter_09(function).strip()
    for word in ("keep_prob", "rng", "l2", "lambd", "gamma", "beta", "running", "dropout", "batchnorm", "bn"):
        assert word not in source, word


@pytest.mark.parametrize("sizes, activations, loss", ARCHITECTURES)
def test_options_off_is_bit_identical_to_the_plain_path(sizes, activations, loss):
    P, X, Y = problem(sizes, activations, loss)
    AL0, caches0 = _core._forward(X, P, activations)
    grads0 = _core._backward(AL0, Y, caches0, loss)
    AL, caches = network.forward(X, P, activations, keep_prob=1.0, rng=np.random.default_rng(0))
    assert all(type(c) is _core.LayerCache for c in caches)
    grads = network.backward(AL, Y, caches, loss, l2=0.0)
    np.testing.assert_array_equal(AL, AL0)
    assert network.compute_cost(AL, Y, loss, caches, l2=0.0) == _core._cost(AL0, caches0, Y, loss)
    assert grads.keys() == grads0.keys()
    for k in grads0:
        np.testing.assert_array_equal(grads[k], grads0[k])
    # the option passes themselves, with nothing switched on, compute the same numbers bit for bit
    AL1, caches1 = _options._forward(X, P, activations, keep_prob=1.0)
    grads1 = _options._backward(AL1, Y, caches1, loss)
    np.testing.assert_array_equal(AL1, AL0)
    for c0, c1 in zip(caches0, caches1):
        np.testing.assert_array_equal(c1.Z, c0.Z)
        np.testing.assert_array_equal(c1.A, c0.A)
    assert grads1.keys() == grads0.keys()
    for k in grads0:
        np.testing.assert_array_equal(grads1[k], grads0[k])


def test_l2_adds_lambda_over_m_W_to_dW_only_and_its_term_to_J():
    P, X, Y = problem(*ARCHITECTURES[1])
    activations, loss = ARCHITECTURES[1][1:]
    AL, caches = network.forward(X, P, activations)
    plain, reg = network.backward(AL, Y, caches, loss), network.backward(AL, Y, caches, loss, l2=0.5)
    m = X.shape[1]
    for k in plain:
        extra = 0.5 / m * P[k[1:]] if k.startswith("dW") else 0
        np.testing.assert_allclose(reg[k], plain[k] + extra, rtol=1e-13, atol=1e-15)
    squares = sum(float((P[k] ** 2).sum()) for k in P if k.startswith("W"))
    assert network.compute_cost(AL, Y, loss, caches, l2=0.5) == pytest.approx(
        network.compute_cost(AL, Y, loss, caches) + 0.5 / (2 * m) * squares, rel=1e-14)


# --- optimizers take the extra parameters ------------------------------------------------
@pytest.mark.parametrize("make", [lambda: optim.SGD(0.1), lambda: optim.Momentum(0.1, 0.5), lambda: optim.Adam(0.1),
                                  None])
def test_every_optimizer_updates_gamma_and_beta(make):
    P, X, Y = problem([3, 4, 1], ["relu", "sigmoid"], "binary_cross_entropy", bn=[1])
    AL, caches = network.forward(X, P, ["relu", "sigmoid"])
    grads = network.backward(AL, Y, caches, "binary_cross_entropy")
    before = {k: v.copy() for k, v in P.items()}
    if make is None:
        network.update_parameters(P, grads, 0.1)
    else:
        make().step(P, grads)
    for k in P:  # the first step of all three moves θ against dθ (SGD, Momentum by (1 − β) dθ, Adam by its sign)
        assert np.all(np.sign(before[k] - P[k]) == np.sign(grads["d" + k])), k
    with pytest.raises(ValueError, match="grads has no 'dgamma1'"):
        network.update_parameters(P, {k: v for k, v in grads.items() if k != "dgamma1"}, 0.1)


# --- MLP -----------------------------------------------------------------------------------
def two_moons(m=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((2, m))
    return X, (X[0] * X[1] > 0).astype(int)


MLP_CASES = [  # (constructor options, fit options)
    ({}, {"l2": 0.1}),
    ({}, {"keep_prob": 0.8}),
    ({"batchnorm": True}, {}),
    ({"batchnorm": [1]}, {"l2": 0.05, "keep_prob": 0.9}),
    ({"batchnorm": True, "dtype": np.float32}, {"keep_prob": 0.7}),
]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("built, options", MLP_CASES)
def test_mlp_trains_with_each_option(built, options, optimizer):
    X, y = two_moons()
    model = MLP([2, 16, 8, 2], ["relu", "relu", "softmax"], "cross_entropy", **built)
    history = model.fit(X, y, epochs=15, batch_size=30, learning_rate=0.05, optimizer=optimizer, progress=False,
                        validation_data=(X, y), **options)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert np.isfinite(history[key]).all(), key
    assert history["val_loss"][-1] < history["val_loss"][0]
    assert all(v.dtype == model.dtype for v in model.parameters.values())
    assert model.score(X, y) == history["val_accuracy"][-1]


def test_mlp_prediction_never_drops_and_uses_the_running_statistics():
    X, y = two_moons()
    model = MLP([2, 8, 6, 2], ["relu", "relu", "softmax"], "cross_entropy", batchnorm=[2])
    model.fit(X, y, epochs=3, batch_size=40, keep_prob=0.5, progress=False)
    AL = model.forward(X)
    np.testing.assert_array_equal(AL, model.forward(X))  # no mask: the same output every call
    want, _ = network.forward(X, model.parameters, model.activations, running=model.running)
    np.testing.assert_array_equal(AL, want)
    np.testing.assert_array_equal(model.predict(X), network.predict(X, model.parameters, model.activations,
                                                                     running=model.running))
    plain = MLP([2, 8, 2], ["relu", "softmax"], "cross_entropy")
    plain.fit(X, y, epochs=3, keep_prob=0.5, progress=False)
    np.testing.assert_array_equal(plain.forward(X), _core._forward(X, plain.parameters, plain.activations)[0])


def test_mlp_running_statistics_are_the_exponential_average_of_the_batch_statistics():
    X, y = two_moons(m=40)
    model = MLP([2, 5, 2], ["relu", "softmax"], "cross_entropy", batchnorm=True)
    Z1 = model.parameters["W1"] @ X  # before the one step: the whole set is the one minibatch
    model.fit(X, y, epochs=1, batch_size=40, progress=False)
    np.testing.assert_allclose(model.running["mean1"], 0.1 * Z1.mean(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(model.running["var1"], 0.9 + 0.1 * Z1.var(axis=1, keepdims=True), rtol=1e-12)


def test_mlp_with_l2_takes_the_steps_of_the_regularised_gradient():
    X, y = two_moons(m=40)
    model = MLP([2, 5, 2], ["tanh", "softmax"], "cross_entropy")
    P = {k: v.copy() for k, v in model.parameters.items()}
    Y = np.eye(2)[:, y]
    AL, caches = network.forward(X, P, model.activations)
    grads = network.backward(AL, Y, caches, "cross_entropy", l2=0.7)
    model.fit(X, y, epochs=1, batch_size=40, learning_rate=0.1, l2=0.7, progress=False)
    for k in P:
        np.testing.assert_allclose(model.parameters[k], P[k] - 0.1 * grads["d" + k], rtol=1e-12, atol=1e-15)


# --- bad input is named ------------------------------------------------------------------
P3, X3, Y3 = problem([3, 4, 1], ["relu", "sigmoid"], "binary_cross_entropy")
PBN, XBN, YBN = problem([3, 4, 1], ["relu", "sigmoid"], "binary_cross_entropy", bn=[1])
ACTS = ["relu", "sigmoid"]
BCE = "binary_cross_entropy"
M3 = np.ones((4, X3.shape[1]))
AL3, CACHES3 = network.forward(X3, P3, ACTS)


def _inference_backward():
    AL, caches = network.forward(XBN, PBN, ACTS, running={"mean1": np.zeros((4, 1)), "var1": np.ones((4, 1))})
    network.backward(AL, YBN, caches, BCE)


def _fit(built, X=None, **options):
    X_, y = two_moons(m=65)
    MLP([2, 4, 2], ["relu", "softmax"], "cross_entropy", **built).fit(
        X_ if X is None else X, y, epochs=1, progress=False, **options)


BAD = [
    (lambda: network.forward(X3, P3, ACTS, keep_prob=0), r"keep_prob must be a probability in \(0, 1\], got 0"),
    (lambda: network.forward(X3, P3, ACTS, keep_prob=1.5), r"keep_prob must be .* got 1.5"),
    (lambda: network.forward(X3, P3, ACTS, keep_prob=True), r"keep_prob must be .* got True"),
    (lambda: network.forward(X3, P3, ACTS, keep_prob=0.5), r"pass rng=np.random.default_rng\(seed\), got rng=None"),
    (lambda: network.forward(X3, P3, ACTS, keep_prob=0.5, rng=3), r"got rng=3"),
    (lambda: network.compute_cost(np.full((1, 7), 0.5), Y3, BCE, l2=0.1), r"l2=0.1 needs caches= from forward"),
    (lambda: network.compute_cost(AL3, Y3, BCE, CACHES3, l2=-0.1),
     r"l2 \(the L2 strength λ\) must be a finite number ≥ 0, got -0.1"),
    (lambda: network.backward(AL3, Y3, CACHES3, BCE, l2=float("nan")),
     r"l2 \(the L2 strength λ\) must be a finite number ≥ 0, got nan"),
    (lambda: network.backward(AL3, Y3, CACHES3[:1] + [CACHES3[1]._asdict()], BCE), r"caches must be the list"),
    (lambda: network.forward(XBN[:, :1], PBN, ACTS),
     r"X has 1 example; batch normalisation in training mode needs m ≥ 2"),
    (lambda: network.forward(X3, P3, ACTS, running={"mean1": np.zeros((4, 1))}), r"no batch-normalised layer"),
    (lambda: network.forward(XBN, PBN, ACTS, keep_prob=0.5, rng=np.random.default_rng(0),
                             running={"mean1": np.zeros((4, 1)), "var1": np.ones((4, 1))}), r"not both"),
    (lambda: network.forward(XBN, PBN, ACTS, running={"mean1": np.zeros((4, 1))}), r"running is missing 'var1'"),
    (lambda: network.forward(XBN, PBN, ACTS, running={"mean1": np.zeros(4), "var1": np.ones((4, 1))}),
     r"running\['mean1'\]"),
    (lambda: network.forward(XBN, PBN, ACTS, running={"mean1": np.zeros((4, 1)), "var1": -np.ones((4, 1))}),
     r"running\['var1'\] must be ≥ 0"),
    (lambda: network.predict(XBN, PBN, ACTS), r"predict needs running="),
    (_inference_backward, r"backward needs the caches of a training pass"),
    (lambda: network.forward(XBN, {**PBN, "b1": np.zeros((4, 1))}, ACTS), r"delete 'b1'"),
    (lambda: network.forward(XBN, {k: v for k, v in PBN.items() if k != "beta1"}, ACTS), r"missing 'beta1'"),
    (lambda: network.forward(XBN, {**PBN, "gamma1": np.ones(4)}, ACTS), r"parameters\['gamma1'\]"),
    (lambda: network.forward(XBN, {**PBN, "gamma2": np.ones((1, 1)), "beta2": np.zeros((1, 1))}, ACTS),
     r"'gamma2' or 'beta2' on the output layer"),
    (lambda: network.init_parameters([3, 4, 1], batchnorm=[2]), r"batchnorm lists hidden layers, .* 1..1"),
    (lambda: network.init_parameters([3, 1], batchnorm=True), r"this network has none"),
    (lambda: network.init_parameters([3, 4, 4, 1], batchnorm=[1, 1]), r"lists a layer twice"),
    (lambda: network.init_parameters([3, 4, 1], batchnorm="1"), r"batchnorm must be True, False or a list"),
    (lambda: gradcheck.check_backward(lambda *a: {}, PBN, XBN[:, :1], YBN[:, :1], ACTS, BCE), r"needs m ≥ 2"),
    (lambda: gradcheck.check_backward(lambda *a: {}, PBN, XBN, YBN, ACTS, BCE, layout="rows"), r"layout='rows' takes"),
    (lambda: gradcheck.check_backward(lambda *a: {}, P3, X3, Y3, ACTS, BCE, keep_prob=0.5),
     r"keep_prob=0.5 drops units: pass masks="),
    (lambda: gradcheck.check_backward(lambda *a: {}, P3, X3, Y3, ACTS, BCE, masks={1: np.ones((4, 5))}),
     r"masks were given but keep_prob=1"),
    (lambda: gradcheck.check_backward(lambda *a: {}, P3, X3, Y3, ACTS, BCE, keep_prob=0.5, masks=[1]),
     r"masks must be a dict"),
    (lambda: gradcheck.check_backward(lambda *a: {}, P3, X3, Y3, ACTS, BCE, keep_prob=0.5, masks={2: 1}),
     r"masks has the key 2; expected a hidden layer 1..L-1 = 1..1"),
    (lambda: gradcheck.check_backward(lambda *a: {}, P3, X3, Y3, ACTS, BCE, keep_prob=0.5, masks={"D1": np.ones((3, 2))}),
     r"masks\['D1'\] has shape \(3, 2\)"),
    (lambda: gradcheck.check_backward(lambda *a: {}, P3, X3, Y3, ACTS, BCE, keep_prob=0.5, masks={1: 0.5 * M3}),
     r"must hold only 0s and 1s"),
    (lambda: gradcheck.check_backward(lambda *a: {}, P3, X3, Y3, ACTS, BCE, keep_prob=0.5, masks={}),
     r"masks is empty"),
    (lambda: gradcheck.check_backward(lambda *a: {}, P3, X3, Y3, ACTS, BCE, keep_prob=1.5, masks={1: M3}),
     r"keep_prob must be a probability in \(0, 1\], got 1.5"),
    (lambda: MLP([2, 4, 2], ["relu", "softmax"], "cross_entropy", batchnorm=[0]), r"batchnorm lists hidden layers"),
    (lambda: _fit({"batchnorm": True}, batch_size=64), r"m = 65 with batch_size = 64 gives a minibatch of 1"),
    (lambda: _fit({"batchnorm": True}, batch_size=1), r"at least 2 examples in every minibatch"),
    (lambda: _fit({}, keep_prob=0.0), r"keep_prob must be a probability in \(0, 1\], got 0.0"),
    (lambda: _fit({}, l2=-1), r"l2 \(the L2 strength λ\) must be a finite number ≥ 0, got -1"),
]


@pytest.mark.parametrize("call, match", BAD, ids=[m for _, m in BAD])
def test_bad_input_is_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
