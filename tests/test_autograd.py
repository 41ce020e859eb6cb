"""companion.autograd: every operation's backward rule against central differences, and the whole network."""
import numpy as np
import pytest

from companion import data, network
from companion.autograd import Tensor
from companion.gradcheck import numerical_gradient, relative_error

OPS = {
    "add_broadcast": lambda a, b: (a + b).sum(),
    "mul": lambda a, b: (a * a * 3.0).sum(),
    "matmul": lambda a, b: ((a @ b.T) ** 2).sum(),
    "sub_div": lambda a, b: ((a - 2.0) / (b * b + 1.0)).sum(),
    "exp_log": lambda a, b: (a.exp() + 1.0).log().sum(),
    "relu": lambda a, b: (a.relu() * b).sum(),
    "sigmoid": lambda a, b: (a.sigmoid() * b).sum(),
    "tanh": lambda a, b: (a.tanh() * b).sum(),
    "sum_axis": lambda a, b: (a.sum(axis=1) ** 2).sum() + (a.sum(axis=0, keepdims=True) * b.sum(axis=0, keepdims=True)).sum(),
    "mean_T": lambda a, b: (a.T @ b).mean(),
    "log_softmax": lambda a, b: (a.log_softmax() * b).sum(),
    "rsub_radd": lambda a, b: (1.0 - a + 2.0 * b).sum(),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_each_operation_matches_central_differences(name, rng):
    a0, b0 = rng.normal(size=(3, 4)) + 0.1, rng.normal(size=(3, 4))
    if name == "add_broadcast":
        b0 = rng.normal(size=(3, 1))
    a, b = Tensor(a0), Tensor(b0)
    J = OPS[name](a, b)
    J.backward()
    for t, x0, other in [(a, a0, lambda x: OPS[name](Tensor(x), Tensor(b0))), (b, b0, lambda x: OPS[name](Tensor(a0), Tensor(x)))]:
        numeric = numerical_gradient(lambda x: float(other(x).data), x0.copy())
        assert relative_error(t.grad, numeric) < 1e-7 or np.abs(t.grad - numeric).max() < 1e-9, name


def test_reused_node_accumulates_and_backward_twice_is_idempotent():
    x = Tensor(np.array([[2.0]]))
    y = x * x + x  # dy/dx = 2x + 1 = 5
    y.backward()
    assert x.grad.item() == 5.0
    y.backward()
    assert x.grad.item() == 5.0


@pytest.mark.parametrize("acts, loss", [(["relu", "relu", "sigmoid"], "binary_cross_entropy"),
                                        (["tanh", "relu", "softmax"], "cross_entropy")])
def test_network_gradients_equal_hand_derived_backprop(acts, loss, rng):
    n_out = 1 if loss == "binary_cross_entropy" else 3
    sizes = [2, 5, 4, n_out]
    P = network.init_parameters(sizes, seed=3)
    X = rng.normal(size=(2, 20))
    Y = (rng.random((1, 20)) > 0.5).astype(float) if n_out == 1 else data.one_hot(rng.integers(0, 3, 20), 3)
    T = {k: Tensor(v) for k, v in P.items()}
    A = Tensor(X)
    for l, g in enumerate(acts, start=1):
        Z = T[f"W{l}"] @ A + T[f"b{l}"]
        A = Z if g in ("sigmoid", "softmax") and l == len(acts) else getattr(Z, g)()
    m = X.shape[1]
    if loss == "binary_cross_entropy":
        a = A.sigmoid()
        J = -(Tensor(Y) * a.log() + (1.0 - Tensor(Y)) * (1.0 - a).log()).sum() / m
    else:
        J = -(Tensor(Y) * A.log_softmax()).sum() / m
    J.backward()
    AL, caches = network.forward(X, P, acts)
    grads = network.backward(AL, Y, caches, loss)
    assert abs(J.data.item() - network.compute_cost(AL, Y, loss)) < 1e-12
    for k in P:
        assert np.allclose(T[k].grad, grads["d" + k], rtol=1e-10, atol=1e-13), k


def test_backward_needs_a_scalar():
    with pytest.raises(ValueError, match=r"backward\(\) starts from a scalar.*shape \(2, 1\)"):
        Tensor(np.ones((2, 1))).backward()


def test_graph_is_topological():
    a = Tensor(np.ones((2, 2)))
    b = a * 2.0
    c = (b + a).sum()
    order = c.graph()
    position = {id(t): i for i, t in enumerate(order)}
    assert order[-1] is c
    for t in order:
        assert all(position[id(p)] < position[id(t)] for p in t._parents)


@pytest.mark.parametrize("call, match", [
    (lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3))), r"cannot multiply \(2, 3\) @ \(2, 3\).*inner size"),
    (lambda: Tensor(np.ones((4, 5))) + Tensor(np.ones(4)), r"cannot combine shapes \(4, 5\) \+ \(4,\).*column \(n, 1\)"),
    (lambda: Tensor(np.ones((4, 5))) * Tensor(np.ones((5, 4))), r"cannot combine shapes \(4, 5\) \* \(5, 4\)"),
])
def test_bad_shapes_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()
