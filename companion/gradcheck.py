"""Gradient checking: compare a backward pass with numerical estimates, and say what is wrong.

Derived in the chapter *Gradient checking* (``book/08_gradient_checking.ipynb``);
used to debug the seed questions in *Where am I wrong?* (``book/10_clinic.ipynb``).

    numerical ∂J/∂θ_k ≈ (J(θ + ε e_k) − J(θ − ε e_k)) / (2ε)          (error O(ε²))
    relative error    = ‖g − n‖ / (‖g‖ + ‖n‖)

The step ε trades truncation error, O(ε²), against rounding error, about
ε_mach·|J|/ε; ε = 1e-5 sits near the optimum ε_mach^(1/3) in float64, where a
correct backward pass gives relative errors around 1e-9 or smaller.  A
gradient FAILs above ``THRESHOLD`` = 1e-7.

Three verdicts per gradient (``report.results``):

* **pass**: your gradient matches the numerical estimates;
* **FAIL**: it does not, and a second, independent estimate (step ε/10)
  agrees with the first, so the estimate is not what is off;
* **inconclusive**: no verdict is possible for some entries.  Where the ±ε step
  moves a pre-activation Z across or onto a kink of its activation (z = 0 for
  ReLU; ``Activation.kinks`` in the registry), the central difference measures
  neither slope; such entries are judged against the one-sided estimates on
  each side, and are inconclusive only if your value matches neither (or no
  clean one-sided estimate exists).  If the two step sizes disagree, the
  estimate itself is unreliable: also inconclusive.

``report.passed`` is True when no gradient FAILs.  When a gradient fails, the
report compares yours with what well-known bugs would produce (simulated on the
same network, see :mod:`companion._diagnose`) and names the match:

=======================  ========================================================
code                     meaning
=======================  ========================================================
``transposed``           you computed dWᵀ (e.g. ``A_prev @ dZ.T`` for ``dZ @ A_prev.T``)
``keepdims``             db has shape (n,) not (n, 1): ``sum`` without ``keepdims=True``
``wrong_axis``           db summed over the examples' axis the wrong way (axis=0)
``sum_all``              db summed over every entry: one number
``not_summed``           db = dZ, not summed over the examples
``wrong_operand``        dW = dZ·Xᵀ with the wrong X (e.g. A[l] or dA[l] for A[l-1])
``shape``                any other wrong shape
``sign``                 the gradient of −J: a flipped sign in dAL or the update
``factor_m``             m times too large: the 1/m is missing
``factor_1/m``           m times too small: the 1/m is applied twice
``sign_factor_m``        −m times: sign flipped and 1/m missing (summed log-likelihood)
``sign_factor_1/m``      −1/m times: sign flipped and 1/m applied twice
``factor``               another constant, shared by several gradients (a (1, 1) db alone never gets it)
``zeros``                all zeros: nothing flowed back here
``missing_derivative``   dZ[k] = dA[k]: the ⊙ g'(Z[k]) is missing
``derivative_at_A``      g' evaluated at A[k] instead of Z[k]
``activation_of_dA``     dZ[k] = g(dA[k]) instead of dA[k] ⊙ g'(Z[k])
``inverted_mask``        the ReLU mask is inverted: dA ⊙ (Z ≤ 0)
``extra_derivative``     g' applied on top of AL − Y, which already includes it
``wrong_dAL``            a known wrong dAL formula (seeds 000 and 002)
``missing_transpose_W``  dA[k-1] = W[k] dZ[k] on a square layer (the shapes hide it)
``combined``             two mistakes together (the text names both; ``report.bugs``)
``downstream``           wrong perhaps only because a layer above is (errors flow down)
``missing``              ``grad_fn`` returned no such gradient
``misnamed``             it is there, under another name (e.g. ``'dw1'``)
``no_gradients``         ``grad_fn`` returned None or not a dict
``exception``            ``grad_fn`` raised: ``report.exception`` says where, shapes, fix
``package_disagrees``    yours equals the package's analytic gradient, yet the estimates contradict both
``unknown``              no known bug, or pair of bugs, explains the difference
``kink``                 (inconclusive) a kink within the step; your value matches neither side
``unreliable_estimate``  (inconclusive) the estimates with steps ε and ε/10 disagree
=======================  ========================================================
"""
from __future__ import annotations

from itertools import combinations

import numpy as np

from . import activations as _act
from . import losses as _loss
from ._core import LayerCache, _backward, _check_parameters, _check_X, _cost, _forward
from ._diagnose import MATCH, close, factor_text, factors, name_rows, name_shape, rule_code, rule_text, rules, simulate
from ._estimate import estimate
from ._learner_errors import LearnerError, explain
from ._validate import as_numeric, check_positive_float
from .display import Table

THRESHOLD = 1e-7
EPSILON = 1e-5
SHOWN_BELOW = 1e-8  # smaller relative errors are rounding noise: shown as "< 1e-08"


