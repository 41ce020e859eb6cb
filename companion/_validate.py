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


def as_numeric(name: str, x, *, ndim: int | None = 2, dtype=None, finite: bool = True, layout: str = "",
               one_d_hint: str | None = None) -> np.ndarray:
    """Return ``x`` as a float ndarray after checking type, rank and values.

    * non-numeric input (strings, objects, booleans) -> ``TypeError``
    * wrong number of dimensions -> ``ValueError`` naming the expected layout
      (``layout`` overrides the default "one example per column" wording);
      a 1-D array where 2-D is expected gets ``one_d_hint`` or, by default, the
      fix that fits the argument: ``y.reshape(1, -1)`` (or ``one_hot``) for
      labels and outputs, ``x.reshape(-1, 1)`` for a single input example
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
        layouts = {1: "a 1-D vector", 2: "a 2-D array with one example per column, shape (n, m)"}
        hint = ""
        if ndim == 2 and arr.ndim == 1:
            hint = " (" + (one_d_hint if one_d_hint is not None else _one_d_hint(name)) + ")"
        raise ValueError(
            f"{name} must be {layouts.get(ndim, f'{ndim}-D')}; got {arr.ndim}-D array of shape {arr.shape}" + hint
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


def _one_d_hint(name: str) -> str:
    """How to turn a 1-D ``name`` into the (rows, m) layout, by what the argument holds."""
    base = name.split("[")[0]
    if base in ("Y", "y", "Y_val", "labels"):
        return (f"for m examples with one output each use {name}.reshape(1, -1), giving (1, m); "
                "for integer class labels use companion.data.one_hot")
    if base in ("AL", "ZL"):
        return f"for m examples with one output unit each use {name}.reshape(1, -1), giving (1, m)"
    if base in ("X", "X_val", "A_prev"):
        return (f"one example with n features is {name}.reshape(-1, 1), giving (n, 1); "
                f"m examples of a single feature are {name}.reshape(1, -1), giving (1, m)")
    return (f"one column of n values is {name}.reshape(-1, 1), giving (n, 1); "
            f"one unit's values for m examples are {name}.reshape(1, -1), giving (1, m)")


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


def check_nonnegative_float(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def check_seed(name: str, value, allow_none: bool = False):
    """A seed for ``numpy.random.default_rng``: a non-negative integer (or ``None`` when allowed)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        expected = "a non-negative integer" + (" or None" if allow_none else "")
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return int(value)


def check_positive_float(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def check_step(parameters, grads) -> dict:
    """The one check before an update θ ← θ − (…) dθ, shared by every optimizer and
    :func:`companion.network.update_parameters`.

    ``parameters`` must be a non-empty dict of float arrays (they are updated
    in place); ``grads`` must hold ``"d" + key`` for every parameter key, with
    exactly that parameter's shape and finite values.  Returns the gradients
    as arrays in each parameter's dtype, keyed ``"dW1"``, ``"db1"``, ….
    """
    if not isinstance(parameters, dict) or not parameters:
        raise TypeError("parameters must be a non-empty dict of arrays such as {'W1': ..., 'b1': ...}, "
                        f"got {type(parameters).__name__}" + (" (empty)" if isinstance(parameters, dict) else ""))
    if not isinstance(grads, dict):
        raise TypeError("grads must be a dict of gradients such as {'dW1': ..., 'db1': ...}, "
                        f"got {type(grads).__name__}")
    checked = {}
    for key, value in parameters.items():
        if not isinstance(key, str):
            raise TypeError(f"parameters must be keyed by names such as 'W1', got the key {key!r}")
        if not isinstance(value, np.ndarray) or value.dtype not in FLOAT_DTYPES:
            got = f"a {value.dtype} array" if isinstance(value, np.ndarray) else type(value).__name__
            raise TypeError(f"parameters[{key!r}] must be a float32 or float64 ndarray (it is updated in place), "
                            f"got {got}")
        as_numeric(f"parameters[{key!r}]", value, ndim=None)  # NaN or inf would spread through every update
        gkey = "d" + key
        if gkey not in grads:
            wanted = ", ".join(repr("d" + k) for k in parameters)
            raise ValueError(f"grads has no {gkey!r} for parameters[{key!r}]; "
                             f"expected one gradient per parameter: {wanted}")
        g = as_numeric(f"grads[{gkey!r}]", grads[gkey], ndim=None, dtype=value.dtype)
        check_same_shape(key, value, gkey, g)
        checked[gkey] = g
    return checked
