"""L2 and inverted dropout: values, gradients against central differences, and bad input named."""
import numpy as np
import pytest

from companion import network, regularization as reg
from companion.gradcheck import numerical_gradient


def test_l2_cost_is_lambda_over_2m_times_the_squared_weights():
    P = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([[5.0]]), "W2": np.array([[3.0]]), "b2": np.zeros((1, 1))}
    # (0.5 / (2 · 4)) · (1 + 4 + 9); the biases are not penalised
    assert reg.l2_cost(P, 0.5, 4) == pytest.approx(0.5 / 8 * 14, rel=1e-15)


def test_l2_gradient_matches_central_differences(rng):
    P = network.init_parameters([3, 4, 2], seed=1)
    for key in ("W1", "W2"):
        numeric = numerical_gradient(lambda w: reg.l2_cost({**P, key: w}, 0.7, 5), P[key].copy())
        np.testing.assert_allclose(reg.l2_gradient(P[key], 0.7, 5), numeric, rtol=1e-7, atol=1e-12)


def test_dropout_keeps_the_mean_and_uses_its_mask_backward():
    A = np.full((50, 4000), 2.0)
    A_drop, D = reg.dropout_forward(A, 0.8, np.random.default_rng(0))
    assert set(np.unique(D)) == {0.0, 1.0}
    assert abs(D.mean() - 0.8) < 0.01                       # about 80% of units kept
    assert abs(A_drop.mean() - 2.0) < 0.01                  # inverted dropout: E[A_drop] = A
    np.testing.assert_array_equal(A_drop[D == 0], 0)
    np.testing.assert_allclose(A_drop[D == 1], 2.0 / 0.8)
    dA = reg.dropout_backward(np.ones_like(A), D, 0.8)
    np.testing.assert_array_equal(dA, D / 0.8)


def test_dropout_backward_matches_central_differences_with_a_fixed_mask(rng):
    A, V = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    _, D = reg.dropout_forward(A, 0.6, np.random.default_rng(3))
    m = A.shape[1]
    J = lambda a: float((V * a * D / 0.6).sum() / m)  # the same mask every call
    np.testing.assert_allclose(reg.dropout_backward(V, D, 0.6) / m, numerical_gradient(J, A.copy()), rtol=1e-7)


def test_keep_prob_one_is_the_identity():
    A = np.arange(6.0).reshape(2, 3)
    A_drop, D = reg.dropout_forward(A, 1, np.random.default_rng(0))
    np.testing.assert_array_equal(A_drop, A)
    assert D.all()


@pytest.mark.parametrize("call, match", [
    (lambda: reg.dropout_forward(np.ones((2, 2)), 0, np.random.default_rng(0)), r"keep_prob must be a probability in \(0, 1\], got 0"),
    (lambda: reg.dropout_forward(np.ones((2, 2)), 1.5, np.random.default_rng(0)), r"keep_prob .* got 1.5"),
    (lambda: reg.dropout_forward(np.ones((2, 2)), 0.5, 0), r"rng must be a numpy.random.Generator"),
    (lambda: reg.dropout_backward(np.ones((2, 2)), np.full((2, 2), 0.5), 0.5), r"D must be the 0/1 mask"),
    (lambda: reg.dropout_backward(np.ones((2, 2)), np.ones((2, 3)), 0.5), r"D has shape \(2, 3\) but dA_drop has shape \(2, 2\)"),
    (lambda: reg.l2_cost({"W1": np.ones((1, 1))}, -0.1, 3), r"lambd .* must be a finite number ≥ 0, got -0.1"),
    (lambda: reg.l2_gradient(np.ones((1, 1)), 0.1, 0), r"m must be a positive integer, got 0"),
    (lambda: reg.l2_cost([1, 2], 0.1, 3), r"parameters must be a dict"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