def relative_error(a, b):
    """‖a − b‖ / (‖a‖ + ‖b‖), and 0 when both are zero.  Shapes must match.

    Chapter *Gradient checking* (``book/08_gradient_checking.ipynb``).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def numerical_gradient(f, x, eps=EPSILON, indices=None, allow_float32=False):
    """Central differences (f(x + ε e_k) − f(x − ε e_k)) / 2ε for every entry k of ``x``.

    ``f`` maps an array shaped like ``x`` to a float; the result has ``x``'s
    shape.  ``indices`` (a list of index tuples) limits the work to those
    entries; the others are NaN.  ``x`` is perturbed in place and restored,
    also when ``f`` raises.  A float32 ``x`` is refused (TypeError): with
    ε = 1e-5 its rounding gives errors around 1e-3, 10⁴ times the threshold
    (chapter *Gradient checking*, ``book/08_gradient_checking.ipynb``); pass
    ``x.astype(np.float64)``, or ``allow_float32=True`` to see that error on purpose.
    """
    eps = check_positive_float("eps", eps)
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x must be a float ndarray (it is perturbed in place), got {type(x).__name__}"
                        + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else ""))
    if x.dtype != np.float64 and not allow_float32:
        raise TypeError(f"x is {x.dtype}: central differences in {x.dtype} with eps={eps:g} give errors far above "
                        "the threshold; pass x.astype(np.float64) (or allow_float32=True to see the error on purpose)")
    grad = np.full(x.shape, np.nan) if indices is not None else np.zeros(x.shape)
    for k in (indices if indices is not None else np.ndindex(x.shape)):
        old = x[k]
        try:
            x[k] = old + eps
            up = f(x)
            x[k] = old - eps
            down = f(x)
        finally:
            x[k] = old
        grad[k] = (up - down) / (2 * eps)
    return grad


def diagnose(key, yours, correct, variants=(), m=1, activations=()):
    """Name the bug that turns ``correct`` into ``yours`` (one array); returns ``(code, text)``.

    ``variants`` is a list of ``(code, layer, grads)`` from simulated bugs.
    Returns ``(None, ...)`` when ``yours`` equals ``correct``.  The report
    names bugs across all gradients together; this is the one-array version.
    """
    yours, correct = np.asarray(yours, dtype=np.float64), np.asarray(correct, dtype=np.float64)
    if yours.shape != correct.shape:
        code, text, _ = name_shape(key, yours, correct, [("transposed", "", correct.T)], m)
        return code, text
    if close(yours, correct):
        return None, "equals the correct gradient"
    if not np.any(yours) and np.any(correct):
        return "zeros", factor_text("zeros", m)
    if yours.ndim == 2 and yours.shape[0] == yours.shape[1] > 1 and close(yours, correct.T):
        return "transposed", f"transposed: you have the transpose of {key} (e.g. A_prev @ dZ.T instead of dZ @ A_prev.T)"
    for code, layer, grads in variants:
        if key in grads and not close(grads[key], correct) and close(yours, grads[key]):
            g = activations[layer - 1] if activations else "g"
            return rule_code(code), rule_text(code, layer, g)
    for fcode, c in factors(m):
        if close(yours, c * correct):
            return fcode, factor_text(fcode, m)
    denom = float((correct * correct).sum())
    if denom > 0 and np.count_nonzero(correct) >= 2:  # one nonzero entry is proportional to anything
        c = float((yours * correct).sum()) / denom
        if close(yours, c * correct):
            return "factor", factor_text("factor", m, c)
    return "unknown", "no known bug explains the difference"


# --- the report ----------------------------------------------------------------------
def format_error(error):
    """One significant digit; rounding noise below ``SHOWN_BELOW`` as a bound, so that
    the printed report is the same on every CPU and BLAS (the exact value is in ``report.errors``)."""
    if error is None:
        return "-"
    return f"< {SHOWN_BELOW:.0e}" if error < SHOWN_BELOW else f"{error:.0e}"


class GradCheckReport(Table):
    """One row per gradient: expected shape, your shape, relative error, result, diagnosis.

    ``result`` is "pass", "FAIL" or "inconclusive".  Attributes:
    ``passed`` (no row FAILs), ``results``, ``errors`` (exact relative error
    over the conclusive entries, or None), ``diagnoses`` (None for a pass, else
    a code from the module docstring), ``texts``, ``bugs`` (the codes a
    "combined" row is made of), ``inconclusive`` and ``kinks`` (entry counts),
    ``look_first`` (where to start fixing), ``exception`` (a ``LearnerError``
    or None), ``notes`` and ``layout``.  ``str(report)`` ends with the notes.
    """

    def __init__(self, rows, threshold, notes=(), look_first=None, exception=None, layout="columns"):
        self.threshold = threshold
        self.errors = {r["gradient"]: r["error"] for r in rows}
        self.results = {r["gradient"]: r["result"] for r in rows}
        self.diagnoses = {r["gradient"]: r["code"] for r in rows}
        self.texts = {r["gradient"]: r["text"] for r in rows}
        self.bugs = {r["gradient"]: r.get("bugs", []) for r in rows}
        self.inconclusive = {r["gradient"]: r.get("n_inconclusive", 0) for r in rows}
        self.kinks = {r["gradient"]: r.get("n_kinks", 0) for r in rows}
        self.passed = all(r["result"] != "FAIL" for r in rows)
        self.look_first = look_first
        self.exception = exception
        self.layout = layout
        self.notes = list(notes)
        n_fail = sum(r["result"] == "FAIL" for r in rows)
        n_inc = sum(self.inconclusive.values())
        if n_fail:
            verdict = "the gradient FAILs" if len(rows) == 1 else f"{n_fail} of {len(rows)} gradients FAIL"
        elif n_inc:
            verdict = "no gradient FAILs"
        else:
            verdict = "the gradient passes" if len(rows) == 1 else f"all {len(rows)} gradients pass"
        if n_inc:
            verdict += f"; {n_inc} {'entry' if n_inc == 1 else 'entries'} inconclusive"
        super().__init__(
            ["gradient", "expected shape", "your shape", "relative error", "result", "diagnosis"],
            [(r["gradient"], r["want"], r["got"], format_error(r["error"]), r["result"], r["text"]) for r in rows],
            title=f"Gradient check (threshold {threshold:.0e}): {verdict}",
        )

    def __str__(self):
        return "\n".join([super().__str__()] + [f"note: {n}" for n in self.notes])

    __repr__ = __str__

    def _repr_html_(self):
        import html

        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return super()._repr_html_() + (f'<ul class="companion-notes">{notes}</ul>' if notes else "")


# --- judging one gradient against the estimates ----------------------------------------
def _judge(g, est, threshold):
    """Per-entry reference values; returns a dict with the row's result and counts."""
    sel = ~np.isnan(est.central)
    gs, c, fl = g[sel], est.central[sel], est.flagged[sel]
    R, Lf, noise = est.right[sel], est.left[sel], est.noise[sel]
    n = max(gs.size, 1)
    row_scale = (np.linalg.norm(gs) + np.linalg.norm(c)) / np.sqrt(n)
    value, conclusive = c.copy(), ~fl

    def tol(i, v):
        return threshold * (abs(gs[i]) + abs(v) + row_scale) + noise[i]

    FR, FL = est.frozen_right[sel], est.frozen_left[sel]
    for i in np.flatnonzero(fl):
        sides = [v for v in (R[i], Lf[i], FR[i], FL[i]) if not np.isnan(v)]
        if len(sides) >= 2 and max(sides) - min(sides) <= tol(i, sides[0]):
            value[i], conclusive[i] = sides[0], True  # the kink does not change J's slope here
            continue
        match = [v for v in sides if abs(gs[i] - v) <= tol(i, v)]
        if match:
            value[i], conclusive[i] = match[0], True
    out = dict(n_kinks=int(fl.sum()), n_inconclusive=int((~conclusive).sum()), error=None, fail=False)
    if conclusive.any():
        a, b = gs[conclusive], value[conclusive]
        out["error"] = relative_error(a, b)
        within_noise = np.linalg.norm(a - b) <= np.linalg.norm(noise[conclusive])
        out["fail"] = out["error"] > threshold and not within_noise
        out["checked"] = np.flatnonzero(sel)[conclusive & ~fl]  # flat indices with a central estimate
    numeric = np.full(g.shape, np.nan)
    numeric[np.unravel_index(np.flatnonzero(sel)[conclusive], g.shape)] = value[conclusive]
    out["numeric"] = numeric  # the reference value of every conclusive entry (NaN elsewhere)
    return out


