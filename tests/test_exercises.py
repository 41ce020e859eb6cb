"""Exercises that check themselves: the comparisons name the common slips; every check the book calls exists."""
import json
import re
from pathlib import Path

import numpy as np
import pytest

from companion import exercises
from companion.exercises import compare_arrays, compare_function, compare_number

BOOK = Path(__file__).resolve().parents[1] / "book"
RIGHT = np.arange(1.0, 7.0).reshape(2, 3)


@pytest.mark.parametrize("yours, ok, says", [
    (RIGHT.copy(), True, "matches"),
    (RIGHT.T, False, "transpose"),
    (-RIGHT, False, "sign is flipped"),
    (5 * RIGHT, False, "1/m is missing"),
    (RIGHT / 5, False, "1/m is applied twice"),
    (2 * RIGHT, False, "constant factor 2"),
    (RIGHT + np.eye(2, 3), False, "values differ"),
    (np.ones((3, 3)), False, "shape (3, 3); expected (2, 3)"),
    ("six", False, "array of numbers"),
])
def test_compare_arrays_names_the_slip(yours, ok, says):
    got_ok, message = compare_arrays(yours, RIGHT, m=5)
    assert got_ok is ok and says in message, message


def test_compare_arrays_sees_a_lost_column():
    ok, message = compare_arrays(np.array([1.0, 2.0]), np.array([[1.0], [2.0]]))
    assert not ok and "keepdims" in message


def test_compare_number_with_hints():
    assert compare_number(0.25, 0.25)[0]
    ok, message = compare_number(4.0, 0.25, hints=[(4.0, "that is 1/σ'(0), the other way round")])
    assert not ok and "other way round" in message
    assert "not it" in compare_number(3.0, 0.25)[1]


def test_compare_function_calls_both_on_fresh_inputs():
    make = lambda rng: (rng.normal(size=(3, 4)), rng.normal(size=(4, 5)))
    ref = lambda A, B: A @ B
    assert compare_function(lambda A, B: A @ B, ref, make)[0]
    ok, message = compare_function(lambda A, B: (A @ B).T, ref, make)
    assert not ok and "transpose" in message and "(3, 4), (4, 5)" in message
    ok, message = compare_function(lambda A, B: (A @ B, A), ref, make)
    assert not ok and "returned 2 value(s); expected 1" in message
    assert "must be a function" in compare_function(3, ref, make)[1]


def test_check_waits_then_judges_and_never_raises_on_an_answer(capsys):
    key = "00.1"
    exercises.exercise(key, "a 2 × 3 array")(lambda a: compare_arrays(a, RIGHT))
    try:
        waiting = exercises.check(key)
        assert waiting.ok is None and not waiting and "waiting" in capsys.readouterr().out
        assert exercises.check(key, RIGHT.copy())
        wrong = exercises.check(key, RIGHT.T)
        assert wrong.ok is False and "transpose" in str(wrong)
        boom = exercises.exercise("00.2", "anything")(lambda a: 1 / 0)
        assert exercises.check("00.2", 1).ok is False and "ZeroDivisionError" in capsys.readouterr().out
        assert boom
    finally:
        exercises.EXERCISES.pop(key)
        exercises.EXERCISES.pop("00.2", None)
    with pytest.raises(ValueError, match="unknown exercise '00.1'"):
        exercises.check(key)


