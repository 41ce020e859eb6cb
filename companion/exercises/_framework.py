"""The machinery of self-checking exercises: verdicts, the registry, comparisons.

See :mod:`companion.exercises` for how a chapter uses it.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Callable

import numpy as np

RTOL = 1e-6


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ``ok`` is True (right), False (not yet) or None (no answer yet).

    ``bool(verdict)`` is True only for a right answer, so a solution can
    ``assert exercises.check(key, answer)``.
    """

    key: str
    ok: bool | None
    message: str

    def __bool__(self):
        return self.ok is True

    def __str__(self):
        mark = {True: "right", False: "not yet", None: "waiting"}[self.ok]
        # wrapped to the page width: the printed verdict is stored in the notebooks
        return textwrap.fill(f"Exercise {self.key}: {mark}: {self.message}", width=79,
                             subsequent_indent="  ", break_on_hyphens=False)

    __repr__ = __str__

    def _ipython_display_(self):
        """Shown once: :func:`check` has printed the verdict already."""


@dataclass(frozen=True)
class Exercise:
    """One registered exercise: ``expects`` says what kind of answer it takes."""

    key: str
    expects: str
    checker: Callable


EXERCISES: dict[str, Exercise] = {}


def exercise(key: str, expects: str):
    """Register ``checker(answer) -> (ok, message)`` as exercise ``key`` ("CC.N")."""

    def register(checker):
        if key in EXERCISES:
            raise ValueError(f"exercise {key!r} is registered twice")
        EXERCISES[key] = Exercise(key, expects, checker)
        return checker

    return register


def check(key, answer=None):
    """Check ``answer`` to exercise ``key``; print and return a :class:`Verdict`.

    ``answer=None`` (the stored state of every exercise cell) prints what the
    exercise expects.  An answer that raises or has the wrong type gets a
    "not yet" with the reason, never an exception.
    """
    if not isinstance(key, str) or key not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        raise ValueError(f"unknown exercise {key!r}; known: {known}")
    ex = EXERCISES[key]
    if answer is None:
        verdict = Verdict(key, None, f"Set `answer` to {ex.expects} and run the cell again.")
    else:
        try:
            ok, message = ex.checker(answer)
        except Exception as exc:  # the learner's answer crashed: say so, do not raise
            ok, message = False, f"your answer raised {type(exc).__name__}: {exc}"
        verdict = Verdict(key, bool(ok), message)
    print(verdict)
    return verdict


# --- comparing answers ---------------------------------------------------------------
def compare_arrays(yours, want, m=None, name="your answer", slips=(), rtol=1e-9):
    """(ok, message) for an array answer against the right one, naming common slips.

    Recognised: a transpose, a lost column shape (keepdims), a flipped sign,
    a factor m or 1/m (when ``m`` is given), any other constant factor.
    ``slips`` lists exercise-specific ``(wrong_array, hint)`` pairs, tried
    first: an answer within ``rtol`` of a wrong array gets that hint.
    """
    want = np.asarray(want, dtype=np.float64)
    try:
        yours = np.asarray(yours, dtype=np.float64)
    except (TypeError, ValueError):
        return False, f"{name} must be an array of numbers, got {type(yours).__name__}"
    if yours.shape == want.shape:
        for wrong, why in slips:
            if np.allclose(yours, wrong, rtol=rtol, atol=1e-12):
                return False, why
    if yours.shape != want.shape:
        if yours.shape == want.shape[::-1] and np.allclose(yours.T, want, rtol=RTOL, atol=0):
            return False, f"{name} is the transpose of the right array (shape {yours.shape}, expected {want.shape})"
        if yours.size == want.size and yours.ndim < want.ndim:
            return False, f"{name} lost its column shape: {yours.shape} instead of {want.shape} (keepdims=True?)"
        return False, f"{name} has shape {yours.shape}; expected {want.shape}"
    if np.allclose(yours, want, rtol=RTOL, atol=1e-12 * max(1.0, np.abs(want).max())):
        return True, "it matches."
    flat_w, flat_y = want.ravel(), yours.ravel()
    if flat_w @ flat_w > 0:
        c = float(flat_y @ flat_w / (flat_w @ flat_w))
        if np.allclose(yours, c * want, rtol=RTOL, atol=0) and np.count_nonzero(want) >= 2:
            if np.isclose(c, -1):
                return False, "the sign is flipped."
            if m is not None and m > 1 and np.isclose(c, m):
                return False, f"{m} = m times too large: the 1/m is missing."
            if m is not None and m > 1 and np.isclose(c, 1 / m):
                return False, f"m = {m} times too small: the 1/m is applied twice."
            return False, f"off by a constant factor {c:.4g}."
    return False, "the values differ from the right ones (no transpose, sign or constant factor explains it)."


def two_numbers(answer, what):
    """``(yours, None)`` with ``yours`` the answer as two floats, or ``(None, message)``; ``what`` names them."""
    try:
        yours = [float(v) for v in answer]
    except (TypeError, ValueError):
        return None, f"give two numbers, {what}; got {answer!r}"
    if len(yours) != 2:
        return None, f"give two numbers, {what}; got {len(yours)}"
    return yours, None


def compare_number(yours, want, rtol=1e-3, name="your answer", hints=()):
    """(ok, message) for a number; ``hints`` maps tempting wrong values to what they mean."""
    try:
        value = float(yours)
    except (TypeError, ValueError):
        return False, f"{name} must be a number, got {type(yours).__name__}"
    if np.isclose(value, want, rtol=rtol, atol=0):
        return True, "it matches."
    for wrong, why in hints:
        if np.isclose(value, wrong, rtol=rtol, atol=0):
            return False, why
    return False, f"{name} is {value:.6g}; that is not it."


def compare_function(fn, reference, make_inputs, trials=3, seed=0, m_of=None, name="your function"):
    """(ok, message): call ``fn`` and ``reference`` on fresh inputs and compare the results.

    ``make_inputs(rng)`` returns the positional arguments; ``m_of(args)``,
    if given, returns the batch size m for the factor hints.  Outputs may be
    one array or a tuple of arrays (compared in order).
    """
    if not callable(fn):
        return False, f"{name} must be a function, got {type(fn).__name__}"
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        args = make_inputs(rng)
        want = reference(*[np.array(a, copy=True) for a in args])
        yours = fn(*[np.array(a, copy=True) for a in args])
        want_t = want if isinstance(want, tuple) else (want,)
        yours_t = yours if isinstance(yours, tuple) else (yours,)
        if len(yours_t) != len(want_t):
            return False, f"{name} returned {len(yours_t)} value(s); expected {len(want_t)}"
        for k, (y, w) in enumerate(zip(yours_t, want_t)):
            label = name if len(want_t) == 1 else f"output {k + 1} of {name}"
            ok, message = compare_arrays(y, w, m=m_of(args) if m_of else None, name=label)
            if not ok:
                shapes = ", ".join(str(np.shape(a)) for a in args)
                return False, f"on inputs of shapes {shapes}: {message}"
    return True, f"it agrees with companion on {trials} random inputs."