class _Target:
    """One array the reference cost depends on: ``f()`` -> (J, kinked Z's) at the current ``x``."""

    def __init__(self, x, f, scale=1.0, to_yours=None):
        self.x, self.f, self.scale = x, f, scale
        self.to_yours = to_yours or (lambda a: a)


def _sample(shape, max_entries, rng):
    n = int(np.prod(shape))
    if max_entries is None or n <= max_entries:
        return list(np.ndindex(shape))
    flat = rng.choice(n, size=max_entries, replace=False)
    return [np.unravel_index(i, shape) for i in np.sort(flat)]


_SHAPE_CODES = ("transposed", "keepdims", "wrong_axis", "sum_all", "not_summed", "wrong_operand", "shape", "missing",
                "misnamed")


def _plural(n, one, many):
    return f"{n} {one if n == 1 else many}"


def _layer_of(key):
    digits = "".join(ch for ch in key if ch.isdigit())
    if not digits:
        return 1
    return int(digits) + 1 if key.startswith("dA") else int(digits)


def _run(problem, yours, threshold, eps, max_entries, seed, notes=(), exception=None, fn_name="grad_fn"):
    """Judge every gradient of ``problem`` and name the failures; returns the report."""
    keys, want = problem["keys"], problem["want"]
    notes = list(notes)
    if exception is not None:
        err = explain(exception, fn_name)
        rows = [dict(gradient=k, want=want[k], got="-", error=None, result="FAIL", code="exception",
                     text=f"not computed: {fn_name} raised {err.type} (see the notes)") for k in keys]
        where = f"line {err.lineno}: {err.line}" if err.line else f"line {err.lineno} of {err.filename}"
        notes.append(f"{fn_name} raised {err.type}: {err.message}")
        notes.append(f"in your code, {where}")
        if err.shapes:
            notes.append("shapes: " + ", ".join(f"{k} {v}" for k, v in err.shapes.items()))
        if err.fix:
            notes.append(f"likely fix: {err.fix}")
        return GradCheckReport(rows, threshold, notes, exception=err, layout=problem.get("layout", "columns"))
    if not isinstance(yours, dict):
        got = "None" if yours is None else type(yours).__name__
        hint = (" (a function that updates the parameters in place returns nothing: return the gradients)"
                if yours is None else "")
        expected = problem.get("returns", f"a dict like {{'{keys[0]}': ...}}")
        rows = [dict(gradient=k, want=want[k], got="-", error=None, result="FAIL", code="no_gradients",
                     text=f"{fn_name} returned {got} (see the notes)") for k in keys]
        notes.append(f"{fn_name} returned {got}, not {expected}{hint}")
        return GradCheckReport(rows, threshold, notes, layout=problem.get("layout", "columns"))
    rng = np.random.default_rng(seed)
    correct = problem["correct"]
    rows, arrays, failing, passing, numerics = [], {}, [], [], {}
    for key in keys:
        row = dict(gradient=key, want=want[key], got="-", error=None, result="FAIL", code=None, text="")
        rows.append(row)
        if key not in yours:
            other = [k for k in yours if k not in keys and (k.lower() == key.lower() or (
                np.shape(yours[k]) == want[key] and close(np.asarray(yours[k], dtype=float), correct[key])))]
            if other:
                row.update(code="misnamed", text=f"found under {other[0]!r}: name it {key!r}")
            else:
                row.update(code="missing", text=f"{fn_name} returned no {key!r}")
            continue
        try:
            g = np.asarray(yours[key], dtype=np.float64)
        except (TypeError, ValueError):
            row.update(got=type(yours[key]).__name__, code="shape",
                       text=f"{key} is a {type(yours[key]).__name__}, not an array of shape {want[key]}")
            continue
        row["got"] = g.shape
        arrays[key] = g
        if g.shape != want[key]:
            code, text, bugs = name_shape(key, g, correct[key], problem["candidates"](key), problem["m"])
            row.update(code=code, text=text, bugs=bugs)
            continue
        if not np.isfinite(g).all():
            row.update(code="unknown", text=f"{key} contains NaN or inf")
            continue
        t = problem["targets"][key]
        idx = _sample(t.x.shape, max_entries, rng)
        est = estimate(t.x, t.f, idx, eps, t.scale)
        for name in est.FIELDS:
            setattr(est, name, t.to_yours(getattr(est, name)))
        j = _judge(g, est, threshold)
        row.update(error=j["error"], n_inconclusive=j["n_inconclusive"], n_kinks=j["n_kinks"])
        if j["fail"]:
            # before blaming your gradient, two more estimates with other steps (10ε and ε/10):
            # if yours matches one of them the first was off; if one agrees with the first, it stands
            verdict = None
            for step, rich in ((10 * eps, False), (eps / 10, False), (100 * eps, True)):
                est2 = estimate(t.x, t.f, idx, step, t.scale, richardson=rich)
                for name in est2.FIELDS:
                    setattr(est2, name, t.to_yours(getattr(est2, name)))
                j2 = _judge(g, est2, threshold)
                if not j2["fail"] and j2["error"] is not None:
                    verdict, j = "pass", j2
                    row.update(error=j2["error"], n_inconclusive=j2["n_inconclusive"], n_kinks=j2["n_kinks"])
                    break
                if verdict is None and _agree(est, est2, threshold):
                    verdict = "FAIL"
            if verdict == "FAIL":
                failing.append(key)
                numerics[key] = j["numeric"]
                continue
            if verdict is None:
                row.update(result="inconclusive", code="unreliable_estimate", n_inconclusive=int(g.size),
                           text="the estimates with steps ε, 10ε, ε/10 and a Richardson step 100ε disagree: "
                                "the numerical estimate is unreliable here (rounding in J)")
                continue
        if j["n_inconclusive"]:
            row.update(result="inconclusive", code="kink",
                       text=f"{j['n_inconclusive']} of the entries: the ±ε step crosses a kink and your value "
                            "matches neither one-sided derivative")
            continue
        row.update(result="pass", code=None,
                   text="" if not j["n_kinks"] else _plural(j["n_kinks"], "entry", "entries") + " at a kink judged one-sided")
        passing.append(key)
    # name the failures, all rows together
    if failing:
        named = name_rows(failing, arrays, correct, problem["variants"], problem["m"], problem["layer_of"],
                          problem["activation_of"], passing, numerics)
        for row in rows:
            key = row["gradient"]
            if key in named:
                code, text, bugs = named[key]
                if code in ("unknown", "downstream"):  # a wrong product that happens to have the right shape?
                    found = name_shape(key, arrays[key], correct[key], problem["candidates"](key), problem["m"])
                    if found[0] != "shape":
                        code, text, bugs = found
                row.update(code=code, text=text, bugs=bugs)
    if problem.get("layout") == "rows":  # say it in the learner's layout: examples are rows
        for row in rows:
            row["text"] = (row["text"].replace("axis=1", "axis=0")
                           .replace("A_prev @ dZ.T instead of dZ @ A_prev.T", "dZ.T @ A_prev instead of A_prev.T @ dZ"))
    look_first = None
    bad = [r for r in rows if r["result"] == "FAIL"]
    if bad:
        top = max(problem["layer_of"](r["gradient"]) for r in bad)
        look_first = next(r["gradient"] for r in bad if problem["layer_of"](r["gradient"]) == top)
        below = sorted({problem["layer_of"](r["gradient"]) for r in bad if r["code"] not in _SHAPE_CODES} - {top},
                       reverse=True)
        if len({(r["code"], r["text"]) for r in bad}) == 1 and len(bad) > 1 and bad[0]["code"] not in (
                "unknown", "downstream", "package_disagrees", "exception", "no_gradients"):
            both = "both" if len(bad) == 2 else f"all {len(bad)}"
            notes.append(f"one mistake explains {both} failing gradients: {bad[0]['text']}")
        elif below and problem.get("layered", True):
            notes.append(f"look first at layer {top} ({look_first}): errors flow down, so the failing "
                         f"layer{'s' if len(below) > 1 else ''} below ({', '.join(map(str, below))}) may be "
                         "wrong only because of it")
    n_k = sum(r.get("n_kinks", 0) for r in rows)
    if n_k:
        notes.append(f"{_plural(n_k, 'entry', 'entries')} moved a pre-activation across or onto a kink within ±ε: "
                     "judged with one-sided estimates (and either branch's slope at a z exactly on the kink)")
    return GradCheckReport(rows, threshold, notes, look_first=look_first, layout=problem.get("layout", "columns"))


