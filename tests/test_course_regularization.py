"""The course's regularisation assignment, checked as it is: L2 and dropout backward passes, right and wrong.

Learner code in the deeplearning.ai course's style (LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID,
the cache as a tuple); each slip is one row of a table, with the code the checker must name.
"""
import itertools

import numpy as np
import pytest

from companion import gradcheck, network


CALLS = itertools.count(100)


def course_problem(seed=0, m=7):
    rng = np.random.default_rng(seed)
    P = network.init_parameters([4, 5, 3, 1], seed=seed)
    P = {k: v + (0.2 * rng.normal(size=v.shape) if k[0] == "b" else 0) for k, v in P.items()}
    X = rng.normal(size=(4, m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    return P, X, Y


def relu_grad(A):
    return np.int64(A > 0)  # as the course writes it: A > 0 exactly where Z > 0


def l2_backward(slip=None):
    def backward_propagation_with_regularization(X, Y, cache, lambd):
        m = X.shape[1]
        (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
        reg = {"W": lambd / m, "no_m": lambd, "none": 0.0}.get(slip, lambd / m)
        on_b = lambd / m if slip == "bias" else 0.0
        dZ3 = A3 - Y
        dW3 = 1. / m * dZ3 @ A2.T + reg * W3
        db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True) + on_b * b3
        dZ2 = (W3.T @ dZ3) * relu_grad(A2)
        dW2 = 1. / m * dZ2 @ A1.T + reg * W2
        db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True) + on_b * b2
        dZ1 = (W2.T @ dZ2) * relu_grad(A1)
        dW1 = 1. / m * dZ1 @ X.T + reg * W1
        db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True) + on_b * b1
        return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dZ2": dZ2, "dW2": dW2, "db2": db2,
                "dZ1": dZ1, "dW1": dW1, "db1": db1}
    return backward_propagation_with_regularization


def dropout_backward(slip=None):
    def backward_propagation_with_dropout(X, Y, cache, keep_prob):
        m = X.shape[1]
        (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
        dZ3 = A3 - Y
        dW3 = 1. / m * dZ3 @ A2.T
        db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
        dA2 = W3.T @ dZ3
        if slip not in ("no_mask", "nothing", "no_mask_z", "nothing_z"):
            dA2 = dA2 * D2
        if slip not in ("no_scale", "nothing", "nothing_z"):
            dA2 = dA2 / keep_prob
        if slip == "redrawn":
            D2_again = np.random.default_rng(5).random(D2.shape) < keep_prob
            dA2 = (W3.T @ dZ3) * D2_again / keep_prob
        if slip == "per_call":  # a new mask on every call (a generator seeded anew each time)
            again = np.random.default_rng(next(CALLS)).random(D2.shape) < keep_prob
            dA2 = (W3.T @ dZ3) * again / keep_prob
        # relu' from A2 (the course's A2 > 0, which is 0 where D2 dropped a unit) or from Z2
        dZ2 = dA2 * (relu_grad(Z2) if slip in ("no_mask_z", "nothing_z", "per_call") else relu_grad(A2))
        dW2 = 1. / m * dZ2 @ A1.T
        db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
        dA1 = (W2.T @ dZ2) * D1 / keep_prob
        dZ1 = dA1 * relu_grad(A1)
        dW1 = 1. / m * dZ1 @ X.T
        db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
        return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
                "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
    return backward_propagation_with_dropout


L2_CASES = [  # (slip, the rows that FAIL, the code on each)
    (None, set(), None),
    ("no_m", {"dW1", "dW2", "dW3"}, "l2_factor_m"),
    ("none", {"dW1", "dW2", "dW3"}, "missing_penalty"),
    ("bias", {"db1", "db2", "db3"}, "l2_on_bias"),
]

DROPOUT_CASES = [
    (None, set(), None),
    # the course's relu' is A2 > 0, and A2 is already dropped: forgetting D2 is harmless there
    ("no_mask", set(), None),
    ("nothing", {"dW1", "db1", "dW2", "db2"}, "dropout_scale_missing"),
    ("no_mask_z", {"dW1", "db1", "dW2", "db2"}, "dropout_mask_missing"),  # relu' from Z2: D2 missing shows
    ("nothing_z", {"dW1", "db1", "dW2", "db2"}, "dropout_mask_missing"),
    ("no_scale", {"dW1", "db1", "dW2", "db2"}, "dropout_scale_missing"),
    ("redrawn", {"dW1", "db1", "dW2", "db2"}, "mask_redrawn"),
    ("per_call", {"dW1", "db1", "dW2", "db2"}, "random_each_call"),
]


@pytest.mark.parametrize("slip, fails, code", L2_CASES, ids=[str(c[0]) for c in L2_CASES])
def test_course_l2_backward(slip, fails, code):
    P, X, Y = course_problem()
    r = gradcheck.check_course_l2(l2_backward(slip), P, X, Y, lambd=0.7)
    assert {k for k, v in r.results.items() if v == "FAIL"} == fails, str(r)
    assert {r.diagnoses[k] for k in fails} <= {code}
    assert "backward_propagation_with_regularization(X, Y, cache, 0.7)" in r.notes[0]


@pytest.mark.parametrize("slip, fails, code", DROPOUT_CASES, ids=[str(c[0]) for c in DROPOUT_CASES])
@pytest.mark.parametrize("seed", [0, 1])
def test_course_dropout_backward(slip, fails, code, seed):
    P, X, Y = course_problem(seed)
    r = gradcheck.check_course_dropout(dropout_backward(slip), P, X, Y, keep_prob=0.7, seed=seed)
    assert {k for k, v in r.results.items() if v == "FAIL"} == fails, str(r)
    assert {r.diagnoses[k] for k in fails} <= {code}, str(r)


def test_course_checks_refuse_bad_input():
    P, X, Y = course_problem()
    with pytest.raises(ValueError, match="keep_prob must be a probability"):
        gradcheck.check_course_dropout(dropout_backward(), P, X, Y, keep_prob=0)
    with pytest.raises(ValueError, match="lambd"):
        gradcheck.check_course_l2(l2_backward(), P, X, Y, lambd=-1)
    with pytest.raises(ValueError, match="no hidden layer"):
        gradcheck.check_course_dropout(dropout_backward(), {"W1": P["W1"][:1], "b1": P["b1"][:1]}, X, Y, 0.5)
    with pytest.raises(ValueError, match="Y has shape"):
        gradcheck.check_course_l2(l2_backward(), P, X, Y[:, :3], lambd=0.1)


def test_a_gradient_whose_every_entry_sits_on_a_kink_is_inconclusive_and_says_why():
    """Zero biases and dropped units make some z[2] exactly 0: every db2 entry straddles ReLU's kink."""
    P = network.init_parameters([4, 5, 3, 1], seed=2)
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(4, 7)), (rng.random((1, 7)) < 0.5).astype(float)
    r = gradcheck.check_course_dropout(dropout_backward("no_mask_z"), P, X, Y, keep_prob=0.7)
    assert r.results["db2"] == "inconclusive" and r.diagnoses["db2"] == "kink", str(r)
    assert "move the parameters off the kink" in r.texts["db2"]
    assert not r.passed  # the other gradients below the mask still FAIL
