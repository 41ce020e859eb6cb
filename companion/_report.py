"""Judging each gradient against the numerical estimates, and the report that says so.

Part of :mod:`companion.gradcheck` (chapter *Gradient checking*,
``book/08_gradient_checking.ipynb``).  For one gradient g of a parameter θ:

    relative error = ‖g − n‖ / (‖g‖ + ‖n‖)      over the entries with a verdict

where n is the numerical estimate of each entry (``_estimate``).  A gradient
FAILs above the threshold only if a second estimate with another step agrees
with the first; entries at a kink are judged against one-sided estimates and
both branch conventions; what no estimate can decide is *inconclusive*.
Failing gradients are then named together (``_diagnose``).
"""
from __future__ import annotations

import re
import textwrap
from itertools import combinations

import numpy as np

from ._diagnose import name_rows, name_shape, rule_text
from ._estimate import estimate
from ._learner_errors import explain
from ._validate import as_numeric
from .display import Table

DIAGNOSIS_WIDTH = 44  # the text form wraps a diagnosis at this width, and a note at NOTE_WIDTH,
NOTE_WIDTH = 88  # so that a printed report is about 90 characters wide
SHOWN_BELOW = 1e-8  # smaller relative errors are rounding noise: shown as "< 1e-08"


def relative_error(a, b):
    """‖a − b‖ / (‖a‖ + ‖b‖), and 0 when both are zero.  Shapes must match.

    ``a`` and ``b`` are real, finite, non-empty arrays of the same shape
    (TypeError or ValueError naming the argument otherwise).  Chapter
    *Gradient checking* (``book/08_gradient_checking.ipynb``).
    """
    a = as_numeric("a", a, ndim=None, dtype=np.float64)
    b = as_numeric("b", b, ndim=None, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} (a) and {b.shape} (b): "
                         "expected matching shapes")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


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
            wrap={"diagnosis": DIAGNOSIS_WIDTH},
        )

    def __str__(self):
        notes = [textwrap.fill(n, NOTE_WIDTH, initial_indent="note: ", subsequent_indent="      ",
                               break_on_hyphens=False) for n in self.notes]
        return "\n".join([super().__str__()] + notes)

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
            if np.iscomplexobj(yours[key]):
                raise TypeError("complex")
            g = np.asarray(yours[key], dtype=np.float64)
        except (TypeError, ValueError):
            row.update(got=type(yours[key]).__name__, code="shape",
                       text=f"{key} is a {type(yours[key]).__name__}"
                            + (" of complex numbers" if np.iscomplexobj(yours[key]) else "")
                            + f", not a real array of shape {want[key]}")
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
            if verdict is None and est.flagged[est.flagged | ~np.isnan(est.central)].all():
                # every checked entry straddles a kink: no central difference is left to confirm the FAIL with
                row.update(result="inconclusive", code="kink", n_inconclusive=int(g.size),
                           text="every entry moves some z across a kink within ±ε (a z exactly at the kink, e.g. "
                                "zero biases with dropped units or binary inputs) and your value matches neither "
                                "side: move the parameters off the kink (e.g. non-zero biases) and check again")
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
    changed = _changed_between_calls(arrays, problem.get("again", arrays))
    for row in rows:
        if row["gradient"] in changed and row["result"] == "FAIL":
            row.update(code="random_each_call", text="changes from call to call: two calls with the same inputs "
                                                     "gave different values (see the notes)")
    if changed:
        notes.append(f"{fn_name} returned different {', '.join(sorted(changed))} on two calls with the same "
                     "inputs: something random is drawn inside it (a dropout mask drawn on every call?); draw "
                     "the masks once and pass them: check_backward(..., keep_prob=p, masks={1: D1, …})")
    failing = [k for k in failing if k not in changed]
    passing = [k for k in passing if k not in changed]
    # name the failures, all rows together
    if failing:
        named = name_rows(failing, arrays, correct, problem["variants"], problem["m"], problem["layer_of"],
                          problem["activation_of"], passing, numerics)
        if "rescue" in problem and any(named[k][0] in ("unknown", "downstream") for k in failing):
            for key, k in (problem["rescue"](arrays, failing) or {}).items():
                named[key] = ("mask_redrawn", rule_text("mask_redrawn", k, problem["activation_of"](k)),
                              ["mask_redrawn"])
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
            row["text"] = re.sub(  # dA = W dZ in columns is dA = dZ W in rows
                r"dA(\d+) = W(\d+) dZ(\d+): it must be W\d+ᵀ dZ\d+", r"dA\1 = dZ\3 W\2: it must be dZ\3 W\2ᵀ",
                row["text"].replace("axis=1", "axis=0")
                .replace("A_prev @ dZ.T instead of dZ @ A_prev.T", "dZ.T @ A_prev instead of A_prev.T @ dZ"))
    look_first = None
    bad = [r for r in rows if r["result"] == "FAIL"]
    if bad:
        top = max(problem["layer_of"](r["gradient"]) for r in bad)
        look_first = next(r["gradient"] for r in bad if problem["layer_of"](r["gradient"]) == top)
        below = sorted({problem["layer_of"](r["gradient"]) for r in bad if r["code"] not in _SHAPE_CODES} - {top},
                       reverse=True)
        if len({(r["code"], r["text"]) for r in bad}) == 1 and len(bad) > 1 and bad[0]["code"] not in (
                "unknown", "downstream", "package_disagrees", "exception", "no_gradients", "random_each_call"):
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


def _changed_between_calls(first, again):
    """The keys whose arrays differ between two calls of the learner's function with the same inputs."""
    if again is first:
        return set()
    if not isinstance(again, dict):
        return set(first)
    out = set()
    for key, a in first.items():
        try:
            b = np.asarray(again.get(key), dtype=np.float64)
        except (TypeError, ValueError):
            out.add(key)
            continue
        if b.shape != a.shape or not np.array_equal(a, b, equal_nan=True):
            out.add(key)
    return out


def _agree(a, b, threshold):
    """Do two sets of estimates agree on the entries both judged by a central difference?"""
    sel = ~np.isnan(a.central) & ~np.isnan(b.central) & ~a.flagged & ~b.flagged
    if not sel.any():
        return False
    x, y = a.central[sel], b.central[sel]
    return relative_error(x, y) <= threshold or np.linalg.norm(x - y) <= np.linalg.norm(a.noise[sel] + b.noise[sel])


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

    def groups(self):
        """One mistake in every layer where it can happen (a shared helper like relu_backward)."""
        by_code = {}
        for code, layer in self.singles:
            by_code.setdefault(code, []).append((code, layer))
        out = []
        for v in by_code.values():
            if len(v) <= 5:  # every subset of two or more layers: the helper may serve some layers only
                out += [c for n in range(2, len(v) + 1) for c in combinations(v, n)]
        return out


