"""Gradient checking: compare a backward pass with central differences, and say what is wrong.

Derived in the chapter *Gradient checking* (``book/08_gradient_checking.ipynb``);
used to debug the seed question in *Where am I wrong?* (``book/10_clinic.ipynb``).

    numerical ∂J/∂θ_k ≈ (J(θ + ε e_k) − J(θ − ε e_k)) / (2ε)          (error O(ε²))
    relative error    = ‖g − n‖ / (‖g‖ + ‖n‖)

The step ε trades truncation error, O(ε²), against rounding error, about
ε_mach·|J|/ε; ε = 1e-5 sits near the optimum ε_mach^(1/3) in float64, where a
correct backward pass gives relative errors around 1e-9 or smaller.  The report
fails a parameter above ``THRESHOLD`` = 1e-7.

When a parameter fails, the report compares your gradient with the correct one
and with what well-known bugs would produce, and names the one that matches:

=====================  ==========================================================
code                   meaning
=====================  ==========================================================
``transposed``         you computed dWᵀ (e.g. ``A_prev @ dZ.T`` for ``dZ @ A_prev.T``)
``keepdims``           db has shape (n,) not (n, 1): ``sum`` without ``keepdims=True``
``shape``              any other wrong shape (e.g. ``sum`` over the wrong axis)
``sign``               the gradient of −J: a flipped sign in dAL or the update
``factor_m``           m times too large: the 1/m is missing
``factor_1/m``         m times too small: the 1/m is applied twice
``factor``             off by another constant factor
``missing_derivative`` dZ[k] = dA[k]: the ⊙ g'(Z[k]) is missing (for ReLU: wrong only where Z ≤ 0)
``derivative_at_A``    g' evaluated at A[k] instead of Z[k]
``activation_of_dA``   dZ[k] = g(dA[k]) instead of dA[k] ⊙ g'(Z[k])
``inverted_mask``      the ReLU mask is inverted: dA ⊙ (Z ≤ 0)
``extra_derivative``   g' applied on top of AL − Y, which already includes it
``numerical_noise``    your gradient equals the package's: the numerical estimate is what is off
                       (a kink of ReLU within ε of a Z, or a gradient tiny next to J)
``missing``            ``grad_fn`` returned no such gradient
``unknown``            no single known bug explains the difference
=====================  ==========================================================
"""
from __future__ import annotations

import numpy as np

from . import activations as _act
from . import losses as _loss
from .display import Table
from ._validate import as_numeric, check_positive_float
from ._core import _backward, _check_parameters, _check_X, _cost, _forward

THRESHOLD = 1e-7
EPSILON = 1e-5
MATCH = 1e-6  # how close your gradient must be to a candidate bug's to name it