def _agree(a, b, threshold):
    """Do two sets of estimates agree on the entries both judged by a central difference?"""
    sel = ~np.isnan(a.central) & ~np.isnan(b.central) & ~a.flagged & ~b.flagged
    if not sel.any():
        return False
    x, y = a.central[sel], b.central[sel]
    return relative_error(x, y) <= threshold or np.linalg.norm(x - y) <= np.linalg.norm(a.noise[sel] + b.noise[sel])


# --- what is checked: a network, a course-style network, one linear step, one activation ---
class _Variants:
    """Simulated gradients (in your layout) for planted mistakes, computed once each."""

    def __init__(self, make, singles):
        self.make, self.singles, self._memo = make, list(singles), {}

    def __call__(self, bugs):
        if bugs not in self._memo:
            self._memo[bugs] = self.make(bugs)
        return self._memo[bugs]

    def pairs(self):
        return [(a, b) for a, b in combinations(self.singles, 2) if a[1] != b[1]]


def _branch(act, kappa, side, Z):
    """The linear piece of g on one side of its kink κ: g(κ) + g'(κ ± δ)(z − κ)."""
    at = np.array([kappa + side * 1e-3])
    return act.forward(np.array([kappa]))[0] + act.derivative(at)[0] * (Z - kappa)


def _kinks_of(activation):
    return _act.ACTIVATIONS[activation].kinks


