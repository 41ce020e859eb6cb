"""Input checks shared by every public function.

Each check raises a ``TypeError`` or ``ValueError`` whose message names the
argument, says what it got and what was expected.  Public functions call
these once at the top and then work on plain arrays, so the hot training loop
in :class:`companion.network.MLP` validates its data once, not per batch.
"""
from __future__ import annotations

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def resolve_dtype(dtype) -> np.dtype:
    """``np.float64`` or ``np.float32``; anything else is a ``TypeError``."""
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from exc
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"dtype must be float32 or float64, got {dt}")
    return dt


def as_numeric(name: str, x, *, ndim: int | None = 2, dtype=None, finite: bool = True, layout: str = "") -> np.ndarray:
    """Return ``x`` as a float ndarray after checking type, rank and values.

    * non-numeric input (strings, objects, booleans) -> ``TypeError``
    * wrong number of dimensions -> ``ValueError`` naming the expected layout
      (``layout`` overrides the default "one example per column" wording)
    * NaN or inf (when ``finite``) -> ``ValueError`` with the first bad position
    * empty arrays -> ``ValueError``
    """
    if isinstance(x, np.ndarray):
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}") from exc
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(
            f"{name} must be a numeric array (integers or floats), got dtype {arr.dtype}"
        )
    if ndim is not None and arr.ndim != ndim:
        if layout:
            raise ValueError(f"{name} must be {layout}; got {arr.ndim}-D array of shape {arr.shape}")
        layouts = {1: "a 1-D vector", 2: "a 2-D array with one example per column, shape (features, m)"}
        raise ValueError(
            f"{name} must be {layouts.get(ndim, f'{ndim}-D')}; got {arr.ndim}-D array of shape {arr.shape}"
            + (" (reshape a single example to a column with x.reshape(-1, 1))" if ndim == 2 and arr.ndim == 1 else "")
        )
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); expected at least one example")
    target = np.dtype(dtype) if dtype is not None else (arr.dtype if arr.dtype in FLOAT_DTYPES else np.dtype(np.float64))
    if arr.dtype != target:
        arr = arr.astype(target)
    if finite and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} contains NaN or inf (first at index {tuple(int(i) for i in bad)}: {arr[tuple(bad)]}); expected finite numbers"
        )
    return arr


def check_shape(name: str, arr: np.ndarray, expected: tuple, hint: str = "") -> None:
    """``ValueError`` unless ``arr.shape == expected`` (``None`` matches any size)."""
    ok = len(arr.shape) == len(expected) and all(e is None or e == s for s, e in zip(arr.shape, expected))
    if not ok:
        sizes = ["any" if e is None else str(e) for e in expected]
        shown = "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"  # (2, any), not (2, 'any')
        raise ValueError(f"{name} has shape {arr.shape}; expected {shown}" + (f" ({hint})" if hint else ""))


def check_same_shape(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    if a.shape != b.shape:
        hint = ""
        if a.shape == b.shape[::-1]:
            hint = f"; {name_b} looks transposed (examples must be columns)"
        elif b.ndim == 1 and a.ndim == 2 and a.shape[1] == 1 and b.size == a.size:
            hint = f"; {name_b} lost its column shape (sum with keepdims=True, or reshape(-1, 1))"
        raise ValueError(f"{name_b} has shape {b.shape} but {name_a} has shape {a.shape}; they must match{hint}")


def check_probabilities(name: str, a: np.ndarray) -> None:
    if a.min() < 0 or a.max() > 1:
        raise ValueError(
            f"{name} must hold probabilities in [0, 1]; got values from {a.min():.4g} to {a.max():.4g}"
            " (did you pass logits? use the *_from_logits function)"
        )


def check_binary_labels(name: str, y: np.ndarray) -> None:
    if y.min() < 0 or y.max() > 1:
        raise ValueError(f"{name} must hold labels in [0, 1]; got values from {y.min():.4g} to {y.max():.4g}")


def check_one_hot(name: str, y: np.ndarray) -> None:
    """Every column of ``y`` has exactly one 1 and zeros elsewhere."""
    is01 = (y == 0) | (y == 1)
    if not is01.all() or not (y.sum(axis=0) == 1).all():
        cols = np.flatnonzero(~is01.all(axis=0) | (y.sum(axis=0) != 1))
        raise ValueError(
            f"{name} must be one-hot: each column exactly one 1 and zeros elsewhere; column {int(cols[0])} is "
            f"{np.array2string(y[:, cols[0]], precision=3, threshold=12)}"
            " (convert integer labels with companion.data.one_hot)"
        )


def check_choice(name: str, value, valid) -> None:
    if value not in valid:
        raise ValueError(f"unknown {name} {value!r}; valid: {', '.join(repr(v) for v in valid)}")


def check_positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_positive_float(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)
