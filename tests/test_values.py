"""Value tests: numbers the package must produce, each computed here by hand or by a plain float64 formula.

Each pins a detail that a mutation of the package survived before these
tests existed: the log floor, Adam's ε beyond step 1, the norm in the
relative error, the epoch loss with a ragged last batch, reshuffling every
epoch, multi-output sigmoid accuracy, MSE's ½, and the ragged minibatch.
"""
import math

import numpy as np
import pytest

from companion import data, gradcheck, losses, network, optim
from companion.mlp import MLP


# --- the log floor: log(0) is replaced by log(smallest normal number) ------------------------------
@pytest.mark.parametrize("dtype, exponent", [(np.float64, 1022), (np.float32, 126)])
def test_log_floor_value(dtype, exponent):
    # the smallest normal number is 2^-1022 (float64) or 2^-126 (float32), so -log of it is exponent * ln 2:
    # 708.396... and 87.336...
    floor = exponent * math.log(2)
    AL = np.array([[0.0, 1.0]], dtype=dtype)  # a certain wrong answer in each column
    Y = np.array([[1.0, 0.0]], dtype=dtype)
    assert losses.binary_cross_entropy(AL, Y) == pytest.approx(floor, rel=1e-6)  # (floor + floor) / m, m = 2
    assert network.compute_cost(AL, Y, "binary_cross_entropy") == pytest.approx(floor, rel=1e-6)
    P = np.array([[0.0], [1.0]], dtype=dtype)  # softmax output certain of the wrong class
    assert losses.cross_entropy(P, np.array([[1.0], [0.0]])) == pytest.approx(floor, rel=1e-6)
    # the gradient divides by the same floor: -y / 2^-exponent
    assert losses.binary_cross_entropy_gradient(AL, Y)[0, 0] == pytest.approx(-(2.0 ** exponent), rel=1e-6)


# --- MSE's ½ ------------------------------------------------------------------------------------------
def test_mse_has_the_half():
    AL = np.array([[1.0, 2.0], [3.0, 4.0]])
    Y = np.zeros((2, 2))
    # J = (1/(2m)) Σ_i ‖a⁽ⁱ⁾ − y⁽ⁱ⁾‖² = (1 + 4 + 9 + 16) / (2 · 2) = 7.5
    assert losses.mean_squared_error(AL, Y) == 7.5
    assert network.compute_cost(AL, Y, "mse") == 7.5
    np.testing.assert_array_equal(losses.mean_squared_error_gradient(AL, Y), AL)  # dAL = a − y, no factor 2


# --- Adam: ε outside the square root, after the bias correction, at every step ------------------------
def adam_by_hand(theta, gradients, lr, b1, b2, eps):
    v = s = 0.0
    for t, g in enumerate(gradients, start=1):
        v = b1 * v + (1 - b1) * g
        s = b2 * s + (1 - b2) * g * g
        v_hat, s_hat = v / (1 - b1 ** t), s / (1 - b2 ** t)
        theta = theta - lr * v_hat / (math.sqrt(s_hat) + eps)
    return theta


def test_adam_epsilon_placement_over_several_steps():
    gradients = [0.3, -1.2, 0.05, 2.0]
    lr, b1, b2, eps = 0.1, 0.8, 0.9, 0.5  # a large ε, so where it sits changes every step
    opt = optim.Adam(lr, beta1=b1, beta2=b2, epsilon=eps)
    P = {"W1": np.array([[1.0]])}
    for t, g in enumerate(gradients, start=1):
        opt.step(P, {"dW1": np.array([[g]])})
        assert P["W1"][0, 0] == pytest.approx(adam_by_hand(1.0, gradients[:t], lr, b1, b2, eps), rel=1e-12), t
    # the placements a slip would produce give other numbers at step 4
    wrong_inside = 1.0
    v = s = 0.0
    for t, g in enumerate(gradients, start=1):
        v, s = b1 * v + (1 - b1) * g, b2 * s + (1 - b2) * g * g
        wrong_inside -= lr * (v / (1 - b1 ** t)) / math.sqrt(s / (1 - b2 ** t) + eps)
    assert abs(P["W1"][0, 0] - wrong_inside) > 1e-3