def calls_in_book():
    """(chapter, key, in a solution?) for every exercises.check call in a chapter's code."""
    found = []
    for path in sorted(BOOK.glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        in_solution = False
        for cell in cells:
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown":
                in_solution = ":::{dropdown} Solution" in text or (in_solution and not text.lstrip().startswith("**Exercise"))
                continue
            for key in re.findall(r"""exercises\.check\(\s*["'](\d\d\.\d+)["']""", text):
                found.append((path.stem, key, in_solution, text))
    return found


def test_every_registered_exercise_is_posed_and_solved_in_its_chapter():
    calls = calls_in_book()
    keys = {key for _, key, _, _ in calls}
    assert keys <= set(exercises.EXERCISES), f"unknown keys: {keys - set(exercises.EXERCISES)}"
    for key in exercises.EXERCISES:
        mine = [(ch, sol, text) for ch, k, sol, text in calls if k == key]
        assert all(ch.startswith(key[:2]) for ch, _, _ in mine), f"{key} is checked outside chapter {key[:2]}"
        posed = [text for _, sol, text in mine if not sol]
        solved = [text for _, sol, text in mine if sol]
        assert posed and "answer = None" in posed[0], f"{key}: no exercise cell that starts with answer = None"
        assert solved and any(re.search(rf"assert exercises\.check\(\s*[\"']{key}", t) for t in solved), \
            f"{key}: no solution that asserts its check"


# --- Part I (chapters 1-5): common wrong answers get the hint meant for them ------------
def _part1_wrong():
    from companion import activations as act

    cat = {"W3": (5, 7), "b2": (7, 1), "Z4": (1, 64), "dA1": (20, 64), "dW1": (20, 12288), "parameters": 245_973}
    ones_row = lambda A: np.vstack([A, np.ones((1, A.shape[1]))])  # noqa: E731
    return [
        ("01.1", {**cat, "W3": (7, 5)}, "W3 is the wrong way round"),
        ("01.1", {**cat, "W3": (7, 20)}, "shape of W2, one layer off"),
        ("01.1", {**cat, "b2": (1, 7)}, "b[l] is a column"),
        ("01.1", {**cat, "parameters": 245_973 - 33}, "weights only"),
        ("01.2", lambda n1, m: m == n1, "for n1 = 2, m = 1: your function says it fails"),
        ("01.2", lambda n1, m: m in (1, n1), "for n1 = 1, m = 2"),
        ("02.1", ([0, 0, 0], [0, 0, 0], 0.25, 0.56), "b1 does not"),
        ("02.1", ([0, -1, 0.5], [0, -1, 0.5], 2.5, 0.9), "A1 equals Z1"),
        ("02.1", ([0, -1, 0.5], [0, 0, 0.5], 0.5, 0.5), "applies its sigmoid"),
        ("02.2", lambda n0, n1, m: m == n1, "forgets the + b"),
        ("02.2", lambda n0, n1, m: m == n1 and n0 == n1, "NumPy runs it"),
        ("02.3", lambda A, W, b: (np.hstack([b, W]), ones_row(A)), "they must meet"),
        ("02.3", lambda A, W, b: (np.hstack([W, b]), np.hstack([A, np.ones((A.shape[0], 1))])), "add a row"),
        ("03.1", lambda z: 2 * act.sigmoid_derivative(2 * z), "one factor 2 is missing"),
        ("03.1", lambda z: 4 * act.sigmoid_derivative(z), "at the inner function's value"),
        ("03.2", 4.0 ** -10, "shrinks by its inverse"),
        ("03.2", 4.0 ** 9, "not nine"),
        ("03.2", 40.0, "they do not add"),
        ("03.3", act.relu_derivative, "the ReLU's derivative"),
        ("03.3", act.sigmoid_derivative, "one derivative too many"),
        ("04.1", ("sigmoid", "binary_cross_entropy"), "not linear"),
        ("04.1", ("linear", "binary_cross_entropy"), "not squared error"),
        ("04.2", ([5, -1.25], [1.25, -1.25]), "swapped"),
        ("04.2", ([1.25, -1.25], [-5, -1.25]), "the sign is flipped"),
        ("04.2", ([1.25, -1.25], [4, -1.25]), "there the loss is -log(1 - a)"),
        ("04.3", lambda m: m, "the inverse"),
        ("04.3", lambda m: 1 / m**2, "own 1/m"),
        ("04.3", lambda m: 0.125, "it depends on m"),
    ]


PART1_WRONG = _part1_wrong()


# --- Part II (chapters 6-10): common wrong answers get the hint meant for them ----------
# The wrong answers are written here in plain NumPy, not with companion.
def _sig(z):
    return 1 / (1 + np.exp(-z))


def _scalar_net(w1, w2, g1="sigmoid", x=1.5, y=1.0):
    """Chapter 6's network by hand: the local factors of the chain rule."""
    z1 = w1 * x
    a1 = _sig(z1) if g1 == "sigmoid" else max(z1, 0.0)
    g1p = a1 * (1 - a1) if g1 == "sigmoid" else float(z1 > 0)
    z2 = w2 * a1
    a2 = _sig(z2)
    g2p = a2 * (1 - a2)
    return dict(x=x, a1=a1, g1p=g1p, g2p=g2p, e=a2 - y, d2=(a2 - y) * g2p,
                d1=(a2 - y) * g2p * w2 * g1p)


def _listing(acts, m_slip=None, transpose=None, hidden_out=None, extra_sig=False, no_gp=(),
             gp_slip=None):
    """A backward(P, X, Y) for a sigmoid+BCE output and hidden `acts`, with one slip planted."""
    f = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}
    fp = {"relu": lambda z, a: (z > 0) * 1.0, "tanh": lambda z, a: 1 - a ** 2}

    def backward(P, X, Y):
        m, L = X.shape[1], len(acts) + 1
        A, Zs, As = X, [], [X]
        for l in range(1, L + 1):
            Z = P[f"W{l}"] @ A + P[f"b{l}"]
            A = _sig(Z) if l == L else f[acts[l - 1]](Z)
            Zs.append(Z)
            As.append(A)
        dZ = A - Y
        if extra_sig:
            dZ = dZ * A * (1 - A)
        grads = {}
        for l in range(L, 0, -1):
            grads[f"dW{l}"] = dZ @ As[l - 1].T / (1 if l == m_slip else m)
            if l == transpose:
                grads[f"dW{l}"] = grads[f"dW{l}"].T
            grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
            if l > 1:
                dA, Z, A = P[f"W{l}"].T @ dZ, Zs[l - 2], As[l - 1]
                gp = fp[acts[l - 2]](Z, A) if gp_slip is None else gp_slip(Z, A)
                dZ = A - Y if l - 1 == hidden_out else dA if l - 1 in no_gp else dA * gp
        return grads
    return backward