def _network_problem(params, X, Y, activations, loss, to_yours, keys):
    """Targets, correct gradients, simulated mistakes and shape candidates for an L-layer network.

    ``params``, ``X``, ``Y`` are float64 and in the book's layout (examples are columns);
    ``to_yours[key](array)`` maps a gradient to the learner's layout.
    """
    L, m = len(activations), X.shape[1]

    def J_from(layer, A0, freeze=None):
        A, caches, n_kink = A0, [], 0
        for j in range(layer, L + 1):
            W, b, act = params[f"W{j}"], params[f"b{j}"], _act.ACTIVATIONS[activations[j - 1]]
            A_prev, Z = A, W @ A + b
            A = act.forward(Z)
            if freeze is not None:
                for kappa in act.kinks:
                    mask = freeze[1][n_kink]
                    n_kink += 1
                    if mask.any():
                        A = np.where(mask, _branch(act, kappa, freeze[0], Z), A)
            caches.append(LayerCache(A_prev, W, b, Z, A, act.name))
        kinked = [(c.Z, _kinks_of(c.activation)) for c in caches if _kinks_of(c.activation)]
        return _cost(A, caches, Y, loss), kinked, float(np.abs(caches[-1].Z).max())

    AL, caches = _forward(X, params, activations)
    targets = {}
    for key in keys:
        if key.startswith("dA"):
            layer = int(key[2:]) + 1
            A0 = caches[layer - 1].A_prev.copy()
            targets[key] = _Target(A0, lambda fr=None, A0=A0, layer=layer: J_from(layer, A0, fr), scale=m)
        else:
            targets[key] = _Target(params[key[1:]], lambda fr=None: J_from(1, X, fr), to_yours=to_yours[key])

    def mine(grads):
        return {k: to_yours[k](grads[k]) for k in keys}

    full = simulate(AL, Y, caches, loss)
    correct = mine(full)
    dAL = _loss.LOSSES[loss].gradient(AL, Y)

    def candidates(key):
        T, l = to_yours[key], _layer_of(key)
        if key.startswith("dA"):
            return [("transposed", "", correct[key].T)]
        dZ = full[f"dZ{l}"]
        if key.startswith("dW"):
            dA_l = dAL if l == L else full[f"dA{l}"]
            return [("transposed", "", correct[key].T),
                    ("wrong_operand", f"dW{l} = (1/m) dZ{l} A{l}ᵀ: the second factor must be A{l - 1}ᵀ, the layer's input",
                     T(dZ @ caches[l - 1].A.T / m)),
                    ("wrong_operand", f"dW{l} = (1/m) dZ{l} dA{l}ᵀ: the second factor must be A{l - 1}ᵀ, the layer's input",
                     T(dZ @ dA_l.T / m)),
                    ("wrong_operand", f"dW{l} = (1/m) dZ{l} dA{l - 1}ᵀ: the second factor must be A{l - 1}ᵀ",
                     T(dZ @ full[f"dA{l - 1}"].T / m))]
        return [("keepdims", "", correct[key].ravel()),
                ("wrong_axis", "", T(dZ.sum(axis=0, keepdims=True) / m)), ("wrong_axis", "", dZ.sum(axis=0) / m),
                ("sum_all", "", np.float64(dZ.sum() / m)), ("sum_all", "", np.array([[dZ.sum() / m]])),
                ("not_summed", "", T(dZ / m))]

    return dict(
        keys=keys, m=m, targets=targets, correct=correct, candidates=candidates,
        variants=_Variants(lambda bugs: mine(simulate(AL, Y, caches, loss, bugs)), rules(caches, loss)),
        layer_of=_layer_of, activation_of=lambda k: activations[k - 1])


