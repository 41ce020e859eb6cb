"""The gradient checker: numbers, the report, and the diagnosis of each planted bug."""
import numpy as np
import pytest

from companion import network
from companion.activations import ACTIVATIONS
from companion.data import one_hot
from companion.gradcheck import (
    THRESHOLD,
    check_backward,
    check_gradients,
    diagnose,
    numerical_gradient,
    relative_error,
)
from companion.network import _forward

SEED000 = ([4, 5, 3, 1], ["relu", "relu", "sigmoid"], "binary_cross_entropy")


def setup_network(sizes, acts, loss, seed=1, m=6):
    rng = np.random.default_rng(seed)
    P = network.init_parameters(sizes, seed=seed + 2)
    for k in P:
        if k.startswith("b"):
            P[k] = rng.normal(size=P[k].shape) * 0.1
    X = rng.normal(size=(sizes[0], m))
    if loss == "cross_entropy":
        Y = one_hot(rng.integers(0, sizes[-1], m), sizes[-1])
    else:
        Y = (rng.random((sizes[-1], m)) > 0.5).astype(float)
    return P, X, Y


def planted(bug, acts, loss):
    """A hand-written backward pass for the seed networks with one bug planted."""

    def grad_fn(params, X, Y):
        AL, caches = _forward(X, params, acts)
        m, L = X.shape[1], len(acts)
        grads = {}
        dZ = AL - Y
        if bug == "sigma_prime_on_top":
            dZ = dZ * ACTIVATIONS[acts[-1]].derivative(caches[-1].activation_cache[0])
        for l in range(L, 0, -1):
            A_prev, W, b = caches[l - 1].linear_cache
            dW = dZ @ A_prev.T / m
            db = dZ.sum(axis=1, keepdims=True) / m
            if l == 2 and bug == "missing_T":
                dW = A_prev @ dZ.T / m
            if l == 2 and bug == "missing_1/m":
                dW = dZ @ A_prev.T
            if l == 2 and bug == "1/m_twice":
                dW = dZ @ A_prev.T / m / m
            if l == 1 and bug == "no_keepdims":
                db = dZ.sum(axis=1) / m
            if l == 1 and bug == "sum_all":
                db = np.array([[dZ.sum() / m]])
            if bug == "sign":
                dW, db = -dW, -db
            grads[f"dW{l}"], grads[f"db{l}"] = dW, db
            dA = W.T @ dZ
            if l > 1:
                Z, A = caches[l - 2].activation_cache
                g = ACTIVATIONS[acts[l - 2]]
                if l == 3 and bug == "missing_gprime":
                    dZ = dA
                elif l == 3 and bug == "gprime_at_A":
                    dZ = dA * g.derivative(A)
                elif l == 2 and bug == "relu_of_dA":
                    dZ = g.forward(dA)
                elif l == 3 and bug == "inverted_mask":
                    dZ = dA * (Z <= 0)
                else:
                    dZ = dA * g.derivative(Z)
        return grads

    return grad_fn


@pytest.mark.parametrize("bug, key, code", [
    ("missing_T", "dW2", "transposed"),
    ("missing_1/m", "dW2", "factor_m"),
    ("1/m_twice", "dW2", "factor_1/m"),
    ("no_keepdims", "db1", "keepdims"),
    ("sum_all", "db1", "shape"),
    ("sign", "dW3", "sign"),
    ("missing_gprime", "dW2", "missing_derivative"),
    ("relu_of_dA", "dW1", "activation_of_dA"),
    ("inverted_mask", "dW1", "inverted_mask"),
    ("sigma_prime_on_top", "dW3", "extra_derivative"),
])
def test_each_planted_bug_is_named(bug, key, code):
    P, X, Y = setup_network(*SEED000)
    report = check_backward(planted(bug, *SEED000[1:]), P, X, Y, *SEED000[1:])
    assert not report.passed
    assert report.diagnoses[key] == code, str(report)
    # gradients the bug cannot reach still pass
    if bug in ("missing_T", "missing_1/m", "1/m_twice"):
        assert {k for k, v in report.diagnoses.items() if v} == {"dW2"}