def _count(sizes, m, skip=True, per_example=False, bias=False, swap=False, dW_only=False):
    """Multiply-adds of the matrix products, by hand, with one slip planted."""
    k = 1 if per_example else m
    fwd = sum(a * b for a, b in zip(sizes[1:], sizes[:-1])) * k
    bwd = fwd if dW_only else 2 * fwd - (sizes[0] * sizes[1] * k if skip else 0)
    fwd += sum(sizes[1:]) * m if bias else 0
    return (bwd, fwd) if swap else (fwd, bwd)


def _part2_wrong():
    relu3, tanh2 = ["relu"] * 3, ["tanh"] * 2
    s1 = _scalar_net(-0.5, -1.2, g1="relu")
    s1_sig = _scalar_net(-0.5, -1.2)
    s = _scalar_net(0.8, -1.2)
    return [
        ("06.1", s1["d2"] * -1.2 * 1.5, "leaves g1'(z1) out"),
        ("06.1", s1_sig["d1"] * 1.5, "g1 still the sigmoid"),
        ("06.1", "zero", "must be a number"),
        ("06.2", s["d1"] * s["x"], "that is ∂E/∂w1"),
        ("06.2", s["d1"], "that is δ1 = ∂E/∂z1"),
        ("06.2", s["d2"] * -1.2, "that is ∂E/∂a1"),
        ("06.2", -s["d1"] * 0.8, "the sign is flipped"),
        ("06.2", s["d2"] * -1.2 * 0.8, "g1'(z1) is missing"),
        ("06.2", s["e"] * -1.2 * s["g1p"] * 0.8, "g2'(z2) is missing"),
        ("06.3", 2, "goes down at every step"),
        ("06.3", 200, "Look at w after the first step"),
        ("06.3", 5, "one of the three rates"),
        ("07.1", lambda W, dZ: W @ dZ, "raised ValueError"),
        ("07.1", lambda W, dZ: dZ.T @ W, "transpose"),
        ("07.1", lambda W, dZ: W.T @ dZ / dZ.shape[1], "no 1/m"),
        ("07.1", lambda W, dZ: -W.T @ dZ, "sign is flipped"),
        ("07.3", lambda n, k, m: ((n, k), n == k), "shape of the correct dW"),
        ("07.3", lambda n, k, m: ((k, m), n == k), "keeps the m examples"),
        ("07.3", lambda n, k, m: ((k, n), n == k or 1 in (n, k)), "cannot stretch W"),
        ("07.3", lambda n, k, m: ((k, n), False), "NumPy runs"),
        ("09.1", _listing(relu3, hidden_out=3), "layer 3 is a hidden layer now"),
        ("09.1", _listing(relu3, extra_sig=True), "extra σ'(Z[4])"),
        ("09.1", _listing(relu3, no_gp=(2,)), "dZ[2] leaves relu'(Z[2]) out"),
        ("09.1", _listing(relu3, transpose=2), "dW2: it is the transpose"),
        ("09.1", _listing(relu3, m_slip=3), "dW3: 7 = m times too large"),
        ("09.1", lambda P, X, Y: {"dW4": 0}, "has no db4"),
        ("09.2", _listing(tanh2, gp_slip=lambda Z, A: (Z > 0) * 1.0), "in dZ[1] and dZ[2], g' is still relu'"),
        ("09.2", _listing(tanh2, gp_slip=lambda Z, A: 1 - Z ** 2), "written 1 − Z²"),
        ("09.2", _listing(tanh2, gp_slip=lambda Z, A: A * (1 - A)), "A(1 − A), the sigmoid's"),
        ("09.2", _listing(tanh2, no_gp=(1,)), "in dZ[1], g' is left out"),
        ("09.3", lambda s, m: _count(s, m, skip=False), "counts dA[0]"),
        ("09.3", lambda s, m: _count(s, m, per_example=True), "forward count is per example"),
        ("09.3", lambda s, m: _count(s, m, bias=True), "bias additions"),
        ("09.3", lambda s, m: _count(s, m, swap=True), "swapped"),
        ("09.3", lambda s, m: _count(s, m, dW_only=True), "dW products only"),
    ]