def _name(fn, default):
    """The learner's name for their function (``default`` for a lambda); refuse what cannot be called."""
    if not callable(fn):
        raise TypeError(f"{default} must be a function, got {type(fn).__name__}")
    name = getattr(fn, "__name__", default)
    return default if name == "<lambda>" else name


def _call(fn, *args):
    """``(result, None)`` or ``(None, exception)``: nothing the learner's code raises escapes."""
    try:
        return fn(*args), None
    except Exception as exc:  # noqa: BLE001 - the learner's exception becomes a diagnosis
        return None, exc


def _check_rows_layout(parameters, X, Y):
    """Row layout (X (m, n_0), W[l] (n_{l-1}, n_l), b[l] (1, n_l) or (n_l,)) -> the book's layout."""
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict with keys 'W1', 'b1', …, got {type(parameters).__name__}")
    col, b_shapes = {}, {}
    for k, v in parameters.items():
        if k.startswith("W"):
            col[k] = as_numeric(f"parameters[{k!r}]", v, layout="a 2-D array of shape (n_{l-1}, n_l) in row layout").T
        elif k.startswith("b"):
            b = as_numeric(f"parameters[{k!r}]", v, ndim=None)
            if b.ndim > 2 or (b.ndim == 2 and b.shape[0] != 1):
                raise ValueError(f"parameters[{k!r}] has shape {b.shape}; in row layout a bias is (1, n_l) or (n_l,)")
            b_shapes[k] = b.shape
            col[k] = b.reshape(-1, 1)
    Xr = as_numeric("X", X)
    Yr = as_numeric("Y", Y, ndim=None)
    if Yr.ndim == 1:
        Yr = Yr.reshape(-1, 1)
    if Yr.ndim != 2 or Yr.shape[0] != Xr.shape[0]:
        raise ValueError(f"Y has shape {np.shape(Y)} but X has {Xr.shape[0]} rows; in row layout Y is (m, n_L), "
                         "one example per row")
    return col, Xr.T, Yr.T, b_shapes


def check_backward(grad_fn, parameters, X, Y, activations, loss, eps=EPSILON, threshold=THRESHOLD,
                   max_entries=None, seed=0, layout="columns"):
    """Check any backward pass: ``grad_fn(parameters, X, Y) -> {"dW1": …, "db1": …}``.

    The reference is the package's cost J = (1/m) Σ_i 𝓛(A[L]⁽ⁱ⁾, Y⁽ⁱ⁾) after
    the forward pass Z[l] = W[l] A[l-1] + b[l], A[l] = g[l](Z[l]), and each
    dW[l] (n_l, n_{l-1}) and db[l] (n_l, 1) is compared with numerical
    estimates of ∂J/∂W[l] and ∂J/∂b[l] (chapter *Gradient checking*,
    ``book/08_gradient_checking.ipynb``).  Everything is checked in float64;
    ``max_entries`` checks a random sample of that many entries per parameter
    (seeded by ``seed``), for big layers.  Anything ``grad_fn`` raises becomes
    a diagnosis (``report.exception``).

    ``layout="rows"``: your X is (m, n_0), Y is (m, n_L), W[l] is
    (n_{l-1}, n_l) and b[l] is (1, n_l) or (n_l,), so Z = X W + b; the checker
    transposes at the boundary, shows shapes in your layout and says so in a note.
    """
    if layout not in ("columns", "rows"):
        raise ValueError(f"layout must be 'columns' (X is (n_0, m)) or 'rows' (X is (m, n_0)), got {layout!r}")
    _loss.get(loss)
    eps = check_positive_float("eps", eps)
    threshold = check_positive_float("threshold", threshold)
    notes = []
    if layout == "rows":
        col, Xc, Yc, b_shapes = _check_rows_layout(parameters, X, Y)
        params = {k: np.array(v, dtype=np.float64) for k, v in _check_parameters(col, activations, loss).items()}
        yours_params = {k: (params[k].T if k[0] == "W" else params[k].reshape(b_shapes[k])).copy() for k in params}
        X_yours, Y_yours = np.array(Xc.T, dtype=np.float64), np.array(Yc.T, dtype=np.float64)
        notes.append(f"row layout: your X is (m, n_0) = {X_yours.shape}, W[l] is (n_{{l-1}}, n_l), b[l] is "
                     "(1, n_l) or (n_l,); compared in your layout (the book's columns are your rows)")
        to_yours = {f"d{k}": ((lambda a: a.T) if k[0] == "W" else (lambda a, s=b_shapes[k]: a.reshape(s) if a.size == int(np.prod(s)) else a.T))
                    for k in params}
    else:
        params = {k: np.array(v, dtype=np.float64) for k, v in _check_parameters(parameters, activations, loss).items()}
        Xc, Yc = X, Y
        to_yours = {f"d{k}": (lambda a: a) for k in params}
    Xc = _check_X(Xc, params)
    Yc = as_numeric("Y", Yc, dtype=np.float64)
    _loss.check_labels(loss, Yc)
    if Yc.shape != (params[f"W{len(activations)}"].shape[0], Xc.shape[1]):
        raise ValueError(f"Y has shape {Yc.shape}; expected (n_L, m) = "
                         f"({params[f'W{len(activations)}'].shape[0]}, {Xc.shape[1]})")
    if layout == "columns":
        yours_params, X_yours, Y_yours = {k: v.copy() for k, v in params.items()}, Xc.copy(), Yc.copy()
    keys = [f"d{k}" for k in params]
    problem = _network_problem(params, Xc, Yc, list(activations), loss, to_yours, keys)
    problem["layout"] = layout
    problem["want"] = {k: to_yours[k](params[k[1:]]).shape for k in keys}
    yours, exc = _call(grad_fn, yours_params, X_yours, Y_yours)
    return _run(problem, yours, threshold, eps, max_entries, seed, notes, exc, fn_name=_name(grad_fn, "grad_fn"))