def test_momentum_three_steps_by_hand():
    opt, P = optim.Momentum(0.5, beta=0.5), {"W1": np.array([[0.0]])}
    for g in (1.0, 2.0, 4.0):
        opt.step(P, {"dW1": np.array([[g]])})
    # v: 0.5, 1.25, 2.625; θ = −0.5 (0.5 + 1.25 + 2.625) = −2.1875
    assert P["W1"][0, 0] == -2.1875


# --- relative error uses norms of the whole vectors ----------------------------------------------------
def test_relative_error_on_vectors_uses_euclidean_norms():
    # ‖a − b‖ = ‖(3, −4)‖ = 5, ‖a‖ + ‖b‖ = 3 + 4 = 7; a max-based version would give 4/7
    assert gradcheck.relative_error([3.0, 0.0], [0.0, 4.0]) == pytest.approx(5 / 7, rel=1e-15)
    # ‖(0, 0, 0, 1)‖ = 1, ‖a‖ = 2, ‖b‖ = √7
    a, b = np.ones((2, 2)), np.array([[1.0, 1.0], [1.0, 2.0]])
    assert gradcheck.relative_error(a, b) == pytest.approx(1 / (2 + math.sqrt(7)), rel=1e-15)
    assert gradcheck.relative_error(np.zeros(3), np.zeros(3)) == 0.0


# --- the training loop ---------------------------------------------------------------------------------
class Recorder:
    """An optimizer that changes nothing and keeps every gradient it is given."""

    def __init__(self):
        self.grads = []

    def step(self, parameters, grads):
        self.grads.append({k: v.copy() for k, v in grads.items()})
        return parameters


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_epoch_loss_weights_the_ragged_batch_by_its_size():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 10))
    Y = (rng.random((1, 10)) > 0.5) * 1.0
    model = MLP([2, 1], ["sigmoid"], "binary_cross_entropy")
    W, b = np.array([[1.5, -2.0]]), np.array([[0.3]])
    model.parameters.update(W1=W.copy(), b1=b.copy())
    rec = Recorder()
    h = model.fit(X, Y, epochs=1, batch_size=4, optimizer=rec, progress=False)  # batches of 4, 4 and 2
    a = sigmoid(W @ X + b)
    J = float(-(Y * np.log(a) + (1 - Y) * np.log(1 - a)).mean())  # every example counts once
    assert len(rec.grads) == 3
    assert h["loss"][0] == pytest.approx(J, rel=1e-12)


def test_one_epoch_of_sgd_by_hand_with_a_ragged_batch():
    """Logistic regression trained by minibatch SGD, written out with plain NumPy.

    The order of the examples is the documented rule: default_rng(seed + epoch).permutation(m).
    """
    rng = np.random.default_rng(7)
    m, B, lr, seed = 11, 4, 0.5, 2
    X, Y = rng.normal(size=(3, m)), (rng.random((1, m)) > 0.5) * 1.0
    model = MLP([3, 1], ["sigmoid"], "binary_cross_entropy", seed=1)
    W, b = model.parameters["W1"].copy(), model.parameters["b1"].copy()
    h = model.fit(X, Y, epochs=2, batch_size=B, learning_rate=lr, seed=seed, progress=False)
    for epoch in range(2):
        order = np.random.default_rng(seed + epoch).permutation(m)
        total = 0.0
        for start in range(0, m, B):
            idx = order[start:start + B]
            x, y = X[:, idx], Y[:, idx]
            a = sigmoid(W @ x + b)
            total += float(-(y * np.log(a) + (1 - y) * np.log(1 - a)).sum())  # cost before this step
            W = W - lr * (a - y) @ x.T / len(idx)
            b = b - lr * (a - y).sum(axis=1, keepdims=True) / len(idx)
        assert h["loss"][epoch] == pytest.approx(total / m, rel=1e-12), epoch
    np.testing.assert_allclose(model.parameters["W1"], W, rtol=1e-12)
    np.testing.assert_allclose(model.parameters["b1"], b, rtol=1e-12)


