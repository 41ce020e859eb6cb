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


@pytest.mark.parametrize("key, wrong, hint", PART1_WRONG, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(PART1_WRONG)])
def test_part1_wrong_answers_get_their_hint(key, wrong, hint, capsys):
    verdict = exercises.check(key, wrong)
    assert verdict.ok is False and hint in verdict.message, verdict.message
