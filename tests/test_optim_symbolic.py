"""Optimizers against hand-computed steps; SymPy helpers."""
import numpy as np
import pytest
import sympy as sp

from companion import network, optim, symbolic
from companion.activations import sigmoid_derivative, tanh_derivative


def params():
    return {"W1": np.array([[1.0, -2.0]]), "b1": np.array([[0.5]])}


def grads():
    return {"dW1": np.array([[0.2, -0.4]]), "db1": np.array([[1.0]])}


def test_sgd_step():
    P = optim.SGD(0.5).step(params(), grads())
    np.testing.assert_allclose(P["W1"], [[0.9, -1.8]])
    np.testing.assert_allclose(P["b1"], [[0.0]])


def test_sgd_leaves_grads_untouched():
    g = grads()
    optim.SGD(0.5).step(params(), g)
    np.testing.assert_allclose(g["dW1"], [[0.2, -0.4]])


def test_momentum_two_steps():
    opt, P = optim.Momentum(0.1, beta=0.9), params()
    opt.step(P, grads())
    opt.step(P, grads())
    # v1 = 0.1 g, v2 = 0.9·0.1 g + 0.1 g = 0.19 g; total step 0.1 (0.1 + 0.19) g
    np.testing.assert_allclose(P["W1"], params()["W1"] - 0.1 * 0.29 * grads()["dW1"])
    np.testing.assert_allclose(opt.v["dW1"], 0.19 * grads()["dW1"])


def test_adam_first_step_is_lr_times_sign():
    opt, P = optim.Adam(0.01), params()
    opt.step(P, grads())
    # after bias correction v̂ = g and ŝ = g², so the step is α g / (|g| + ε) ≈ α sign(g)
    np.testing.assert_allclose(P["W1"], params()["W1"] - 0.01 * np.sign(grads()["dW1"]), rtol=1e-6)
    assert opt.t == 1


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_optimizers_minimise_a_quadratic(name):
    opt = optim.make(name, 0.1)
    P = {"W1": np.array([[3.0, -2.0]])}
    for _ in range(300):
        opt.step(P, {"dW1": 2 * P["W1"]})  # gradient of ‖W‖²
    assert np.abs(P["W1"]).max() < 0.05


def test_optimizer_errors():
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'; valid: 'sgd', 'momentum', 'adam'"):
        optim.make("rmsprop", 0.1)
    with pytest.raises(ValueError, match=r"beta must be a number in \[0, 1\)"):
        optim.Momentum(0.1, beta=1.5)
    with pytest.raises(ValueError, match="learning_rate must be a positive finite number"):
        optim.Adam(float("nan"))


def test_check_against_passes_and_fails():
    z = sp.symbols("z")
    s = 1 / (1 + sp.exp(-z))
    grid = np.linspace(-5, 5, 11)
    assert symbolic.check_against(symbolic.derivative(s, z), [z], sigmoid_derivative, grid) < 1e-15
    with pytest.raises(AssertionError, match="differs from"):
        symbolic.check_against(symbolic.derivative(s, z), [z], tanh_derivative, grid)


def test_to_numpy_broadcasts_constants():
    z = sp.symbols("z")
    f = symbolic.to_numpy(sp.diff(z, z), [z])
    assert f(np.zeros((2, 3))).shape == (2, 3)


def test_matrix_gradient_of_linear_layer_cost():
    W, A = symbolic.matrix_symbols("w", 2, 3), symbolic.matrix_symbols("a", 3, 2)
    D = sp.Matrix([[1, 2], [3, 4]])  # J = (1/m) Σ D ⊙ (W A), so ∂J/∂W = (1/m) D Aᵀ
    J = sum((D.multiply_elementwise(W * A))) / 2
    grad = symbolic.gradient_matrix(J, W)
    assert sp.simplify(grad - D * A.T / 2) == sp.zeros(2, 3)
    Avals = np.arange(6.0).reshape(3, 2)
    got = symbolic.as_array(symbolic.substitute(grad, (A, Avals)))
    np.testing.assert_allclose(got, np.array([[1, 2], [3, 4]]) @ Avals.T / 2)


@pytest.mark.parametrize("opt", [optim.SGD(0.1), optim.Momentum(0.1), optim.Adam(0.1)], ids=repr)
@pytest.mark.parametrize("grads, match", [
    ({"dW1": np.ones((1, 2))}, r"grads has no 'db1' for parameters\['b1'\]"),
    ({"dW1": np.ones((1, 1)), "db1": np.ones((1, 1))}, r"dW1 has shape \(1, 1\) but W1 has shape \(1, 2\)"),
    ({"dW1": np.ones((2, 1)), "db1": np.ones((1, 1))}, r"dW1 has shape \(2, 1\) but W1 has shape \(1, 2\).*transposed"),
    ({"dW1": np.ones((1, 2)), "db1": np.ones(1)}, r"db1 has shape \(1,\) but b1 has shape \(1, 1\).*keepdims=True"),
    ({"dW1": np.array([[np.nan, 0.0]]), "db1": np.ones((1, 1))}, r"grads\['dW1'\] contains NaN"),
])
def test_every_optimizer_checks_like_update_parameters(opt, grads, match):
    P = params()
    with pytest.raises(ValueError, match=match):
        opt.step(P, grads)
    with pytest.raises(ValueError, match=match):
        network.update_parameters(params(), grads, 0.1)
    np.testing.assert_array_equal(P["W1"], params()["W1"])  # nothing was updated


def test_a_gradient_that_would_broadcast_is_refused():
    P = {"W1": np.zeros((4, 3)), "b1": np.zeros((4, 1))}
    with pytest.raises(ValueError, match=r"dW1 has shape \(1, 3\) but W1 has shape \(4, 3\)"):
        optim.SGD(0.1).step(P, {"dW1": np.ones((1, 3)), "db1": np.ones((4, 1))})


def test_optimizer_state_from_another_network_is_refused():
    opt = optim.Momentum(0.1)
    opt.step(params(), grads())
    with pytest.raises(ValueError, match=r"holds state for dW1 of shape \(1, 2\).*use a new optimizer"):
        opt.step({"W1": np.ones((3, 2)), "b1": np.ones((3, 1))}, {"dW1": np.ones((3, 2)), "db1": np.ones((3, 1))})


def test_float64_gradients_update_float32_parameters_in_float32():
    P = {"W1": np.ones((1, 2), np.float32), "b1": np.zeros((1, 1), np.float32)}
    optim.Adam(0.1).step(P, grads())
    assert P["W1"].dtype == np.float32 and P["b1"].dtype == np.float32


def test_optimizer_instance_and_learning_rate_is_an_error():
    with pytest.raises(ValueError, match=r"got learning_rate=0.5 and the optimizer instance Adam\(learning_rate=0.01"):
        optim.make(optim.Adam(0.01), 0.5)
    assert optim.make("momentum").learning_rate == 0.01  # a name without a rate: the default
    assert optim.make("adam", 0.5).learning_rate == 0.5
    adam = optim.Adam(0.01)
    assert optim.make(adam) is adam
    with pytest.raises(TypeError, match="optimizer must be one of"):
        optim.make(object())
