"""Losses: gradients against SymPy and central differences, from-logits stability, fused dZ, errors."""
import numpy as np
import pytest
import sympy as sp

from companion import activations as act
from companion import losses
from companion.data import one_hot
from companion.gradcheck import numerical_gradient
from companion.symbolic import check_against, derivative

a, y = sp.symbols("a y", positive=True)


def test_bce_gradient_matches_sympy():
    L = -(y * sp.log(a) + (1 - y) * sp.log(1 - a))
    A = np.linspace(0.05, 0.95, 19).reshape(1, -1)
    Y = (np.arange(19) % 2).reshape(1, -1).astype(float)
    check_against(derivative(L, a), [a, y], losses.binary_cross_entropy_gradient, A, Y)


def test_bce_times_sigmoid_derivative_collapses_to_a_minus_y():
    zs = sp.symbols("z", real=True)
    s = 1 / (1 + sp.exp(-zs))
    L = -(y * sp.log(s) + (1 - y) * sp.log(1 - s))
    assert sp.simplify(sp.diff(L, zs) - (s - y)) == 0


@pytest.mark.parametrize("name, make_Y, out", [
    ("binary_cross_entropy", lambda r: (r.random((2, 5)) > 0.5).astype(float), "sigmoid"),
    ("cross_entropy", lambda r: one_hot(r.integers(0, 4, 5), 4), "softmax"),
    ("mse", lambda r: r.normal(size=(3, 5)), "linear"),
])
def test_gradient_is_m_times_cost_derivative(name, make_Y, out, rng):
    spec = losses.get(name)
    Y = make_Y(rng)
    Z = rng.normal(size=Y.shape)
    AL = act.ACTIVATIONS[out].forward(Z)
    m = Y.shape[1]
    numeric = numerical_gradient(lambda A: spec.cost(A, Y), AL.copy())
    np.testing.assert_allclose(spec.gradient(AL, Y) / m, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name, out", [("binary_cross_entropy", "sigmoid"), ("cross_entropy", "softmax")])
def test_from_logits_agrees_with_probabilities(name, out, rng):
    Z = rng.normal(size=(3, 6)) * 3
    Y = one_hot(rng.integers(0, 3, 6), 3) if name == "cross_entropy" else (rng.random((3, 6)) > 0.5) * 1.0
    spec = losses.get(name)
    assert spec.from_logits(Z, Y) == pytest.approx(spec.cost(act.ACTIVATIONS[out].forward(Z), Y), rel=1e-12)


@pytest.mark.parametrize("name, out", [("binary_cross_entropy", "sigmoid"), ("cross_entropy", "softmax")])
def test_fused_delta_is_gradient_through_output(name, out, rng):
    Z = rng.normal(size=(3, 4))
    Y = one_hot(rng.integers(0, 3, 4), 3) if name == "cross_entropy" else (rng.random((3, 4)) > 0.5) * 1.0
    spec, g = losses.get(name), act.ACTIVATIONS[out]
    numeric = numerical_gradient(lambda z: spec.from_logits(z, Y), Z.copy()) * Z.shape[1]
    np.testing.assert_allclose(losses.output_delta(g.forward(Z), Y), numeric, rtol=1e-6, atol=1e-9)


def test_extreme_logits_are_exact(strict_numpy):
    Z = np.array([[1e4, -1e4, 1e4, -1e4]])
    Y = np.array([[1.0, 0.0, 0.0, 1.0]])
    # two confident right answers (loss 0) and two confident wrong ones (loss 1e4 each)
    assert losses.binary_cross_entropy_from_logits(Z, Y) == pytest.approx(2e4 / 4)
    Zc = np.array([[1e4, -1e4], [-1e4, 1e4]])
    assert losses.cross_entropy_from_logits(Zc, np.eye(2)) == 0.0
    assert losses.cross_entropy_from_logits(Zc, np.eye(2)[::-1]) == pytest.approx(2e4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_probabilities_of_exactly_zero_and_one_stay_finite(dtype, strict_numpy):
    AL = np.array([[0.0, 1.0, 0.0, 1.0]], dtype=dtype)
    Y = np.array([[0.0, 1.0, 1.0, 0.0]], dtype=dtype)
    cost = losses.binary_cross_entropy(AL, Y)
    assert np.isfinite(cost) and cost > 10
    assert np.isfinite(losses.binary_cross_entropy_gradient(AL, Y)).all()
    # right answers with certainty cost nothing
    assert losses.binary_cross_entropy(AL[:, :2], Y[:, :2]) == 0.0
    assert np.copysign(1.0, losses.binary_cross_entropy(AL[:, :2], Y[:, :2])) == 1.0  # 0.0, not -0.0
    P = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=dtype)
    assert losses.cross_entropy(P, np.eye(2)) == 0.0
    assert np.copysign(1.0, losses.cross_entropy(P, np.eye(2))) == 1.0
    assert np.isfinite(losses.cross_entropy(P, np.eye(2)[::-1]))
    assert np.isfinite(losses.cross_entropy_gradient(P, np.eye(2)[::-1])).all()


def test_float64_labels_do_not_promote_float32():
    AL = np.full((1, 3), 0.5, dtype=np.float32)
    assert losses.binary_cross_entropy_gradient(AL, np.ones((1, 3))).dtype == np.float32


@pytest.mark.parametrize("call, match", [
    (lambda: losses.binary_cross_entropy(np.full((1, 3), 0.5), np.ones((3, 1))), r"Y has shape \(3, 1\) but AL has shape \(1, 3\).*transposed"),
    (lambda: losses.binary_cross_entropy(np.full((1, 3), 1.5), np.ones((1, 3))), r"AL must hold probabilities in \[0, 1\].*logits"),
    (lambda: losses.binary_cross_entropy(np.full((1, 3), 0.5), np.full((1, 3), 2.0)), r"Y must hold labels in \[0, 1\]"),
    (lambda: losses.cross_entropy(np.full((2, 2), 0.5), np.array([[1.0, 1.0], [1.0, 0.0]])), "Y must be one-hot.*column 0"),
    (lambda: losses.cross_entropy(np.full((2, 2), 0.5), np.array([[0.5, 1.0], [0.5, 0.0]])), "Y must be one-hot.*column 0"),
    (lambda: losses.mean_squared_error(np.ones((2, 2)), np.ones((2, 3))), r"Y has shape \(2, 3\) but AL has shape \(2, 2\)"),
    (lambda: losses.mean_squared_error(np.array([[np.inf]]), np.ones((1, 1))), "AL contains NaN or inf"),
    (lambda: losses.get("hinge"), "unknown loss 'hinge'; valid: 'binary_cross_entropy', 'cross_entropy', 'mse'"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()