PART2_WRONG = _part2_wrong()


# --- Part III (chapters 11-13): common wrong answers get the hint meant for them -------
def _part3_wrong():
    from companion import optim

    def loop(sign, lr_used=True):
        def gd(theta, gradients, learning_rate):
            for d in gradients:
                theta = theta + sign * (learning_rate if lr_used else 1.0) * d
            return theta
        return gd

    def momentum_default(theta, gradients, learning_rate):
        p, opt = {"W1": theta}, optim.Momentum(float(learning_rate))
        for d in gradients:
            opt.step(p, {"dW1": d})
        return p["W1"]

    adam_without = 0.1 / np.sqrt(0.001)
    return [
        ("11.1", lambda c: (2 / c, 1 / c), "swapped"),
        ("11.1", lambda c: (0.5 / c, 1 / c), "off by a factor 2"),
        ("11.1", lambda c: (1 / c, 4 / c), "off by a factor 2"),
        ("11.1", lambda c: (1 / c, c / 2), "grows with c"),
        ("11.1", lambda c: (1 / c, 1.5 / c), "still converges"),
        ("11.1", lambda c: (1.5 / c, 2 / c), "already changes sign"),
        ("11.1", lambda c: (0.5 / c, 2 / c), "keeps its sign"),
        ("11.2", (0.995, 0.5525), "swapped"),
        ("11.2", (55.25, 99.5), "not percentages"),
        ("11.2", (0.5525, 0.9), "your He accuracy differs"),
        ("11.3", 117, "counts epochs"),
        ("11.3", 117 * 12, "the last, smaller minibatch"),
        ("11.3", 300, "batch gradient descent's count"),
        ("11.3", 122 * 13, "history['loss']"),
        ("12.3", (109_386, 25_450), "swapped"),
        ("12.3", (25_408, 109_386), "weights only"),
        ("12.3", (25_450 + 784, 109_386), "input pixels biases"),
        ("13.1", loop(+1), "up the gradient"),
        ("13.1", loop(-1, lr_used=False), "learning rate is missing"),
        ("13.1", lambda th, g, lr: th - lr * g[-1], "only the last gradient"),
        ("13.1", momentum_default, "momentum with β = 0.9"),
        ("13.2", (1.0, adam_without), "swapped"),
        ("13.2", (100.0, 1.0), "square root"),
        ("13.2", (1 / adam_without, 1.0), "upside down"),
        ("13.2", (0.1, 1.0), "leave s uncorrected"),
        ("13.2", (adam_without, adam_without), "still the uncorrected step"),
        ("13.3", (1.0, 1000.0), "swapped"),
        ("13.3", (1000.0, 1000.0), "√ŝ grows"),
        ("13.3", (1.0, 1.0), "follows the gradient's scale"),
        ("13.3", (1e6, 1.0), "not quadratic"),
    ]