def test_every_epoch_is_a_new_shuffle_of_every_example():
    m, epochs = 8, 4
    model = MLP([1, 1], ["linear"], "mse")
    model.parameters.update(W1=np.zeros((1, 1)), b1=np.zeros((1, 1)))
    labels = np.arange(1.0, m + 1).reshape(1, m)  # with W = b = 0, db = −y reveals the example
    rec = Recorder()
    model.fit(np.ones((1, m)), labels, epochs=epochs, batch_size=1, optimizer=rec, progress=False)
    seen = np.array([-g["db1"].item() for g in rec.grads]).reshape(epochs, m)
    for order in seen:
        assert sorted(order.tolist()) == labels[0].tolist()  # each example exactly once per epoch
    assert len({tuple(o) for o in seen}) == epochs  # four different orders
    assert not any((o == labels[0]).all() for o in seen)  # none of them the unshuffled order


def test_multi_output_sigmoid_accuracy_counts_whole_columns():
    model = MLP([2, 2], ["sigmoid"], "binary_cross_entropy")
    model.parameters.update(W1=np.eye(2), b1=np.zeros((2, 1)))  # A = σ(X): unit k is 1 where x_k > 0
    X = np.array([[3.0, 3.0, -3.0, 3.0],
                  [3.0, -3.0, -3.0, -3.0]])
    Y = np.array([[1.0, 1.0, 0.0, 0.0],
                  [1.0, 1.0, 0.0, 1.0]])
    # column 0: both units right; 1: one wrong; 2: both right; 3: both wrong → 2 of 4 columns
    # (per entry it would be 5 of 8)
    assert model.score(X, Y) == 0.5
    h = model.fit(X, Y, epochs=1, batch_size=3, optimizer=Recorder(), progress=False)
    assert h["accuracy"] == [0.5]
    assert model.predict(X).tolist() == [[1, 1, 0, 1], [1, 0, 0, 0]]


def test_softmax_accuracy_by_hand():
    model = MLP([2, 2], ["softmax"], "cross_entropy")
    model.parameters.update(W1=np.eye(2), b1=np.zeros((2, 1)))
    X = np.array([[2.0, 0.0, 1.0], [0.0, 2.0, 3.0]])  # argmax per column: 0, 1, 1
    assert model.score(X, np.array([0, 1, 0])) == pytest.approx(2 / 3)
    assert model.predict(X).tolist() == [0, 1, 1]


# --- minibatches -----------------------------------------------------------------------------------------
def test_minibatches_keep_the_ragged_batch():
    X = np.arange(10.0).reshape(1, 10)
    batches = list(data.minibatches(X, X * 2, batch_size=4, seed=None))
    assert [xb.tolist() for xb, _ in batches] == [[[0, 1, 2, 3]], [[4, 5, 6, 7]], [[8, 9]]]
    assert [yb.tolist() for _, yb in batches][-1] == [[16, 18]]
    shuffled = list(data.minibatches(X, X * 2, batch_size=3, seed=0))
    assert [xb.shape[1] for xb, _ in shuffled] == [3, 3, 3, 1]
    assert sorted(np.concatenate([xb[0] for xb, _ in shuffled]).tolist()) == list(range(10))


def test_minibatches_do_not_copy_the_data_set_up_front():
    X = np.arange(12.0).reshape(2, 6)
    batches = data.minibatches(X, X[:1], batch_size=2, seed=None)
    X[0, 5] = -1.0  # changed after the call: the last batch is gathered only when it is reached
    assert list(batches)[-1][0][0].tolist() == [4.0, -1.0]
