"""Activations: values and derivatives against SymPy and central differences; stability; errors."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from companion import activations as act
from companion.gradcheck import numerical_gradient
from companion.symbolic import check_against, derivative

z = sp.symbols("z", real=True)
SYMPY = {
    "sigmoid": 1 / (1 + sp.exp(-z)),
    "tanh": sp.tanh(z),
    "relu": sp.Piecewise((z, z > 0), (0, True)),
    "leaky_relu": sp.Piecewise((z, z > 0), (sp.Rational(1, 100) * z, True)),
    "linear": z,
}
GRID = np.concatenate([np.linspace(-8, 8, 161), [-30.5, -3.3, 0.7, 12.25, 30.5]])
GRID = GRID[np.abs(GRID) > 1e-9]  # the kink of ReLU sits at 0


@pytest.mark.parametrize("name", list(SYMPY))
def test_forward_matches_sympy(name):
    check_against(SYMPY[name], [z], act.ACTIVATIONS[name].forward, GRID)


@pytest.mark.parametrize("name", list(SYMPY))
def test_derivative_matches_sympy(name):
    check_against(derivative(SYMPY[name], z), [z], act.ACTIVATIONS[name].derivative, GRID)


@pytest.mark.parametrize("name", list(SYMPY))
@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (3, 4), elements=st.floats(-6, 6)))
def test_derivative_matches_central_differences(name, Z):
    Z = np.where(np.abs(Z) < 1e-3, 0.5, Z)  # keep away from ReLU's kink
    a = act.ACTIVATIONS[name]
    numeric = numerical_gradient(lambda x: float(a.forward(x).sum()), Z.copy())
    np.testing.assert_allclose(a.derivative(Z), numeric, rtol=1e-6, atol=1e-8)


def test_sigmoid_derivative_simplifies_to_s_times_one_minus_s():
    s = SYMPY["sigmoid"]
    assert sp.simplify((derivative(s, z) - s * (1 - s)).rewrite(sp.exp)) == 0


def test_relu_derivative_at_zero_is_zero():
    assert act.relu_derivative(np.array([0.0]))[0] == 0.0
    assert act.leaky_relu_derivative(np.array([0.0]))[0] == pytest.approx(act.LEAKY_SLOPE)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(act.ACTIVATIONS))
def test_extremes_are_finite_without_warnings(name, dtype, strict_numpy):
    Z = np.array([[-1e4, -1e3, -50.0, 0.0, 50.0, 1e3, 1e4]], dtype=dtype).T  # a column for softmax
    a = act.ACTIVATIONS[name]
    A = a.forward(Z)
    assert A.dtype == dtype and np.isfinite(A).all()
    if a.derivative is not None:
        D = a.derivative(Z)
        assert D.dtype == dtype and np.isfinite(D).all()


def test_sigmoid_saturates_to_exact_limits():
    s = act.sigmoid(np.array([-1e4, 1e4]))
    assert s[0] == 0.0 and s[1] == 1.0


def test_softmax_columns_sum_to_one_at_extremes(strict_numpy):
    Z = np.array([[1e4, -1e4, 0.0], [1e4 - 1, 1e4, 0.0], [-1e4, 0.0, 0.0]])
    A = act.softmax(Z)
    np.testing.assert_allclose(A.sum(axis=0), 1.0)
    assert np.isfinite(A).all()


def test_softmax_jacobian_matches_sympy():
    n = 4
    zs = sp.symbols(f"z1:{n + 1}")
    s = [sp.exp(zi) / sum(sp.exp(zk) for zk in zs) for zi in zs]
    J = sp.Matrix(n, n, lambda i, j: sp.diff(s[i], zs[j]))
    values = np.array([0.3, -1.2, 2.0, 0.5])
    expected = np.array(J.subs(dict(zip(zs, values))).evalf(), dtype=float)
    np.testing.assert_allclose(act.softmax_jacobian(values), expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(act.softmax_jacobian(values.reshape(-1, 1)), expected, rtol=1e-12, atol=1e-14)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (5, 3), elements=st.floats(-20, 20)), arrays(np.float64, (5, 3), elements=st.floats(-3, 3)))
def test_softmax_backward_equals_jacobian_product(Z, dA):
    A = act.softmax(Z)
    dZ = act.softmax_backward(dA, A)
    for j in range(Z.shape[1]):
        np.testing.assert_allclose(dZ[:, j], act.softmax_jacobian(Z[:, j]).T @ dA[:, j], atol=1e-12)


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match="unknown activation 'sigmoidd'; valid: 'sigmoid', 'tanh', 'relu'"):
        act.get("sigmoidd")


@pytest.mark.parametrize("bad, err, match", [
    (np.array(["a", "b"]), TypeError, "Z must be a numeric array"),
    (np.array([1.0, np.nan]), ValueError, "Z contains NaN or inf"),
    (np.array([True, False]), TypeError, "dtype bool"),
    (np.array([]), ValueError, "Z is empty"),
])
def test_bad_input_is_named(bad, err, match):
    with pytest.raises(err, match=match):
        act.sigmoid(bad)


def test_softmax_needs_columns():
    with pytest.raises(ValueError, match=r"Z must be a 2-D array with one example per column.*reshape"):
        act.softmax(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="A has shape"):
        act.softmax_backward(np.ones((3, 2)), np.ones((2, 3)) / 2)
    with pytest.raises(ValueError, match="z must be one column"):
        act.softmax_jacobian(np.ones((3, 2)))


def test_integer_input_becomes_float():
    assert act.relu(np.array([-1, 2])).dtype == np.float64


@pytest.mark.parametrize("name, exact", [
    ("sigmoid", lambda t: 1 / (4 * sp.cosh(t / 2) ** 2)),  # σ' = ¼ sech²(z/2)
    ("tanh", lambda t: 1 / sp.cosh(t) ** 2),               # tanh' = sech²(z)
])
def test_smooth_derivatives_keep_relative_precision_in_the_tails(name, exact):
    # relative, not absolute: 1 − tanh² and σ(1 − σ) round to 0 out here
    zs = np.array([[-350.0, -60.0, -30.0, -19.5, 19.5, 30.0, 60.0, 350.0]])
    want = np.array([[float(sp.N(exact(sp.Float(v, 30)), 30)) for v in zs[0]]])
    got = act.ACTIVATIONS[name].derivative(zs)
    assert (got > 0).all()
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)
