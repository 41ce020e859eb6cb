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
    ("sum_all", "db1", "sum_all"),
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
    # the text form wraps long diagnoses and notes (a printed report stays about 90 characters wide)
    # and loses no word of them
    two = check_backward(planted("inverted_mask", *SEED000[1:]), P, X, Y, *SEED000[1:])
    text = str(two)
    assert max(map(len, text.splitlines())) <= 92 < max(map(len, [*two.texts.values(), *two.notes]))
    words = " ".join(text.split())
    assert all(" ".join(t.split()) in words for t in two.texts.values()) and all(
        " ".join(n.split()) in words for n in two.notes)


def test_missing_gradient_and_bad_return():
    P, X, Y = setup_network(*SEED000)
    report = check_backward(lambda p, x, y: {"dW1": np.zeros((5, 4))}, P, X, Y, *SEED000[1:])
    assert report.diagnoses["db1"] == "missing"
    # a function that trains in place and returns nothing gets a diagnosis, not an exception
    none = check_backward(lambda p, x, y: None, P, X, Y, *SEED000[1:])
    assert not none.passed and set(none.diagnoses.values()) == {"no_gradients"}
    assert "returned None" in str(none) and "returns nothing" in str(none)


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


def test_numerical_gradient_restores_x_when_f_raises_and_refuses_float32():
    x = np.array([1.0, 2.0, 3.0])

    def f(v):
        if v[1] != 2.0:
            raise RuntimeError("boom")
        return float(v.sum())

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    assert np.array_equal(x, [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="x is float32.*astype"):
        numerical_gradient(lambda v: float(v.sum()), np.ones(3, dtype=np.float32))
    g32 = numerical_gradient(lambda v: float((v**2).sum()), np.ones(3, dtype=np.float32), allow_float32=True)
    assert g32.shape == (3,)


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
    assert diagnose("dW1", np.zeros((2, 3)), c, m=4)[0] == "zeros"
    assert diagnose("dW1", -4 * c, c, m=4)[0] == "sign_factor_m"
    assert diagnose("dW1", c, c, m=4)[0] is None


# --- the new report: kinks, second estimates, naming across rows, course-style code ---------
def test_z_exactly_on_a_relu_kink_is_not_a_fail():
    """Chapter 08's construction: one z of layer 1 made exactly 0; correct code passes."""
    P, X, Y = setup_network(*SEED000)
    Z1 = P["W1"] @ X + P["b1"]
    P["b1"][0, 0] -= Z1[0, 0]
    AL, caches = _forward(X, P, SEED000[1])
    assert (caches[0].Z == 0).sum() >= 1
    report = check_gradients(P, X, Y, *SEED000[1:])
    assert report.passed and sum(report.kinks.values()) >= 1
    assert report.results["db1"] in ("pass", "inconclusive")
    # the other convention at z = 0 (relu'(0) = 1) passes too; a real bug still fails
    assert check_backward(planted(None, *SEED000[1:]), P, X, Y, *SEED000[1:]).passed
    assert not check_backward(planted("missing_1/m", *SEED000[1:]), P, X, Y, *SEED000[1:]).passed


def test_a_fail_is_confirmed_by_a_second_estimate_not_by_the_package():
    P, X, Y = setup_network(*SEED000)
    import companion._report as engine
    import companion.gradcheck as gc

    calls = []
    real = engine.estimate

    def spy(x, f, idx, eps, scale=1.0, richardson=False):
        calls.append(eps)
        return real(x, f, idx, eps, scale, richardson)

    engine.estimate = spy
    try:
        report = check_backward(planted("missing_1/m", *SEED000[1:]), P, X, Y, *SEED000[1:])
    finally:
        engine.estimate = real
    assert report.results["dW2"] == "FAIL"
    assert 10 * gc.EPSILON in calls  # the failing row was estimated again with another step


def test_factor_verdicts_are_judged_across_all_gradients():
    P, X, Y = setup_network(*SEED000)
    right = planted(None, *SEED000[1:])
    m = X.shape[1]

    def times(c):
        return lambda p, x, y: {k: c * v for k, v in right(p, x, y).items()}

    r = check_backward(times(-m), P, X, Y, *SEED000[1:])
    assert set(r.diagnoses.values()) == {"sign_factor_m"}
    assert "sign flipped and the 1/m missing" in str(r) and "factor -" not in str(r)
    r = check_backward(times(2.5), P, X, Y, *SEED000[1:])
    assert r.diagnoses["db3"] == "factor"  # a (1, 1) bias gets "factor" only because the others share it
    assert "the same in 6 gradients" in r.texts["db3"]

    def db3_only(p, x, y):
        g = right(p, x, y)
        g["db3"] = 2.5 * g["db3"]
        return g

    assert check_backward(db3_only, P, X, Y, *SEED000[1:]).diagnoses["db3"] == "unknown"

    def zero_dW1(p, x, y):
        g = right(p, x, y)
        g["dW1"] = np.zeros_like(g["dW1"])
        return g

    r = check_backward(zero_dW1, P, X, Y, *SEED000[1:])
    assert r.diagnoses["dW1"] == "zeros" and "nothing flowed back here" in r.texts["dW1"]


def test_two_bugs_together_and_where_to_look_first():
    spec = ([3, 4, 4, 1], ["tanh", "tanh", "sigmoid"], "binary_cross_entropy")
    P, X, Y = setup_network(*spec)

    def two_bugs(p, x, y):  # dZ2 = dA2 (g' missing in layer 2) and dZ1 = tanh(dA1) in layer 1
        AL, caches = _forward(x, p, spec[1])
        m, dZ, grads = x.shape[1], AL - y, {}
        for l in (3, 2, 1):
            c = caches[l - 1]
            grads[f"dW{l}"], grads[f"db{l}"] = dZ @ c.A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m
            if l > 1:
                dA = c.W.T @ dZ
                dZ = dA if l == 3 else np.tanh(dA)
        return grads

    r = check_backward(two_bugs, P, X, Y, *spec[1:])
    assert r.diagnoses["dW2"] == "missing_derivative" and r.diagnoses["dW1"] == "combined"
    assert r.bugs["dW1"] == ["missing_derivative", "activation_of_dA"]
    assert r.look_first == "dW2"
    assert any(n.startswith("look first at layer 2") for n in r.notes)


def test_an_exception_in_grad_fn_becomes_a_diagnosis():
    P, X, Y = setup_network(*SEED000)

    def forgot_transpose(p, x, y):
        AL, caches = _forward(x, p, SEED000[1])
        dZ3 = AL - y
        W3 = p["W3"]
        dA2 = W3 @ dZ3
        return {"dW3": dA2}

    r = check_backward(forgot_transpose, P, X, Y, *SEED000[1:])
    assert not r.passed and set(r.diagnoses.values()) == {"exception"}
    e = r.exception
    assert e.type == "ValueError" and e.line == "dA2 = W3 @ dZ3"
    assert e.shapes == {"W3": (1, 3), "dZ3": (1, 6)} and e.fix == "W3.T @ dZ3"
    assert "(3, 1) @ (1, 6) -> (3, 6)" in e.explanation
    assert "likely fix: W3.T @ dZ3" in str(r) and "in your code, line" in str(r)


def _course_functions(bug=None):
    """The deeplearning.ai course's backward functions, as learners write them."""

    def relu_backward(dA, cache):
        dZ = np.array(dA, copy=True)
        dZ[cache <= 0] = 0
        return dZ

    def sigmoid_backward(dA, cache):
        s = 1 / (1 + np.exp(-cache))
        return dA * s * (1 - s)

    def linear_backward(dZ, cache):
        A_prev, W, b = cache
        m = A_prev.shape[1]
        dW = np.dot(dZ, A_prev.T) / m
        db = np.sum(dZ, axis=1, keepdims=True) / (1 if bug == "db_no_m" else m)
        dA_prev = np.dot(W, dZ) if bug == "no_T" else np.dot(W.T, dZ)
        return dA_prev, dW, db

    def L_model_backward(AL, Y, caches):
        grads, L = {}, len(caches)
        dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
        (lin, Z) = caches[L - 1]
        grads[f"dA{L-1}"], grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(sigmoid_backward(dAL, Z), lin)
        for l in reversed(range(L - 1)):
            lin, Z = caches[l]
            dA, dW, db = linear_backward(relu_backward(grads[f"dA{l + 1}"], Z), lin)
            grads[f"dA{l}"], grads[f"dW{l + 1}"], grads[f"db{l + 1}"] = dA, dW, db
        return grads

    return relu_backward, sigmoid_backward, linear_backward, L_model_backward


def test_course_style_functions_without_a_wrapper():
    from companion import network
    from companion.data import make_moons
    from companion.gradcheck import check_activation_backward, check_course_model, check_linear_backward

    X, Y = make_moons(m=20, noise=0.2, seed=0)
    P = network.init_parameters([2, 4, 3, 1], seed=2)
    relu_b, sig_b, lin_b, model_b = _course_functions()
    r = check_course_model(model_b, P, X, Y)
    assert r.passed and r.results["dA0"] == "pass" and len(r) == 9
    assert check_linear_backward(lin_b).passed
    assert check_activation_backward(relu_b, "relu").passed
    assert check_activation_backward(sig_b, "sigmoid").passed
    # the same functions with bugs
    _, _, lin_bad, model_bad = _course_functions("no_T")
    r = check_course_model(model_bad, P, X, Y)
    assert r.exception.fix == "W.T @ dZ" and "np.dot(W, dZ)" in r.exception.line
    assert check_linear_backward(lin_bad).exception.fix == "W.T @ dZ"
    assert check_linear_backward(lin_bad, sizes=(4, 4, 5)).diagnoses["dA_prev"] == "missing_transpose_W"
    _, _, lin_m, model_m = _course_functions("db_no_m")
    assert check_linear_backward(lin_m).diagnoses == {"dA_prev": None, "dW": None, "db": "factor_m"}
    r = check_course_model(model_m, P, X, Y)
    assert {k for k, v in r.results.items() if v == "FAIL"} == {"db1", "db2", "db3"}
    assert check_activation_backward(lambda dA, Z: dA * (Z < 0), "relu").diagnoses["dZ"] == "inverted_mask"
    assert check_activation_backward(lambda dA, Z: 1 / (1 + np.exp(-dA)), "sigmoid").diagnoses["dZ"] == \
        "activation_of_dA"
    with pytest.raises(ValueError, match="activation 'softmax' has no elementwise derivative"):
        check_activation_backward(relu_b, "softmax")


def rows_backward(p, X, Y, forget_transpose_in=None):
    """ReLU-ReLU-sigmoid in row layout: Z = X W + b, one example per row."""
    A, Zs = [X], []
    for l in (1, 2, 3):
        Zs.append(A[-1] @ p[f"W{l}"] + p[f"b{l}"])
        A.append(np.maximum(Zs[-1], 0) if l < 3 else 1 / (1 + np.exp(-Zs[-1])))
    m, dZ, g = X.shape[0], A[3] - Y, {}
    for l in (3, 2, 1):
        g[f"dW{l}"], g[f"db{l}"] = A[l - 1].T @ dZ / m, dZ.sum(axis=0, keepdims=True) / m
        if l > 1:
            W_back = p[f"W{l}"] if l == forget_transpose_in else p[f"W{l}"].T
            dZ = (dZ @ W_back) * (Zs[l - 2] > 0)
    return g


def test_row_layout_transposes_at_the_boundary_and_says_so():
    P, X, Y = setup_network(*SEED000)
    rows = {k: (v.T if k[0] == "W" else v.reshape(1, -1)) for k, v in P.items()}

    r = check_backward(rows_backward, rows, X.T, Y.T, *SEED000[1:], layout="rows")
    assert r.passed and r.layout == "rows" and r[0]["expected shape"] == (4, 5)
    assert any(n.startswith("row layout") for n in r.notes)

    def rows_bug(p, X, Y):
        g = rows_backward(p, X, Y)
        g["dW2"], g["db1"] = g["dW2"].T, g["db1"].ravel()
        return g

    r = check_backward(rows_bug, rows, X.T, Y.T, *SEED000[1:], layout="rows")
    assert r.diagnoses["dW2"] == "transposed" and r.diagnoses["db1"] == "keepdims"
    assert "axis=0" in r.texts["db1"]
    with pytest.raises(ValueError, match="layout must be 'columns'"):
        check_backward(rows_backward, rows, X.T, Y.T, *SEED000[1:], layout="row")


def test_row_layout_names_a_missing_transpose_in_row_notation():
    sizes, acts, loss = [3, 4, 4, 1], ["relu", "relu", "sigmoid"], "binary_cross_entropy"
    P, X, Y = setup_network(sizes, acts, loss)
    rows = {k: (v.T if k[0] == "W" else v.reshape(1, -1)) for k, v in P.items()}
    r = check_backward(lambda p, x, y: rows_backward(p, x, y, forget_transpose_in=2), rows, X.T, Y.T, acts, loss,
                       layout="rows")
    assert r.diagnoses["dW1"] == "missing_transpose_W"
    assert "dA1 = dZ2 W2: it must be dZ2 W2ᵀ" in r.texts["dW1"] and "W2 dZ2" not in r.texts["dW1"]


def test_misnamed_gradient_key():
    P, X, Y = setup_network(*SEED000)
    right = planted(None, *SEED000[1:])

    def lowercase(p, x, y):
        g = right(p, x, y)
        g["dw1"] = g.pop("dW1")
        return g

    r = check_backward(lowercase, P, X, Y, *SEED000[1:])
    assert r.diagnoses["dW1"] == "misnamed" and "'dw1'" in r.texts["dW1"]


def test_verdicts_never_come_from_the_package_gradient(monkeypatch):
    """Break the package's own backward (used only to NAME bugs): correct code still passes, bugs still fail."""
    import companion._problems as pr

    real = pr.simulate
    monkeypatch.setattr(pr, "simulate", lambda *a, **k: {key: 2 * v for key, v in real(*a, **k).items()})
    P, X, Y = setup_network(*SEED000)
    assert check_backward(planted(None, *SEED000[1:]), P, X, Y, *SEED000[1:]).passed
    assert not check_backward(planted("missing_1/m", *SEED000[1:]), P, X, Y, *SEED000[1:]).passed


def test_a_wrong_package_derivative_is_blamed_on_the_formula_not_on_noise():
    """relu' = 0.5 planted in the package: check_gradients FAILs and says the shared formula is wrong."""
    from dataclasses import replace
    from unittest import mock

    from companion import activations

    P, X, Y = setup_network(*SEED000)
    half = replace(activations.ACTIVATIONS["relu"], derivative=lambda Z: 0.5 * (Z > 0))
    with mock.patch.dict(activations.ACTIVATIONS, {"relu": half}):
        r = check_gradients(P, X, Y, *SEED000[1:])
    assert {k for k, v in r.results.items() if v == "FAIL"} == {"dW1", "db1", "dW2", "db2"}
    assert set(r.diagnoses[k] for k in ("dW1", "dW2")) == {"package_disagrees"}
    assert "0.5 × the numerical estimate" in r.texts["dW2"] and "0.25 ×" in r.texts["dW1"]


def test_a_penalty_term_in_the_reference_cost():
    """L2 folded into backward: passes with the penalty in the reference, FAILs without it."""
    P, X, Y = setup_network(*SEED000)
    m, lambd = X.shape[1], 0.7
    right = planted(None, *SEED000[1:])

    def l2_backward(p, x, y):
        g = right(p, x, y)
        return {k: v + (lambd / m * p[k[1:]] if k.startswith("dW") else 0) for k, v in g.items()}

    def l2(p):
        return lambd / (2 * m) * sum(float((p[k] ** 2).sum()) for k in p if k[0] == "W")

    r = check_backward(l2_backward, P, X, Y, *SEED000[1:], penalty=l2)
    assert r.passed and any("penalty" in n for n in r.notes)
    r = check_backward(l2_backward, P, X, Y, *SEED000[1:])
    assert {k for k, v in r.results.items() if v == "FAIL"} == {"dW1", "dW2", "dW3"}
    assert not check_backward(right, P, X, Y, *SEED000[1:], penalty=l2).passed
    with pytest.raises(TypeError, match="penalty must be a function"):
        check_backward(right, P, X, Y, *SEED000[1:], penalty=0.1)


def test_nothing_the_learner_returns_or_raises_escapes():
    P, X, Y = setup_network(*SEED000)
    right = planted(None, *SEED000[1:])
    junk = [None, "abc", 3.0, np.zeros(()), np.zeros((2, 3, 4)), np.full((5, 4), np.nan), [[1.0]],
            {"x": 1}, np.array(["a", "b"]), np.ones((5, 4)) * 1j]
    for value in junk:
        def fn(p, x, y, value=value):
            g = right(p, x, y)
            g["dW1"] = value
            return g

        r = check_backward(fn, P, X, Y, *SEED000[1:])
        assert r.results["dW1"] == "FAIL" and r.results["dW3"] == "pass"
    for exc in (KeyError("W9"), IndexError("i"), ZeroDivisionError(), AssertionError(), RecursionError()):
        def boom(p, x, y, exc=exc):
            raise exc

        r = check_backward(boom, P, X, Y, *SEED000[1:])
        assert r.exception.type == type(exc).__name__ and not r.passed
    for value in ([1, 2], (1,), "grads", 5):
        assert set(check_backward(lambda p, x, y, v=value: v, P, X, Y, *SEED000[1:]).diagnoses.values()) == \
            {"no_gradients"}
    with pytest.raises(TypeError, match="grad_fn must be a function"):
        check_backward({"dW1": 1}, P, X, Y, *SEED000[1:])


def test_l2_from_the_package_and_a_forgotten_l2_gradient_is_named():
    from companion import regularization

    P, X, Y = setup_network(*SEED000)
    m, lambd = X.shape[1], 0.7
    right = planted(None, *SEED000[1:])

    def l2_backward(p, x, y):
        g = right(p, x, y)
        return {k: v + (regularization.l2_gradient(p[k[1:]], lambd, m) if k[:2] == "dW" else 0) for k, v in g.items()}

    assert check_backward(l2_backward, P, X, Y, *SEED000[1:], l2=lambd).passed
    r = check_backward(right, P, X, Y, *SEED000[1:], l2=lambd)
    assert {k: v for k, v in r.diagnoses.items() if v} == {f"dW{l}": "missing_penalty" for l in (1, 2, 3)}
    with pytest.raises(ValueError, match="lambd"):
        check_backward(right, P, X, Y, *SEED000[1:], l2=-1.0)


def _course_model(bug=None):
    """The course's L_model_backward, whose helpers serve every layer: a slip in one repeats in each."""

    def sigmoid_backward(dA, Z):
        s = 1 / (1 + np.exp(-(dA if bug == "sigmoid_at_dA" else Z)))
        return dA * s * (1 - s)

    def relu_backward(dA, Z):
        if bug == "relu_identity":
            return dA
        dZ = np.array(dA, copy=True)
        dZ[(Z > 0) if bug == "relu_inverted" else (Z < 0) if bug == "relu_lt" else (Z <= 0)] = 0
        return dZ

    def linear_backward(dZ, cache):
        A_prev, W, b = cache
        m = A_prev.shape[1]
        dW = np.dot(dZ, A_prev.T) / (1 if bug == "dW_no_m" else m)
        db = np.sum(dZ, axis=1, keepdims=bug != "db_no_keepdims") / m
        dA_prev = np.dot(W.T, dZ) / (m if bug == "dA_over_m" else 1)
        return dA_prev, (dW.T if bug == "dW_T" else dW), db

    def L_model_backward(AL, Y, caches):
        grads, L = {}, len(caches)
        dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
        dAL = -dAL if bug == "dAL_sign" else dAL
        lin, Z = caches[L - 1]
        grads[f"dA{L-1}"], grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(sigmoid_backward(dAL, Z), lin)
        for l in reversed(range(L - 1)):
            lin, Z = caches[l]
            dA, grads[f"dW{l + 1}"], grads[f"db{l + 1}"] = linear_backward(relu_backward(grads[f"dA{l + 1}"], Z), lin)
            grads[f"dA{l}"] = dA
        return None if bug == "returns_none" else grads

    return L_model_backward


@pytest.mark.parametrize("bug, code", [
    (None, None), ("relu_lt", None), ("sigmoid_at_dA", "derivative_at_dA"), ("relu_identity", "missing_derivative"),
    ("relu_inverted", "inverted_mask"), ("dW_no_m", "factor_m"), ("db_no_keepdims", "keepdims"),
    ("dA_over_m", "factor_1/m"), ("dW_T", "transposed"), ("dAL_sign", "sign"), ("returns_none", "no_gradients"),
])
def test_course_style_bugs_in_shared_helpers_are_named(bug, code):
    from companion import network
    from companion.data import make_moons
    from companion.gradcheck import check_course_model

    X, Y = make_moons(m=20, noise=0.2, seed=1)
    P = network.init_parameters([2, 5, 3, 1], seed=4)
    r = check_course_model(_course_model(bug), P, X, Y)
    failing = {r.diagnoses[k] for k, v in r.results.items() if v == "FAIL"}
    assert failing == ({code} if code else set()), str(r)
    if bug == "relu_identity":
        assert "(and the same in layer 1)" in r.texts["dW1"]
    if bug == "dA_over_m":
        assert "m² = 400 times too small" in r.texts["dW1"] and r.look_first == "dA2"
