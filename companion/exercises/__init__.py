"""Exercises that check themselves.

An exercise in a chapter reads::

    answer = None  # your answer here
    exercises.check("07.3", answer)

Run as stored, the cell prints that the exercise is waiting for an answer.
Given an answer, :func:`check` says whether it is right and, for the common
wrong answers, gives a hint ("your dW is the transpose", "off by a factor
m = 5") without showing the solution.  The checks compute what is right
with ``companion``'s own functions, on fresh random inputs where the answer
is a function, so no solution is stored here.  Each folded solution ends
with ``assert exercises.check("07.3", solution)``, so running the book proves
that every check accepts its solution.

Exercises are registered under ``"CC.N"`` (chapter, exercise) with the
decorator :func:`exercise`, one module per part of the book:
:mod:`~companion.exercises.part1` (chapters 1–5),
:mod:`~companion.exercises.part2` (6–10), :mod:`~companion.exercises.part3`
(11–14), :mod:`~companion.exercises.part4` (15–).  The comparisons they use (:func:`compare_arrays`,
:func:`compare_number`, :func:`compare_function`) live in
:mod:`companion.exercises._framework`.
"""
from ._framework import (  # noqa: F401
    EXERCISES,
    Exercise,
    Verdict,
    check,
    compare_arrays,
    compare_function,
    compare_number,
    exercise,
)
from . import part1, part2, part3, part4  # noqa: E402,F401  (they fill EXERCISES)