PART3_WRONG = _part3_wrong()


# --- chapters 8 and 10: common wrong answers get the hint meant for them ---
_D = np.sqrt(2) * 1e-9  # ‖g − n‖ of exercise 8.2
PART2B_WRONG = [
    ("08.2", _D, "absolute difference"),
    ("08.2", _D / (np.sqrt(5) * 1e-9), "divided by ‖g‖ alone"),
    ("08.2", 1 / 3, "not ‖g + n‖"),
    ("08.2", 2 / 10, "not squared"),
    ("08.3", {"db3"}, "a row is missing"),
    ("08.3", {"dW1", "db1", "db2", "db3"}, "the dW rows keep their 1/m"),
    ("08.3", {"b1", "b2", "b3"}, "with a d"),
    ("08.3", "db1", "a set of gradient names"),
    ("10.2", {"dW1", "db1", "db2"}, "does not spread down"),
    ("10.2", set(), "a row fails"),
]


# --- chapter 18 (row convention): common wrong answers get the hint meant for them ---
def _part4_rows_wrong():
    right = {"W2": (128, 64), "b3": (1, 10), "Z1": (32, 128), "dA1": (32, 128), "dW1": (784, 128)}

    def rows_backward(dA=lambda dZ, W: dZ @ W.T, dW=lambda A, dZ, m: A.T @ dZ / m,
                      db=lambda dZ, m: dZ.sum(axis=0, keepdims=True) / m):
        def linear_backward_rows(dZ_r, A_prev_r, W_r):
            m = dZ_r.shape[0]
            return dA(dZ_r, W_r), dW(A_prev_r, dZ_r, m), db(dZ_r, m)
        return linear_backward_rows

    x = np.array([[1.0, 0, 2], [0, 1, -1], [3, 1, 0], [-1, 2, 1]])
    dz = np.array([[1.0, -2], [0.5, 0], [-1, 1], [2, 0.5]])
    return [
        ("18.1", {**right, "W2": (64, 128)}, "column-layout shape"),
        ("18.1", {**right, "dW1": (128, 784)}, "column-layout shape"),
        ("18.1", {**right, "b3": (10,)}, "how PyTorch and Keras store a bias"),
        ("18.1", {**right, "dA1": (32, 784)}, "shape of dA0"),
        ("18.1", {**right, "dW1": (128, 64)}, "dW2's shape"),
        ("18.1", {k: v for k, v in right.items() if k != "Z1"}, "has no Z1"),
        ("18.2", rows_backward(db=lambda dZ, m: dZ.sum(axis=1, keepdims=True) / m), "summed over axis=1"),
        ("18.2", rows_backward(db=lambda dZ, m: dZ.sum(axis=0) / m), "keepdims=True"),
        ("18.2", rows_backward(dW=lambda A, dZ, m: dZ.T @ A / m), "PyTorch's weight"),
        ("18.2", rows_backward(dW=lambda A, dZ, m: A.T @ dZ), "1/m is missing"),
        ("18.2", rows_backward(dA=lambda dZ, W: dZ @ W), "raised ValueError"),
        ("18.2", rows_backward(dA=lambda dZ, W: dZ @ W.T / dZ.shape[0]), "too small"),
        ("18.3", x.T @ dz / 4, "Keras-style kernel"),
        ("18.3", dz.T @ x, "1/m is missing"),
        ("18.3", -dz.T @ x / 4, "sign is flipped"),
        ("18.3", (dz.T @ x / 4).ravel(), "shape"),
    ]


PART4_ROWS_WRONG = _part4_rows_wrong()