def check_gradients(parameters, X, Y, activations, loss, **kwargs):
    """Check the package's own :func:`companion.network.backward` (see :func:`check_backward`)."""

    def package_backward(params, X, Y):
        AL, caches = _forward(X, params, activations)
        return _backward(AL, Y, caches, loss)

    return check_backward(package_backward, parameters, X, Y, activations, loss, **kwargs)


def check_course_model(L_model_backward, parameters, X, Y, activations=None, loss=None, eps=EPSILON,
                       threshold=THRESHOLD, max_entries=None, seed=0):
    """Check a deeplearning.ai-course ``L_model_backward(AL, Y, caches)`` as it is, no wrapper.

    The course's caches: ``caches[l-1] = ((A_prev, W, b), Z)`` for l = 1..L
    (``linear_cache, activation_cache = cache``, activation_cache = Z); it
    returns ``grads`` with ``"dA{l-1}"``, ``"dW{l}"``, ``"db{l}"``.  Checked:
    dW[l] = ∂J/∂W[l] (n_l, n_{l-1}), db[l] = ∂J/∂b[l] (n_l, 1) and the
    per-example dA[l-1] = m ∂J/∂A[l-1] = W[l]ᵀ dZ[l] (n_{l-1}, m), dA0 included
    (chapters *The whole network*, ``book/09_whole_network.ipynb``, and
    *Gradient checking*).  ``activations`` defaults to the course's
    ``["relu"] * (L-1) + ["sigmoid"]``; ``loss`` to binary cross-entropy
    (cross-entropy after a softmax).
    """
    from ._core import num_layers

    L = num_layers(parameters)
    if activations is None:
        activations = ["relu"] * (L - 1) + ["sigmoid"]
    if loss is None:
        loss = "cross_entropy" if activations[-1] == "softmax" else "binary_cross_entropy"
    _loss.get(loss)
    eps = check_positive_float("eps", eps)
    params = {k: np.array(v, dtype=np.float64) for k, v in _check_parameters(parameters, activations, loss).items()}
    Xc = np.array(_check_X(X, params), dtype=np.float64)
    Yc = as_numeric("Y", Y, dtype=np.float64)
    _loss.check_labels(loss, Yc)
    keys = []
    for l in range(1, L + 1):
        keys += [f"dW{l}", f"db{l}", f"dA{l - 1}"]
    ident = {k: (lambda a: a) for k in keys}
    problem = _network_problem(params, Xc, Yc, list(activations), loss, ident, keys)
    AL, caches = _forward(Xc, params, activations)
    problem["want"] = {k: problem["correct"][k].shape for k in keys}
    course_caches = [((c.A_prev.copy(), c.W.copy(), c.b.copy()), c.Z.copy()) for c in caches]
    yours, exc = _call(L_model_backward, AL.copy(), Yc.copy(), course_caches)
    return _run(problem, yours, threshold, eps, max_entries, seed, [], exc,
                fn_name=_name(L_model_backward, "L_model_backward"))


