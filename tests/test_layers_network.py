"""Layers and the L-layer network: gradients vs central differences, shapes, dtypes, errors."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion import layers, network
from companion.display import Table
from companion.mlp import MLP
from companion.data import one_hot
from companion.gradcheck import check_gradients, numerical_gradient

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
OUTPUTS = [("sigmoid", "binary_cross_entropy"), ("softmax", "cross_entropy"),
           ("softmax", "binary_cross_entropy"), ("linear", "mse"), ("sigmoid", "mse"), ("tanh", "mse"),
           ("relu", "mse"), ("leaky_relu", "mse"), ("softmax", "mse")]


def labels_for(loss, n, m, rng):
    if loss == "cross_entropy":
        return one_hot(rng.integers(0, n, m), n)
    if loss == "binary_cross_entropy":
        return (rng.random((n, m)) > 0.5).astype(float)
    return rng.normal(size=(n, m))


def random_network(sizes, rng):
    P = network.init_parameters(sizes, "xavier", seed=int(rng.integers(1000)))
    for k in P:
        if k.startswith("b"):
            P[k] = rng.normal(size=P[k].shape) * 0.5
    return P


def test_linear_backward_matches_central_differences(rng):
    A_prev, W, b = rng.normal(size=(3, 4)), rng.normal(size=(2, 3)), rng.normal(size=(2, 1))
    dZ = rng.normal(size=(2, 4))  # J = (1/m) Σ dZ ⊙ Z, so ∂J/∂Z = dZ / m
    J = lambda A, W, b: float((dZ * layers.linear_forward(A, W, b)[0]).sum() / 4)
    dA_prev, dW, db = layers.linear_backward(dZ, layers.linear_forward(A_prev, W, b)[1])
    np.testing.assert_allclose(dW, numerical_gradient(lambda w: J(A_prev, w, b), W.copy()), rtol=1e-7)
    np.testing.assert_allclose(db, numerical_gradient(lambda c: J(A_prev, W, c), b.copy()), rtol=1e-7)
    np.testing.assert_allclose(dA_prev / 4, numerical_gradient(lambda a: J(a, W, b), A_prev.copy()), rtol=1e-7)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output, loss", OUTPUTS)
@settings(max_examples=4, deadline=None)
@given(sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3), n_out=st.integers(2, 3),
       m=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_backward_matches_central_differences(hidden, output, loss, sizes, n_out, m, seed):
    """Every activation × loss pairing on random architectures.

    Tolerance from the error analysis of central differences with step ε:
    truncation O(ε²) (relative) plus rounding about ε_mach·|J|/ε (absolute).
    """
    rng = np.random.default_rng(seed)
    sizes = sizes + [n_out]
    acts = [hidden] * (len(sizes) - 2) + [output]
    P = random_network(sizes, rng)
    X, Y = rng.normal(size=(sizes[0], m)), labels_for(loss, n_out, m, rng)
    AL, caches = network.forward(X, P, acts)
    J0 = network.compute_cost(AL, Y, loss)
    grads = network.backward(AL, Y, caches, loss)
    eps = 1e-5
    rounding = 50 * np.finfo(float).eps * max(1.0, abs(J0)) / eps
    for key, value in P.items():
        numeric = numerical_gradient(lambda _: network.compute_cost(network.forward(X, P, acts)[0], Y, loss), value, eps)
        np.testing.assert_allclose(grads["d" + key], numeric, rtol=1e-5, atol=rounding, err_msg=key)


@pytest.mark.parametrize("sizes, acts, loss", [
    ([4, 5, 3, 1], ["relu", "relu", "sigmoid"], "binary_cross_entropy"),  # the seed 000 network, small
    ([6, 5, 4, 3], ["relu", "relu", "softmax"], "cross_entropy"),  # the seed 003 network, small
    ([3, 4, 2], ["tanh", "linear"], "mse"),
    ([3, 4, 4, 2], ["sigmoid", "leaky_relu", "sigmoid"], "binary_cross_entropy"),
])
def test_report_passes_for_well_scaled_networks(sizes, acts, loss, rng):
    P = random_network(sizes, rng)
    report = check_gradients(P, rng.normal(size=(sizes[0], 7)), labels_for(loss, sizes[-1], 7, rng), acts, loss)
    assert report.passed, str(report)
    assert max(report.errors.values()) < 1e-8


def test_dA0_is_per_example_gradient_of_cost(rng):
    P = random_network([3, 4, 2], rng)
    X, Y = rng.normal(size=(3, 5)), one_hot([0, 1, 1, 0, 1], 2)
    AL, caches = network.forward(X, P, ["tanh", "softmax"])
    grads = network.backward(AL, Y, caches, "cross_entropy")
    J = lambda x: network.compute_cost(network.forward(x, P, ["tanh", "softmax"])[0], Y, "cross_entropy")
    np.testing.assert_allclose(grads["dA0"] / 5, numerical_gradient(J, X.copy()), rtol=1e-6, atol=1e-10)


def test_shape_table_for_mnist_network():
    t = network.shape_table([784, 128, 64, 10], 32)
    shapes = dict(zip(t["tensor"], t["shape"]))
    assert shapes["W1"] == (128, 784) and shapes["b2"] == (64, 1) and shapes["A3"] == (10, 32)
    assert shapes["dA0"] == (784, 32) and shapes["dW3"] == (10, 64)
    P = network.init_parameters([784, 128, 64, 10])
    AL, caches = network.forward(np.zeros((784, 32)), P, ["relu", "relu", "softmax"])
    grads = network.backward(AL, one_hot(np.arange(32) % 10, 10), caches, "cross_entropy")
    for name, shape in shapes.items():
        if name.startswith(("dW", "db", "dA")):
            assert grads[name].shape == shape, name
    assert "W1" in t._repr_html_() and "(128, 784)" in str(t)


@pytest.mark.parametrize("method, std", [("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(2 / 600)), ("small_random", 0.01)])
def test_init_scale(method, std):
    W = network.init_parameters([400, 200], method)["W1"]
    assert W.std() == pytest.approx(std, rel=0.02)


def test_init_zeros_and_seed_and_dtype():
    assert not network.init_parameters([3, 2], "zeros")["W1"].any()
    a = network.init_parameters([3, 2], seed=1)["W1"]
    assert np.array_equal(a, network.init_parameters([3, 2], seed=1)["W1"])
    assert not np.array_equal(a, network.init_parameters([3, 2], seed=2)["W1"])
    b = network.init_parameters([3, 2], seed=1, dtype=np.float32)["W1"]
    assert b.dtype == np.float32 and np.allclose(a, b, rtol=1e-7)


def test_float32_end_to_end_with_float64_labels():
    P = network.init_parameters([4, 3, 2], dtype=np.float32)
    X = np.random.default_rng(0).normal(size=(4, 6))  # float64 data
    AL, caches = network.forward(X, P, ["relu", "softmax"])
    grads = network.backward(AL, one_hot([0, 1, 0, 1, 1, 0], 2), caches, "cross_entropy")  # float64 one-hot
    assert AL.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
    network.update_parameters(P, grads, 0.1)
    assert all(p.dtype == np.float32 for p in P.values())


def test_update_parameters_is_gradient_descent():
    P = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
    network.update_parameters(P, {"dW1": np.full((2, 2), 2.0), "db1": np.ones((2, 1))}, 0.5)
    assert np.all(P["W1"] == 0.0) and np.all(P["b1"] == -0.5)


def test_predict():
    P = {"W1": np.array([[1.0], [-1.0]]), "b1": np.zeros((2, 1))}
    assert network.predict(np.array([[2.0, -3.0]]), P, ["softmax"]).tolist() == [0, 1]
    P = {"W1": np.array([[1.0]]), "b1": np.zeros((1, 1))}
    assert network.predict(np.array([[2.0, -3.0]]), P, ["sigmoid"]).tolist() == [1, 0]  # one label each: (m,)
    P = {"W1": np.array([[1.0], [-1.0]]), "b1": np.zeros((2, 1))}  # two yes/no labels per example
    assert network.predict(np.array([[2.0, -3.0, 0.0]]), P, ["sigmoid"]).tolist() == [[1, 0, 0], [0, 1, 0]]
    assert network.predict(np.array([[2.0, -3.0]]), P, ["linear"]).tolist() == [[2.0, -3.0], [-2.0, 3.0]]


P3 = network.init_parameters([4, 3, 1])
OK_X = np.ones((4, 5))


@pytest.mark.parametrize("call, err, match", [
    (lambda: network.forward(np.ones(4), P3, ["relu", "sigmoid"]), ValueError, r"X must be a 2-D array.*got 1-D"),
    (lambda: network.forward(np.ones((5, 4)), P3, ["relu", "sigmoid"]), ValueError, r"X has shape \(5, 4\); expected \(4, any\).*n_0 = 4 rows"),
    (lambda: network.forward(np.full((4, 2), np.nan), P3, ["relu", "sigmoid"]), ValueError, r"X contains NaN or inf \(first at index \(0, 0\)"),
    (lambda: network.forward(np.ones((4, 0)), P3, ["relu", "sigmoid"]), ValueError, r"X is empty"),
    (lambda: network.forward(np.array([["a"] * 2] * 4), P3, ["relu", "sigmoid"]), TypeError, r"X must be a numeric array"),
    (lambda: network.forward(OK_X, P3, ["relu"]), ValueError, r"got 1 activations for a network of 2 layers"),
    (lambda: network.forward(OK_X, P3, ["relu", "sigmoidd"]), ValueError, r"unknown activation 'sigmoidd'; valid:"),
    (lambda: network.forward(OK_X, P3, "relu"), TypeError, r"activations must be a list of 2 names"),
    (lambda: network.forward(OK_X, {"W1": np.ones((3, 4)), "b1": np.ones(3)}, ["relu"]), ValueError, r"parameters\['b1'\] must be a column of shape \(n_1, 1\) = \(3, 1\).*got 1-D array of shape \(3,\)"),
    (lambda: network.forward(OK_X, {"W1": np.ones((3, 4)), "b1": np.ones((4, 1))}, ["relu"]), ValueError, r"parameters\['b1'\] has shape \(4, 1\); expected \(3, 1\)"),
    (lambda: network.forward(OK_X, {"W1": np.ones((3, 4)), "b1": np.ones((3, 1)), "W2": np.ones((1, 2)), "b2": np.ones((1, 1))}, ["relu", "sigmoid"]), ValueError, r"W2'\] has shape \(1, 2\); expected \(any, 3\).*layer 1 has 3 units"),
    (lambda: network.forward(OK_X, {"W1": np.ones((3, 4))}, ["relu"]), ValueError, r"parameters is missing 'b1'"),
    (lambda: network.compute_cost(np.full((1, 5), 0.5), np.ones((5, 1)), "binary_cross_entropy"), ValueError, r"Y has shape \(5, 1\) but AL has shape \(1, 5\).*transposed"),
    (lambda: network.compute_cost(np.full((1, 5), 0.5), np.full((1, 5), 3.0), "binary_cross_entropy"), ValueError, r"labels in \[0, 1\]"),
    (lambda: network.compute_cost(np.full((1, 5), 0.5), np.ones((1, 5)), "bce"), ValueError, r"unknown loss 'bce'"),
    (lambda: network.backward(np.full((1, 5), 0.5), np.ones((1, 5)), [], "binary_cross_entropy"), TypeError, r"caches must be the list"),
    (lambda: network.init_parameters([4]), ValueError, r"layer_sizes must list at least two sizes"),
    (lambda: network.init_parameters([4, 0]), ValueError, r"layer_sizes\[1\] must be a positive integer"),
    (lambda: network.init_parameters([4, 2], "glorot"), ValueError, r"unknown init method 'glorot'; valid: 'he', 'xavier'"),
    (lambda: network.init_parameters([4, 2], dtype=np.int32), TypeError, r"dtype must be float32 or float64"),
    (lambda: network.update_parameters(network.init_parameters([2, 1]), {"dW1": np.ones((1, 2))}, 0.1), ValueError, r"grads has no 'db1'"),
    (lambda: network.update_parameters(network.init_parameters([2, 3]), {"dW1": np.ones((3, 2)), "db1": np.ones(3)}, 0.1), ValueError, r"db1 has shape \(3,\) but b1 has shape \(3, 1\).*keepdims=True"),
    (lambda: network.update_parameters(network.init_parameters([2, 1]), {"dW1": np.ones((2, 1)), "db1": np.ones((1, 1))}, 0.1), ValueError, r"dW1 has shape \(2, 1\) but W1 has shape \(1, 2\).*transposed"),
    (lambda: network.update_parameters(network.init_parameters([2, 1]), {}, -1), ValueError, r"learning_rate must be a positive finite number, got -1"),
    (lambda: layers.linear_forward(np.ones((3, 2)), np.ones((2, 4)), np.ones((2, 1))), ValueError, r"A_prev has shape \(3, 2\); expected \(4, any\)"),
    (lambda: layers.linear_backward(np.ones((3, 2)), (np.ones((4, 2)), np.ones((2, 4)), np.ones((2, 1)))), ValueError, r"dZ has shape \(3, 2\); expected \(2, 2\)"),
    (lambda: layers.activation_forward(np.ones((2, 2)), "swish"), ValueError, r"unknown activation 'swish'"),
    (lambda: layers.activation_backward(np.ones((2, 3)), (np.ones((2, 2)), np.ones((2, 2))), "relu"), ValueError, r"dA has shape \(2, 3\); expected \(2, 2\)"),
    (lambda: network.shape_table([3, 2], 0), ValueError, r"m must be a positive integer"),
])
def test_bad_input_is_named(call, err, match):
    with pytest.raises(err, match=match):
        call()


# --- the engine's contract: named caches, exact costs from logits, refusals, dtypes --------------------------
def test_layer_cache_fields_are_what_forward_computed(rng):
    P = random_network([3, 4, 2], rng)
    X = rng.normal(size=(3, 5))
    AL, caches = network.forward(X, P, ["tanh", "softmax"])
    c1, c2 = caches
    Z1 = P["W1"] @ X + P["b1"]  # by hand
    np.testing.assert_allclose(c1.Z, Z1, rtol=1e-14)
    np.testing.assert_allclose(c1.A, np.tanh(Z1), rtol=1e-14)
    assert c1.A_prev is X or np.array_equal(c1.A_prev, X)
    assert c2.A_prev is c1.A and c2.W is P["W2"] and c2.activation == "softmax" and c2.A is AL
    e = np.exp(c2.Z - c2.Z.max(axis=0))
    np.testing.assert_allclose(AL, e / e.sum(axis=0), rtol=1e-14)
    assert c2.linear_cache == (c2.A_prev, c2.W, c2.b) and c2.activation_cache == (c2.Z, c2.A)


def test_compute_cost_with_caches_is_exact_at_large_logits():
    P = {"W1": np.array([[1.0]]), "b1": np.zeros((1, 1))}
    X, Y = np.array([[800.0, -30.0]]), np.array([[0.0, 1.0]])
    AL, caches = network.forward(X, P, ["sigmoid"])
    # −log(1 − σ(800)) = 800 + log(1 + e^−800) and −log σ(−30) = 30 + log(1 + e^−30), by hand
    exact = (800 + math.log1p(math.exp(-800)) + 30 + math.log1p(math.exp(-30))) / 2
    assert network.compute_cost(AL, Y, "binary_cross_entropy", caches) == pytest.approx(exact, rel=1e-15)
    # from AL alone σ(800) rounds to 1 and the log is floored at log(2^−1022)
    floored = (1022 * math.log(2) + 30 + math.log1p(math.exp(-30))) / 2
    assert network.compute_cost(AL, Y, "binary_cross_entropy") == pytest.approx(floored, rel=1e-9)


@pytest.mark.parametrize("AL, Y, loss, match", [
    ([[1.5, -0.2]], [[1, 0]], "binary_cross_entropy", r"AL must hold probabilities in \[0, 1\]"),
    (np.array([[0.2, 0.1], [0.3, 0.9]]), [[0, 1], [1, 0]], "cross_entropy", r"column 0 sums to 0.5, expected 1"),
])
def test_compute_cost_refuses_an_output_the_loss_cannot_take(AL, Y, loss, match):
    with pytest.raises(ValueError, match=match):
        network.compute_cost(AL, Y, loss)


def test_output_and_loss_pairs_that_make_no_sense_are_refused():
    valid = r"valid pairs: 'sigmoid' \(or 'softmax'\) with 'binary_cross_entropy', 'softmax' with 'cross_entropy'"
    with pytest.raises(ValueError, match="output activation 'linear' cannot be used with loss 'binary_cross_entropy'; " + valid):
        MLP([3, 4, 1], ["relu", "linear"], "binary_cross_entropy")
    P = network.init_parameters([3, 4, 1])
    AL, caches = network.forward(np.ones((3, 2)), P, ["relu", "linear"])
    with pytest.raises(ValueError, match=valid):
        network.backward(AL, np.ones((1, 2)), caches, "binary_cross_entropy")
    with pytest.raises(ValueError, match="output activation 'sigmoid' cannot be used with loss 'cross_entropy'"):
        MLP([3, 2], ["sigmoid"], "cross_entropy")
    MLP([3, 2], ["relu"], "mse")  # any output with squared error


def test_integer_and_list_parameters_do_not_truncate():
    X = np.array([[0.7], [0.35]])
    for W in (np.array([[1, 2]]), [[1, 2]]):
        AL, _ = network.forward(X, {"W1": W, "b1": [[0]]}, ["linear"])
        assert AL.dtype == np.float64 and AL[0, 0] == pytest.approx(1.4, rel=1e-15)  # 0.7 + 2 · 0.35
    P32 = network.init_parameters([2, 3, 1], dtype=np.float32)
    P32["W2"] = [[1, 2, 3]]  # a list joins the float32 of the other layers
    AL, _ = network.forward(X, P32, ["relu", "linear"])
    assert AL.dtype == np.float32


def test_mixed_float_dtypes_across_layers_are_an_error():
    P = network.init_parameters([2, 3, 1], dtype=np.float32)
    P["W2"] = P["W2"].astype(np.float64)
    with pytest.raises(TypeError, match=r"parameters\['W2'\] is float64 but parameters\['W1'\] is float32"):
        network.forward(np.ones((2, 4)), P, ["relu", "sigmoid"])


def test_init_parameters_names_a_bad_seed():
    for seed in (-1, 1.5, "0", True):
        with pytest.raises(ValueError, match=r"seed must be a non-negative integer, got"):
            network.init_parameters([2, 1], seed=seed)


def test_table_is_public_and_names_its_columns():
    t = network.shape_table([2, 1], 3)
    assert isinstance(t, Table)
    with pytest.raises(KeyError, match="no column 'shapes'; the columns are 'layer', 'tensor', 'shape', 'rule'"):
        t["shapes"]


# --- hints that point at the right fix -------------------------------------------------------------------
def test_a_1d_Y_is_told_to_become_a_row_not_a_column():
    for call in (lambda: network.compute_cost(np.full((1, 5), 0.5), np.ones(5), "binary_cross_entropy"),
                 lambda: MLP([2, 1], ["sigmoid"], "binary_cross_entropy").fit(np.ones((2, 5)), np.ones(5), progress=False)):
        with pytest.raises(ValueError) as err:
            call()
        msg = str(err.value)
        assert "Y.reshape(1, -1), giving (1, m)" in msg and "one_hot" in msg and "reshape(-1, 1)" not in msg


def test_a_1d_X_hint_fits_the_network():
    P = network.init_parameters([4, 1])
    with pytest.raises(ValueError, match=r"one example is X.reshape\(-1, 1\), shape \(4, 1\)"):
        network.forward(np.ones(4), P, ["sigmoid"])
    P = network.init_parameters([1, 1])
    with pytest.raises(ValueError, match=r"m examples of the single input feature are X.reshape\(1, -1\)"):
        network.forward(np.ones(6), P, ["sigmoid"])


def test_1d_W_and_b_are_not_called_examples():
    with pytest.raises(ValueError) as err:
        layers.linear_forward(np.ones((3, 2)), np.ones(3), np.ones((1, 1)))
    assert "W must be a 2-D array of shape (n_l, n_{l-1})" in str(err.value)
    assert "example" not in str(err.value)
    with pytest.raises(ValueError) as err:
        layers.linear_forward(np.ones((3, 2)), np.ones((2, 3)), np.ones(2))
    assert "b must be a column of shape (n_l, 1) = (2, 1)" in str(err.value) and "b.reshape(-1, 1)" in str(err.value)
    assert "example" not in str(err.value)


def test_a_transposed_W_is_spotted_from_its_bias():
    P = network.init_parameters([3, 4, 2])
    P["W1"] = P["W1"].T
    with pytest.raises(ValueError, match=r"parameters\['b1'\] has shape \(4, 1\); expected \(3, 1\).*or W1 is transposed"):
        network.forward(np.ones((3, 2)), P, ["relu", "softmax"])


def test_table_wraps_a_long_column_in_its_text_form_only():
    long = "a diagnosis long enough to need three lines at this width"
    t = Table(["name", "a long header", "text"], [["dW1", 1, long], ["db1", 22, "short"]], wrap={"text": 20})
    lines = str(t).splitlines()
    assert max(map(len, lines)) < len(long)
    assert " ".join(ln[14:] for ln in lines[3:6]) == long  # in order, every word
    assert lines[0].split() == ["a", "long"] and lines[1].split() == ["name", "header", "text"]
    assert [ln[:3] for ln in lines[3:]] == ["dW1", "   ", "   ", "db1"]
    assert long in t._repr_html_() and t["text"][0] == long  # the cells themselves are not changed
    assert str(Table(["a long header"], [[1]])).splitlines()[0] == "a long header"  # no wrap: one line
    with pytest.raises(KeyError, match="wrap names no column"):
        Table(["a"], [[1]], wrap={"b": 3})