def test_g_prime_at_A_is_named_for_sigmoid_hidden_layer():
    spec = ([4, 5, 3, 1], ["relu", "sigmoid", "sigmoid"], "binary_cross_entropy")
    P, X, Y = setup_network(*spec)
    report = check_backward(planted("gprime_at_A", *spec[1:]), P, X, Y, *spec[1:])
    assert report.diagnoses["dW2"] == "derivative_at_A"


def test_missing_relu_derivative_says_where_z_is_not_positive():
    P, X, Y = setup_network(*SEED000)
    report = check_backward(planted("missing_gprime", *SEED000[1:]), P, X, Y, *SEED000[1:])
    row = report[[r["gradient"] for r in report].index("dW2")]
    assert "wrong only where Z ≤ 0" in row["diagnosis"]


def test_correct_hand_written_backward_passes():
    P, X, Y = setup_network(*SEED000)
    report = check_backward(planted(None, *SEED000[1:]), P, X, Y, *SEED000[1:])
    assert report.passed and all(e < THRESHOLD for e in report.errors.values())


def test_softmax_network_and_sampled_entries():
    spec = ([20, 16, 8, 5], ["relu", "relu", "softmax"], "cross_entropy")
    P, X, Y = setup_network(*spec, m=9)
    full = check_gradients(P, X, Y, *spec[1:])
    sampled = check_gradients(P, X, Y, *spec[1:], max_entries=10, seed=3)
    assert full.passed and sampled.passed
    bad = check_backward(planted("missing_T", *spec[1:]), P, X, Y, *spec[1:], max_entries=10)
    assert bad.diagnoses["dW2"] == "transposed"


def test_report_renders_as_text_and_html():
    P, X, Y = setup_network(*SEED000)
    report = check_backward(planted("missing_1/m", *SEED000[1:]), P, X, Y, *SEED000[1:])
    text, html = str(report), report._repr_html_()
    assert "FAIL" in text and "1/m is missing" in text and "threshold 1e-07" in text
    assert "<table" in html and "FAIL" in html
    ok = check_gradients(P, X, Y, *SEED000[1:])
    assert ok.passed and "< 1e-08" in str(ok) and all(e < 1e-8 for e in ok.errors.values())


def test_missing_gradient_and_bad_return():
    P, X, Y = setup_network(*SEED000)
    report = check_backward(lambda p, x, y: {"dW1": np.zeros((5, 4))}, P, X, Y, *SEED000[1:])
    assert report.diagnoses["db1"] == "missing"
    with pytest.raises(TypeError, match="grad_fn must return a dict"):
        check_backward(lambda p, x, y: None, P, X, Y, *SEED000[1:])


def test_relative_error_and_numerical_gradient():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0]), np.array([-1.0])) == 1.0
    with pytest.raises(ValueError, match="cannot compare arrays of shapes"):
        relative_error(np.ones(2), np.ones(3))
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = numerical_gradient(lambda v: float((v**3).sum()), x)
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-8)
    assert np.array_equal(x, [[1.0, -2.0], [0.5, 3.0]])  # restored
    with pytest.raises(TypeError, match="x must be a float ndarray"):
        numerical_gradient(lambda v: 0.0, [1.0, 2.0])


def test_diagnose_constant_factor():
    c = np.arange(1.0, 7.0).reshape(2, 3)
    assert diagnose("dW1", 2.5 * c, c, m=4)[0] == "factor"
    assert diagnose("dW1", 4 * c, c, m=4)[0] == "factor_m"
    assert diagnose("dW1", c.T, c)[0] == "transposed"
    assert diagnose("dW1", c + np.eye(2, 3), c)[0] == "unknown"
    # a gradient with a single nonzero entry is proportional to anything: no "factor" claim
    one = np.zeros((2, 3))
    one[0, 1] = 1.0
    assert diagnose("dW1", 0.4 * one, one, m=4)[0] == "unknown"
    assert diagnose("db1", np.array([[0.4]]), np.array([[1.0]]), m=4)[0] == "unknown"
    assert diagnose("db1", np.array([[-1.0]]), np.array([[1.0]]), m=4)[0] == "sign"