def check_linear_backward(linear_backward, sizes=(3, 4, 5), seed=0, eps=EPSILON, threshold=THRESHOLD):
    """Check a course-style ``linear_backward(dZ, cache) -> (dA_prev, dW, db)``, cache = (A_prev, W, b).

    ``sizes`` = (n_prev, n, m): A_prev (n_prev, m), W (n, n_prev), b (n, 1),
    dZ (n, m), all random (seeded).  The reference is the scalar
    J = (1/m) Σ dZ ⊙ (W A_prev + b), whose gradients are exactly
    dW = (1/m) dZ A_prevᵀ, db = (1/m) Σ_columns dZ and dA_prev = m ∂J/∂A_prev = Wᵀ dZ
    (chapter *Backprop through one layer*, ``book/07_one_layer.ipynb``).  The
    default sizes all differ, so a missing transpose raises and is explained;
    with n_prev = n (e.g. ``sizes=(4, 4, 5)``) the same slip is silent and named.
    """
    if not (hasattr(sizes, "__len__") and len(sizes) == 3):
        raise ValueError(f"sizes must be (n_prev, n, m), three positive integers, got {sizes!r}")
    from ._validate import check_positive_int

    n_prev, n, m = (check_positive_int(f"sizes[{i}]", s) for i, s in enumerate(sizes))
    rng = np.random.default_rng(seed)
    A_prev, W, b, dZ = (rng.standard_normal(s) for s in ((n_prev, m), (n, n_prev), (n, 1), (n, m)))

    def J(freeze=None):
        return float((dZ * (W @ A_prev + b)).sum() / m), []

    keys = ["dA_prev", "dW", "db"]
    correct = {"dA_prev": W.T @ dZ, "dW": dZ @ A_prev.T / m, "db": dZ.sum(axis=1, keepdims=True) / m}
    singles = [("missing_transpose_W", None)] if n == n_prev else []

    def candidates(key):
        base = [("transposed", "", correct[key].T)]
        if key == "db":
            base = [("keepdims", "", correct["db"].ravel()), ("wrong_axis", "", dZ.sum(axis=0, keepdims=True) / m),
                    ("wrong_axis", "", dZ.sum(axis=0) / m), ("sum_all", "", np.float64(dZ.sum() / m)),
                    ("sum_all", "", np.array([[dZ.sum() / m]])), ("not_summed", "", dZ / m)]
        if key == "dW":
            base.append(("wrong_operand", "dW = (1/m) dZ Wᵀ...: the second factor must be A_prevᵀ", dZ @ W / m))
        return base

    problem = dict(
        keys=keys, m=m, correct=correct, candidates=candidates, layered=False, returns="the tuple (dA_prev, dW, db)",
        want={k: v.shape for k, v in correct.items()},
        targets={"dA_prev": _Target(A_prev, J, scale=m), "dW": _Target(W, J), "db": _Target(b, J)},
        variants=_Variants(lambda bugs: {**correct, "dA_prev": W @ dZ}, singles),
        layer_of=lambda k: 1, activation_of=lambda k: "linear")
    out, exc = _call(linear_backward, dZ.copy(), (A_prev.copy(), W.copy(), b.copy()))
    if exc is None:
        if isinstance(out, (tuple, list)) and len(out) == 3:
            out = dict(zip(keys, out))
    return _run(problem, out, threshold, eps, None, seed, [], exc, fn_name=_name(linear_backward, "linear_backward"))


def check_activation_backward(activation_backward, activation, shape=(4, 5), seed=0, eps=EPSILON,
                              threshold=THRESHOLD):
    """Check a course-style ``relu_backward(dA, Z) -> dZ`` (the course's activation_cache is Z).

    The reference is J = Σ dA ⊙ g(Z), whose gradient is exactly
    dZ = dA ⊙ g'(Z) (shape of Z; chapters *Activation functions*,
    ``book/03_activations.ipynb``, and *Backprop through one layer*,
    ``book/07_one_layer.ipynb``).  Z and dA are random (seeded); for an
    activation with a kink one z is put exactly on it, as zero biases do, and
    either one-sided derivative is accepted there.  ``activation`` is an
    elementwise name from the registry (softmax is refused: its backward needs A).
    """
    act = _act.get(activation)
    if act.derivative is None:
        raise ValueError(f"activation {activation!r} has no elementwise derivative (its backward needs A); "
                         "check_activation_backward takes 'relu', 'leaky_relu', 'sigmoid', 'tanh' or 'linear'")
    if not (isinstance(shape, tuple) and len(shape) == 2):
        raise ValueError(f"shape must be (n, m), got {shape!r}")
    rng = np.random.default_rng(seed)
    Z, dA = rng.standard_normal(shape), rng.standard_normal(shape)
    if act.kinks:
        Z[0, 0] = act.kinks[0]
    Zx = Z.copy()

    def J(freeze=None):
        A = act.forward(Zx)
        if freeze is not None and act.kinks:
            A = np.where(freeze[1][0], _branch(act, act.kinks[0], freeze[0], Zx), A)
        return float((dA * A).sum()), ([(Zx.copy(), act.kinks[:1])] if act.kinks else [])

    correct = {"dZ": act.backward(dA, Z, act.forward(Z))}
    singles = [(r, 1) for r in ("missing_derivative", "derivative_at_A", "activation_of_dA")]
    if act.kinks:
        singles += [("inverted_mask", 1), ("inverted_mask:lt", 1)]
    from ._diagnose import _hidden_rule
    from ._core import LayerCache

    cache = LayerCache(None, None, None, Z, act.forward(Z), activation)
    problem = dict(
        keys=["dZ"], m=1, correct=correct, want={"dZ": Z.shape}, layered=False, returns="the array dZ",
        candidates=lambda key: [("transposed", "", correct["dZ"].T)],
        targets={"dZ": _Target(Zx, J)},
        variants=_Variants(lambda bugs: {"dZ": _hidden_rule(1, dA, cache, set(bugs), correct["dZ"])}, singles),
        layer_of=lambda k: 1, activation_of=lambda k: activation)
    out, exc = _call(activation_backward, dA.copy(), Z.copy())
    if exc is None and isinstance(out, np.ndarray):
        out = {"dZ": out}
    return _run(problem, out, threshold, eps, None, seed, [], exc,
                fn_name=_name(activation_backward, f"{activation}_backward"))


__all__ = ["THRESHOLD", "EPSILON", "SHOWN_BELOW", "MATCH", "LearnerError", "format_error", "relative_error",
           "numerical_gradient", "diagnose", "GradCheckReport", "check_backward", "check_gradients",
           "check_course_model", "check_linear_backward", "check_activation_backward"]