# --- chapters 5, 8, 10, 12: the exercises that check themselves since this pass ---
def _more_wrong():
    right_w = lambda W: W[:1] - W[1:]  # noqa: E731
    right_b = lambda b: b[:1] - b[1:]  # noqa: E731
    every = {"dA_prev", "dW", "db"}
    return [
        ("05.1", lambda W, b: (W[1:] - W[:1], right_b(b)), "the sign is flipped"),
        ("05.1", lambda W, b: (W[:1], b[:1]), "w = w_1 alone"),
        ("05.1", lambda W, b: (W[:1] + W[1:], b[:1] + b[1:]), "not added"),
        ("05.1", lambda W, b: (W[0] - W[1], right_b(b)), "a row, (1, n)"),
        ("05.1", lambda W, b: (right_w(W).T, right_b(b)), "transpose"),
        ("05.1", lambda W, b: (right_w(W), b[1:] - b[:1]), "the bias is b_2 − b_1"),
        ("05.1", lambda W, b: (right_w(W), np.zeros((1, 1))), "the bias is missing"),
        ("05.1", lambda W, b: (right_w(W), b[0] - b[1]), "b is (1, 1)"),
        ("05.1", 3, "must be a function"),
        ("05.2", "shrinks", "does not shrink"),
        ("05.2", "stays", "does not stay about the same"),
        ("05.2", "up", "one of the words"),
        ("05.3", False, "Σ_k y_k = 1"),
        ("05.3", "yes", "True or False"),
        ("08.1", (5e-9, 1e-7), "swapped"),
        ("08.1", (1e-5, 3e-11), "where the central difference is best"),
        ("08.1", (1e-5, 3e-7), "at the package's ε"),
        ("08.1", (1e-8, 5e-8), "the sweep goes lower elsewhere"),
        ("08.1", (1.05e-8, 5e-9), "the estimate u^(1/2)"),
        ("08.1", (1e-7, 1e-8), "ε is right"),
        ("08.1", (1e-7,), "give two numbers"),
        ("08.4", ({"dA_prev"}, every), "swapped"),
        ("08.4", ({"dA_prev"}, {"dA_prev"}), "every row FAILs"),
        ("08.4", (set(), {"dA_prev"}), "every row FAILs"),
        ("08.4", (every, every), "they pass"),
        ("08.4", (every, set()), "not from the check"),
        ("08.4", ({"dA"}, {"dA"}), "rows of the report are"),
        ("10.1", ({"dW1", "db1", "dW2", "db2"}, set()), "no exact zero"),
        ("10.1", (set(), {"db2"}), "valid subgradients"),
        ("10.1", (set(), {"dW1", "db1", "db2"}), "valid subgradients"),
        ("10.1", ("db2", set()), "a set of gradient names"),
        ("10.3", (0, 8), "swapped"),     # 8 plain failures, 6 with exact zeros
        ("10.3", (6, 0), "exact zeros in Z2"),
        ("10.3", (4, 0), "the plain check passes"),
        ("10.3", (0, 0), "the plain check does fail"),
        ("10.3", (8, 8), "sees the kinks"),
        ("10.3", (8.5, 0), "two whole numbers"),
        ("12.1", True, "nothing makes the runs agree"),
        ("12.1", "no", "True or False"),
    ]


MORE_WRONG = _more_wrong()


def test_the_readme_counts_the_self_checking_exercises():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    said = re.search(r"\((\d+) exercises today;", readme)
    assert said and int(said[1]) == len(exercises.EXERCISES), "update the count in the README"


# --- every table of wrong answers: each gets the hint meant for it -------------------------
WRONG = [("part1", PART1_WRONG), ("part2", PART2_WRONG), ("part3", PART3_WRONG), ("part2b", PART2B_WRONG),
         ("part4_rows", PART4_ROWS_WRONG), ("more", MORE_WRONG)]
WRONG_CASES = [(f"{table}-{k}-{i}", k, wrong, hint) for table, rows in WRONG
               for i, (k, wrong, hint) in enumerate(rows)]


@pytest.mark.parametrize("case, key, wrong, hint", WRONG_CASES, ids=[c[0] for c in WRONG_CASES])
def test_wrong_answers_get_their_hint(case, key, wrong, hint, capsys):
    verdict = exercises.check(key, wrong)
    assert verdict.ok is False and hint in verdict.message, verdict.message