def relative_error(a, b):
    """‖a − b‖ / (‖a‖ + ‖b‖), and 0 when both are zero.  Shapes must match."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def numerical_gradient(f, x, eps=EPSILON, indices=None):
    """Central differences (f(x + ε e_k) − f(x − ε e_k)) / 2ε for every entry k of ``x``.

    ``f`` maps an array shaped like ``x`` to a float.  ``indices`` (a list of
    index tuples) limits the work to those entries; the others are NaN.
    ``x`` is perturbed in place and restored.
    """
    eps = check_positive_float("eps", eps)
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x must be a float ndarray (it is perturbed in place), got {type(x).__name__}")
    grad = np.full(x.shape, np.nan) if indices is not None else np.zeros(x.shape)
    for k in (indices if indices is not None else np.ndindex(x.shape)):
        old = x[k]
        x[k] = old + eps
        up = f(x)
        x[k] = old - eps
        down = f(x)
        x[k] = old
        grad[k] = (up - down) / (2 * eps)
    return grad


# --- diagnosis ---------------------------------------------------------------------
def _bug_rules(L, activations):
    """(code, layer, rule) for every single-layer bug _backward can simulate."""

    def at(layer, make):
        return lambda l, dZ, dA, cache: make(dZ, dA, cache) if l == layer else dZ

    rules = []
    for k in range(L, 0, -1):
        act = _act.ACTIVATIONS[activations[k - 1]]
        if act.derivative is not None:
            d = act.derivative
            rules += [
                ("missing_derivative", k, at(k, lambda dZ, dA, c: dA)),
                ("derivative_at_A", k, at(k, lambda dZ, dA, c, d=d: dA * d(c.A))),
                ("activation_of_dA", k, at(k, lambda dZ, dA, c, f=act.forward: f(dA))),
            ]
            if act.name == "relu":
                rules.append(("inverted_mask", k, at(k, lambda dZ, dA, c: dA * (c.Z <= 0))))
            if k == L:
                rules.append(("extra_derivative", k, at(k, lambda dZ, dA, c, d=d: dZ * d(c.Z))))
    return rules


_TEXT = {
    "transposed": "transposed: you have the transpose of {p} (e.g. A_prev @ dZ.T instead of dZ @ A_prev.T)",
    "keepdims": "shape {got} instead of {want}: sum over axis=1 without keepdims=True",
    "shape": "wrong shape {got}, expected {want} (check the axis of a sum and the order of a product)",
    "sign": "sign flipped: this is the gradient of −J",
    "factor_m": "m = {m} times too large: the 1/m is missing",
    "factor_1/m": "m = {m} times too small: the 1/m is applied twice",
    "factor": "off by a constant factor {c:.4g}",
    "missing_derivative": "dZ{k} = dA{k}: the ⊙ g'(Z{k}) of {g} is missing{relu}",
    "derivative_at_A": "g' of {g} evaluated at A{k} instead of Z{k}",
    "activation_of_dA": "dZ{k} = {g}(dA{k}) instead of dA{k} ⊙ {g}'(Z{k})",
    "inverted_mask": "ReLU mask inverted in layer {k}: dA ⊙ (Z ≤ 0) instead of dA ⊙ (Z > 0)",
    "extra_derivative": "g' applied on top of A{k} − Y: AL − Y is already dZ{k}",
    "numerical_noise": "equals the package's gradient; the numerical estimate is off (a ReLU kink within ε, or a gradient tiny next to J)",
    "unknown": "no single known bug explains the difference",
}


def _close(a, b):
    return a.shape == b.shape and relative_error(a, b) < MATCH


def diagnose(key, yours, correct, variants=(), m=1, activations=()):
    """Name the bug that turns ``correct`` into ``yours``; returns ``(code, text)``.

    ``variants`` is a list of ``(code, layer, grads)`` from simulated bugs.
    """
    p = key
    if yours.shape != correct.shape:
        if yours.shape == correct.shape[::-1] and _close(yours.T, correct):
            return "transposed", _TEXT["transposed"].format(p=p)
        code = "keepdims" if yours.ndim == 1 and yours.size == correct.size and correct.ndim == 2 else "shape"
        return code, _TEXT[code].format(got=yours.shape, want=correct.shape)
    if _close(yours, correct):
        return "numerical_noise", _TEXT["numerical_noise"]
    if yours.ndim == 2 and yours.shape[0] == yours.shape[1] and yours.shape[0] > 1 and _close(yours, correct.T):
        return "transposed", _TEXT["transposed"].format(p=p)
    for code, layer, grads in variants:
        # a bug explains your gradient only if it changes this gradient and gives yours
        if key in grads and not _close(grads[key], correct) and _close(yours, grads[key]):
            g = activations[layer - 1] if activations else "g"
            relu = " (so it is wrong only where Z ≤ 0)" if g == "relu" and code == "missing_derivative" else ""
            return code, _TEXT[code].format(k=layer, g=g, relu=relu)
    denom = float((correct * correct).sum())
    if denom > 0:
        c = float((yours * correct).sum()) / denom
        if _close(yours, c * correct):
            if abs(c + 1) < 1e-6:
                return "sign", _TEXT["sign"]
            if m > 1 and abs(c / m - 1) < 1e-6:
                return "factor_m", _TEXT["factor_m"].format(m=m)
            if m > 1 and abs(c * m - 1) < 1e-6:
                return "factor_1/m", _TEXT["factor_1/m"].format(m=m)
            if np.count_nonzero(correct) >= 2:  # one nonzero entry is proportional to anything
                return "factor", _TEXT["factor"].format(c=c)
    return "unknown", _TEXT["unknown"]


# --- the report ----------------------------------------------------------------------
SHOWN_BELOW = 1e-8  # smaller relative errors are rounding noise: shown as "< 1e-08"


def format_error(error):
    """One significant digit; rounding noise below ``SHOWN_BELOW`` as a bound, so that
    the printed report is the same on every CPU and BLAS (the exact value is in ``report.errors``)."""
    if error is None:
        return "-"
    return f"< {SHOWN_BELOW:.0e}" if error < SHOWN_BELOW else f"{error:.0e}"


class GradCheckReport(Table):
    """One row per parameter: shape, your shape, relative error, pass/FAIL, diagnosis.

    ``report.passed`` is True when every parameter passed; ``report.errors``
    maps each gradient name to its exact relative error (the table shows errors
    below 1e-8, which are rounding noise, as "< 1e-08") and ``report.diagnoses`` to
    its diagnosis code (``None`` when it passed).
    """

    def __init__(self, rows, threshold):
        self.threshold = threshold
        self.errors = {r["gradient"]: r["error"] for r in rows}
        self.diagnoses = {r["gradient"]: r["code"] for r in rows}
        self.passed = all(r["code"] is None for r in rows)
        verdict = "all gradients pass" if self.passed else "some gradients FAIL"
        super().__init__(
            ["gradient", "expected shape", "your shape", "relative error", "result", "diagnosis"],
            [(r["gradient"], r["want"], r["got"], format_error(r["error"]),
              "pass" if r["code"] is None else "FAIL", r["text"]) for r in rows],
            title=f"Gradient check (threshold {threshold:.0e}): {verdict}",
        )


def _sample_indices(shape, max_entries, rng):
    n = int(np.prod(shape))
    if max_entries is None or n <= max_entries:
        return list(np.ndindex(shape))
    flat = rng.choice(n, size=max_entries, replace=False)
    return [np.unravel_index(i, shape) for i in np.sort(flat)]


def check_backward(grad_fn, parameters, X, Y, activations, loss, eps=EPSILON, threshold=THRESHOLD,
                   max_entries=None, seed=0):
    """Check any backward pass: ``grad_fn(parameters, X, Y) -> {"dW1": …, "db1": …}``.

    The numerical gradient of the package's cost J (forward pass + ``loss``)
    is the reference.  Entries are checked in float64; ``max_entries`` checks a
    random sample of that many entries per parameter (seeded), for big layers.
    """
    _loss.get(loss)
    params = {k: np.array(v, dtype=np.float64) for k, v in
              _check_parameters(parameters, activations, loss).items()}
    L = len(activations)
    eps = check_positive_float("eps", eps)
    X = _check_X(X, params)
    Y = as_numeric("Y", Y, dtype=np.float64)
    _loss.check_labels(loss, Y)
    m = X.shape[1]

    def J(_=None):
        AL, caches = _forward(X, params, activations)
        return _cost(AL, caches, Y, loss)

    yours = grad_fn({k: v.copy() for k, v in params.items()}, X.copy(), Y.copy())
    if not isinstance(yours, dict):
        raise TypeError(f"grad_fn must return a dict of gradients like {{'dW1': …}}, got {type(yours).__name__}")
    AL, caches = _forward(X, params, activations)
    correct = _backward(AL, Y, caches, loss)
    variants = None  # computed on the first failure only
    rng = np.random.default_rng(seed)
    rows = []
    for key in params:
        gkey = "d" + key
        want = params[key].shape
        idx = _sample_indices(want, max_entries, rng)
        numeric = numerical_gradient(J, params[key], eps, indices=idx)
        if gkey not in yours:
            rows.append(dict(gradient=gkey, want=want, got="missing", error=None, code="missing",
                             text=f"grad_fn returned no {gkey!r}"))
            continue
        g = np.asarray(yours[gkey], dtype=np.float64)
        if g.shape == want:
            sel = tuple(np.array(i) for i in zip(*idx))
            error = relative_error(g[sel], numeric[sel])
        else:
            error = None
        code = text = None
        if error is None or error > threshold:
            if variants is None:
                variants = [(c, k, _backward(AL, Y, caches, loss, dZ_rule=rule))
                            for c, k, rule in _bug_rules(L, activations)]
            code, text = diagnose(gkey, g, correct[gkey], variants, m, activations)
        rows.append(dict(gradient=gkey, want=want, got=g.shape, error=error, code=code, text=text or ""))
    return GradCheckReport(rows, threshold)


def check_gradients(parameters, X, Y, activations, loss, **kwargs):
    """Check the package's own :func:`companion.network.backward` (see :func:`check_backward`)."""

    def package_backward(params, X, Y):
        AL, caches = _forward(X, params, activations)
        return _backward(AL, Y, caches, loss)

    return check_backward(package_backward, parameters, X, Y, activations, loss, **kwargs)


__all__ = ["THRESHOLD", "EPSILON", "SHOWN_BELOW", "format_error", "relative_error", "numerical_gradient", "diagnose", "GradCheckReport",
           "check_backward", "check_gradients"]
