"""Batch normalisation: the compact backward formula against central differences and a staged float64 reference."""
import numpy as np
import pytest

from companion import batchnorm as bn
from companion.gradcheck import numerical_gradient


def staged_backward(dY, Z, gamma, eps=bn.EPS):
    """The backward pass node by node (Z → μ → Z − μ → σ² → 1/σ → ẑ → y), as a reference for the compact formula."""
    m = Z.shape[1]
    mu = Z.mean(axis=1, keepdims=True)
    xc = Z - mu
    var = (xc ** 2).mean(axis=1, keepdims=True)
    std = np.sqrt(var + eps)
    Z_hat = xc / std
    dZ_hat = dY * gamma
    d_xc = dZ_hat / std
    d_std = -(dZ_hat * xc).sum(axis=1, keepdims=True) / std ** 2
    d_var = d_std / (2 * std)
    d_xc = d_xc + d_var * 2 * xc / m
    d_mu = -d_xc.sum(axis=1, keepdims=True)
    dZ = d_xc + d_mu / m
    return dZ, (dY * Z_hat).mean(axis=1, keepdims=True), dY.mean(axis=1, keepdims=True)


@pytest.mark.parametrize("n, m", [(1, 2), (3, 5), (4, 32)])
def test_compact_backward_equals_the_staged_reference(rng, n, m):
    Z, dY = rng.normal(size=(n, m)) * 3 + 1, rng.normal(size=(n, m))
    gamma, beta = rng.normal(size=(n, 1)), rng.normal(size=(n, 1))
    _, cache, _, _ = bn.batchnorm_forward(Z, gamma, beta)
    for got, want in zip(bn.batchnorm_backward(dY, cache), staged_backward(dY, Z, gamma)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_backward_matches_central_differences(rng):
    Z, V = rng.normal(size=(3, 6)), rng.normal(size=(3, 6))
    gamma, beta = rng.normal(size=(3, 1)), rng.normal(size=(3, 1))
    m = Z.shape[1]
    J = lambda z, g, b: float((V * bn.batchnorm_forward(z, g, b)[0]).sum() / m)  # dY = V per example
    dZ, dgamma, dbeta = bn.batchnorm_backward(V, bn.batchnorm_forward(Z, gamma, beta)[1])
    np.testing.assert_allclose(dZ / m, numerical_gradient(lambda z: J(z, gamma, beta), Z.copy()), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(dgamma, numerical_gradient(lambda g: J(Z, g, beta), gamma.copy()), rtol=1e-7)
    np.testing.assert_allclose(dbeta, numerical_gradient(lambda b: J(Z, gamma, b), beta.copy()), rtol=1e-7)


def test_forward_normalises_each_unit_over_the_batch(rng):
    Z = rng.normal(size=(4, 100)) * [[1], [10], [0.1], [5]] + [[0], [3], [-2], [50]]
    Y, cache, mu, var = bn.batchnorm_forward(Z, np.ones((4, 1)), np.zeros((4, 1)))
    np.testing.assert_allclose(Y.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(Y.var(axis=1), var[:, 0] / (var[:, 0] + bn.EPS), rtol=1e-12)
    np.testing.assert_allclose(mu[:, 0], Z.mean(axis=1))


def test_the_batch_is_coupled(rng):
    # changing example 0 changes example 1's output: each column's dZ depends on the whole batch
    Z = rng.normal(size=(2, 5))
    Y1 = bn.batchnorm_forward(Z, np.ones((2, 1)), np.zeros((2, 1)))[0]
    Z[:, 0] += 1.0
    Y2 = bn.batchnorm_forward(Z, np.ones((2, 1)), np.zeros((2, 1)))[0]
    assert not np.allclose(Y1[:, 1], Y2[:, 1])


def test_inference_uses_running_statistics_and_takes_one_example():
    Z = np.array([[1.0], [4.0]])
    Y = bn.batchnorm_inference(Z, np.array([[2.0], [1.0]]), np.array([[0.5], [0.0]]),
                               np.array([[0.0], [2.0]]), np.array([[1.0], [4.0]]), eps=0.0 + 1e-12)
    np.testing.assert_allclose(Y, [[2.5], [1.0]], rtol=1e-9)
    np.testing.assert_allclose(bn.update_running(np.array([1.0]), np.array([3.0]), 0.75), [1.5])


@pytest.mark.parametrize("call, match", [
    (lambda: bn.batchnorm_forward(np.ones((2, 1)), np.ones((2, 1)), np.zeros((2, 1))), r"needs m ≥ 2"),
    (lambda: bn.batchnorm_forward(np.ones((2, 3)), np.ones(2), np.zeros((2, 1))), r"gamma"),
    (lambda: bn.batchnorm_forward(np.ones((2, 3)), np.ones((2, 1)), np.zeros((3, 1))), r"beta has shape \(3, 1\); expected \(2, 1\)"),
    (lambda: bn.batchnorm_backward(np.ones((2, 3)), (1, 2, 3)), r"cache must be the BatchNormCache"),
    (lambda: bn.update_running(0.0, 1.0, 1.0), r"momentum must be in \[0, 1\)"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
