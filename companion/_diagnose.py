"""Naming the bug: which simulated learner mistakes turn the correct gradients into yours.

Used by :mod:`companion.gradcheck` (chapter *Gradient checking*,
``book/08_gradient_checking.ipynb``; the clinic, ``book/10_clinic.ipynb``).
Whether a gradient passes is decided elsewhere, against numerical estimates
only; this module only *names* a failure.  It replays the backward pass

    dZ[L] = A[L] − Y (fused outputs) or dA[L] ⊙ g'(Z[L]),
    dW[l] = (1/m) dZ[l] A[l-1]ᵀ,  db[l] = (1/m) Σ_i dZ[l],  dA[l-1] = W[l]ᵀ dZ[l],
    dZ[l-1] = dA[l-1] ⊙ g'(Z[l-1])

with one or two well-known mistakes planted (``simulate``), and looks for the
mistakes, times a constant in {−1, m, 1/m, −m, −1/m}, that reproduce every
failing gradient while leaving every passing one alone (``name_rows``).
"""
from __future__ import annotations

from itertools import combinations

import numpy as np

from . import activations as _act
from . import losses as _loss

MATCH = 1e-6  # how close your gradient must be to a simulated one to name it


def close(a, b, tol=MATCH):
    """Same shape and ‖a − b‖ ≤ tol · (‖a‖ + ‖b‖) (two zero arrays are close)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    d = np.linalg.norm(a - b)
    return d <= tol * (np.linalg.norm(a) + np.linalg.norm(b)) or d == 0


# --- simulated learner mistakes -----------------------------------------------------
def _floor(P):
    return np.maximum(P, np.finfo(np.float64).tiny)


_WRONG_DAL = {  # learners' wrong dAL for sigmoid + binary cross-entropy, then ⊙ σ'(Z[L])
    "wrong_dAL:000": lambda A, Y: -(Y / _floor(A) - (1 - Y) / _floor(A)),
    "wrong_dAL:002": lambda A, Y: -(Y / _floor(A) + (1 - Y) / _floor(1 - A)),
}


def _hidden_rule(k, dA, cache, bugs, dZ):
    g = _act.ACTIVATIONS[cache.activation]
    if ("missing_derivative", k) in bugs:
        return dA
    if ("derivative_at_A", k) in bugs:
        return dA * g.derivative(cache.A)
    if ("activation_of_dA", k) in bugs:
        return g.forward(dA)
    if ("derivative_at_dA", k) in bugs:
        return dA * g.derivative(dA)
    if ("inverted_mask", k) in bugs:
        return dA * (cache.Z <= 0) if g.name == "relu" else dA * g.derivative(-cache.Z)
    if ("inverted_mask:lt", k) in bugs:  # the same with the other convention at z = 0
        return dA * (cache.Z < 0) if g.name == "relu" else dA * np.where(cache.Z < 0, 1.0, g.derivative(-cache.Z))
    return dZ


def simulate(AL, Y, caches, loss, bugs=()):
    """dZ{l}, dW{l}, db{l}, dA{l-1} (and dgamma{l}, dbeta{l}) of the backward pass with ``bugs`` planted.

    ``bugs`` is a collection of ``(code, layer)`` from :func:`rules`; with none
    this is the correct backward pass.  ``caches`` come from ``_core._forward``
    or, for a network with dropout masks or batch norm (chapters 16 and 17),
    are :class:`companion._options.OptionsCache`: then g' is taken at Z̃, the
    mask D[l] and 1/keep_prob are applied to dA[l], and batch norm's backward
    runs between dZ̃[l] and dZ[l].
    """
    bugs = set(bugs)
    spec = _loss.LOSSES[loss]
    L, m = len(caches), AL.shape[1]
    last = caches[-1]
    g = _act.ACTIVATIONS[last.activation]
    dAL = spec.gradient(AL, Y)
    dZ = AL - Y if spec.fused_with == last.activation else g.backward(dAL, last.Z, AL)
    if ("extra_derivative", L) in bugs:
        dZ = dZ * (g.derivative(last.Z) if g.derivative is not None else AL * (1 - AL))
    for code, formula in _WRONG_DAL.items():
        if (code, L) in bugs:
            dZ = g.backward(formula(AL, Y), last.Z, AL)
    dZ = _hidden_rule(L, dAL, last, bugs, dZ)
    grads = {}
    for l in range(L, 0, -1):
        c = caches[l - 1]
        if getattr(c, "bn", None) is not None:
            dZ, grads[f"dgamma{l}"], grads[f"dbeta{l}"] = _bn_rule(l, dZ, c.bn, bugs)
        grads[f"dZ{l}"] = dZ
        grads[f"dW{l}"] = dZ @ c.A_prev.T / m
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
        dA = (c.W if ("missing_transpose_W", l) in bugs else c.W.T) @ dZ
        grads[f"dA{l-1}"] = dA
        if l > 1:
            below = _as_plain(caches[l - 2])
            if getattr(caches[l - 2], "D", None) is not None:
                dA = _dropout_rule(l - 1, dA, caches[l - 2], bugs)
            dZ = _act.ACTIVATIONS[below.activation].backward(dA, below.Z, below.A)
            dZ = _hidden_rule(l - 1, dA, below, bugs, dZ)
    return grads


def _as_plain(cache):
    """The (Z, A) that g' sees: Z̃ and g(Z̃) before dropout in a layer with options."""
    if hasattr(cache, "Z_tilde"):
        return cache._replace(Z=cache.Z_tilde, A=cache.A_full)
    return cache


def _dropout_rule(k, dA, cache, bugs):
    """dA[k] ⊙ D[k] / p, the inverted-dropout backward step, or a learner's slip."""
    if ("dropout_mask_missing", k) in bugs:
        return dA
    if ("dropout_mask_missing:scaled", k) in bugs:
        return dA / cache.keep_prob
    if ("dropout_scale_missing", k) in bugs:
        return dA * cache.D
    return dA * cache.D / cache.keep_prob


def _bn_rule(k, dZ_tilde, bn, bugs):
    """Batch norm's backward: dZ = (dẐ − mean(dẐ) − ẑ ⊙ mean(dẐ ⊙ ẑ)) / √(σ² + ε), dẐ = γ ⊙ dZ̃; dγ, dβ."""
    Z_hat, gamma, inv_std = bn
    dZ_hat = dZ_tilde * gamma
    mean_path = dZ_hat.mean(axis=1, keepdims=True)
    var_path = Z_hat * (dZ_hat * Z_hat).mean(axis=1, keepdims=True)
    if ("bn_first_term_only", k) in bugs:
        mean_path, var_path = 0.0, 0.0
    if ("bn_missing_mean_path", k) in bugs:
        mean_path = 0.0
    if ("bn_missing_variance_path", k) in bugs:
        var_path = 0.0
    dZ = inv_std * (dZ_hat - mean_path - var_path)
    return dZ, (dZ_tilde * Z_hat).mean(axis=1, keepdims=True), dZ_tilde.mean(axis=1, keepdims=True)


def rules(caches, loss):
    """Every single mistake ``simulate`` can plant in this network, as ``(code, layer)``."""
    spec = _loss.LOSSES[loss]
    L = len(caches)
    out = []
    for k in range(L, 0, -1):
        act = _act.ACTIVATIONS[caches[k - 1].activation]
        if k == L and spec.fused_with == act.name:
            out.append(("extra_derivative", L))
            if spec.name == "binary_cross_entropy" and act.name == "sigmoid":
                out += [(code, L) for code in _WRONG_DAL]
        if act.derivative is not None:
            out += [("missing_derivative", k), ("derivative_at_A", k), ("activation_of_dA", k),
                    ("derivative_at_dA", k)]
            if act.kinks:
                out += [("inverted_mask", k), ("inverted_mask:lt", k)]
        W = caches[k - 1].W
        if k >= 2 and W.shape[0] == W.shape[1]:
            out.append(("missing_transpose_W", k))
        if getattr(caches[k - 1], "D", None) is not None:
            out += [("dropout_mask_missing", k), ("dropout_mask_missing:scaled", k), ("dropout_scale_missing", k),
                    ("dropout_scale_missing:both", k)]
        if getattr(caches[k - 1], "bn", None) is not None:
            out += [("bn_first_term_only", k), ("bn_missing_mean_path", k), ("bn_missing_variance_path", k)]
    return out


# --- words ---------------------------------------------------------------------------
_RULE_TEXT = {
    "missing_derivative": "dZ{k} = dA{k}: the ⊙ {g}'(Z{k}) is missing{note}",
    "derivative_at_A": "{g}' evaluated at A{k} instead of Z{k}",
    "activation_of_dA": "dZ{k} = {g}(dA{k}) instead of dA{k} ⊙ {g}'(Z{k})",
    "derivative_at_dA": "{g}' evaluated at dA{k} instead of Z{k}: dA{k} ⊙ {g}'(dA{k})",
    "inverted_mask": "the mask of layer {k} is inverted: dA{k} ⊙ (Z{k} ≤ 0) instead of dA{k} ⊙ (Z{k} > 0)",
    "inverted_mask:lt": "the mask of layer {k} is inverted: dA{k} ⊙ (Z{k} < 0) instead of dA{k} ⊙ (Z{k} > 0)",
    "missing_penalty": "the penalty's gradient is not in dW (for L2: + (λ/m) W[l])",
    "l2_factor_m": "the L2 term's gradient is added as λ W[l], without the 1/m: it is (λ/m) W[l]",
    "l2_on_bias": "the L2 gradient (λ/m) b[l] is added to db too: L2 penalises the weights W[l] only",
    "dropout_mask_missing": "dropout is skipped in the backward pass of layer {k}: dA{k} must be multiplied "
                            "by the forward pass's mask D{k} and divided by keep_prob, dA{k} ⊙ D{k} / p",
    "dropout_mask_missing:scaled": "dA{k} is divided by keep_prob but not multiplied by the forward pass's mask "
                                   "D{k}: it must be dA{k} ⊙ D{k} / p (a dropped unit gets no gradient)",
    "dropout_scale_missing": "dA{k} ⊙ D{k} without the 1/keep_prob: the forward pass divided A{k} by p, so the "
                             "backward pass divides dA{k} by p too",
    "dropout_scale_missing:both": "layer {k}'s dropout has no 1/keep_prob, in the forward and the backward pass: "
                                  "inverted dropout is A{k} ⊙ D{k} / p (and dA{k} ⊙ D{k} / p)",
    "mask_redrawn": "the backward pass of layer {k} uses a dropout mask other than the forward pass's D{k} "
                    "(drawn again?): keep D{k} from the forward pass and reuse it",
    "bn_first_term_only": "batch norm's backward in layer {k} has only its first term, dZ{k} = dZ_hat / "
                          "√(σ² + ε) (dZ_hat = gamma{k} ⊙ dZ_tilde): the batch mean and variance depend on every "
                          "z, so subtract mean(dZ_hat) and ẑ ⊙ mean(dZ_hat ⊙ ẑ) before dividing by √(σ² + ε)",
    "bn_missing_mean_path": "batch norm's backward in layer {k} misses the path through the batch mean: "
                            "subtract mean(dZ_hat) (dZ_hat = gamma{k} ⊙ dZ_tilde)",
    "bn_missing_variance_path": "batch norm's backward in layer {k} misses the path through the batch variance: "
                                "subtract ẑ ⊙ mean(dZ_hat ⊙ ẑ) (dZ_hat = gamma{k} ⊙ dZ_tilde)",
    "extra_derivative": "g' applied on top of A{k} − Y: A{k} − Y is already dZ{k}",
    "wrong_dAL:000": "dA{k} = −(Y/A{k} − (1 − Y)/A{k}): the second denominator must be 1 − A{k}",
    "wrong_dAL:002": "dA{k} = −(Y/A{k} + (1 − Y)/(1 − A{k})): the second term must be subtracted, "
                     "dA{k} = −Y/A{k} + (1 − Y)/(1 − A{k})",
    "missing_transpose_W": "dA{j} = W{k} dZ{k}: it must be W{k}ᵀ dZ{k} (W{k} is square, so the shapes hide it)",
}

FACTOR_TEXT = {
    "sign": "sign flipped: this is the gradient of −J",
    "factor_m": "m = {m} times too large: the 1/m is missing",
    "factor_1/m": "m = {m} times too small: the 1/m is applied twice",
    "sign_factor_m": "sign flipped and the 1/m missing (−m = −{m} times): the gradient of the summed "
                     "log-likelihood Σ log p, not of the mean cost J",
    "sign_factor_1/m": "sign flipped and the 1/m applied twice (−1/m, m = {m})",
    "factor": "off by a constant factor {c:.4g}{shared}",
    "zeros": "all zeros: nothing flowed back here",
}


def factors(m):
    """(code, c) for the constants a learner's slips multiply a gradient by: −1 and ±m^k, k = −3..2."""
    out = [("sign", -1.0)]
    if m > 1:
        for k in (1, -1, 2, -2, -3):
            out += [("factor_m" if k > 0 else "factor_1/m", float(m) ** k),
                    ("sign_factor_m" if k > 0 else "sign_factor_1/m", -float(m) ** k)]
    return out


_SUPERSCRIPT = {1: "", 2: "²", 3: "³"}


def factor_text(code, m, c=None, shared=""):
    """The sentence for a factor code; for ±m^k the power is read off ``c``."""
    if code in ("factor_m", "factor_1/m", "sign_factor_m", "sign_factor_1/m") and c is not None and m > 1:
        k = int(round(np.log(abs(c)) / np.log(m)))
        if abs(k) >= 2:
            size = f"m{_SUPERSCRIPT[abs(k)]} = {m ** abs(k)} times too {'large' if k > 0 else 'small'}"
            why = ("the 1/m is missing, and a factor m too many came from upstream (dZ or dA)" if k > 0 else
                   f"the 1/m is applied {1 - k} times (once more per layer it passed through, e.g. in "
                   "dA_prev = Wᵀ dZ / m)")
            return ("sign flipped and " if c < 0 else "") + f"{size}: {why}"
    return FACTOR_TEXT[code].format(m=m, c=c, shared=shared)


def rule_code(rule):
    return rule.split(":")[0]


def rule_text(rule, k, activation):
    note = " (so it is wrong only where Z ≤ 0)" if activation == "relu" and rule == "missing_derivative" else ""
    if k is None:  # one layer on its own: dA_prev = W dZ
        return _RULE_TEXT[rule].format(k="", j="_prev", g=activation, note=note)
    return _RULE_TEXT[rule].format(k=k, j=k - 1, g=activation, note=note)


# --- naming every failing row together -------------------------------------------------
def name_rows(failing, yours, correct, variant_grads, m, layer_of, activation_of, passing=(), numeric=None):
    """Name the failing rows (right shapes only); returns {key: (code, text, [codes])}.

    ``variant_grads(rules_tuple)`` returns the simulated gradients (already in
    your layout) for a tuple of ``(code, layer)``; ``variant_grads.singles``
    and ``variant_grads.pairs`` list what to try.  A simulated mistake is
    only used when it leaves every passing row alone.  ``numeric`` holds the
    numerical reference of each failing row (NaN where an entry had none): a
    free constant factor is measured against it, never against the package.
    """
    numeric = numeric or {}
    out, todo = {}, []
    for key in failing:
        y, cr = yours[key], correct[key]
        if close(y, cr, 1e-9):
            c = _ratio(y, numeric.get(key))
            times = f" (yours is {c:.4g} × the numerical estimate)" if c is not None else ""
            out[key] = ("package_disagrees", "equals the package's own backward pass, but the numerical estimates "
                        f"contradict both{times}: the formula they share is wrong here (if this is the package, "
                        "report it)", ["package_disagrees"])
        elif not np.any(y) and np.any(cr):
            out[key] = ("zeros", FACTOR_TEXT["zeros"], ["zeros"])
        elif y.ndim == 2 and y.shape[0] == y.shape[1] > 1 and close(y, cr.T):
            out[key] = ("transposed", SHAPE_TEXT["transposed"].format(p=key), ["transposed"])
        else:
            todo.append(key)
    facs = [(None, 1.0)] + factors(m)

    def explains(bugs, grads, key):
        for fcode, c in facs:
            if bugs == () and fcode is None:
                continue
            if close(yours[key], c * grads[key]):
                return fcode, c
        return None

    def valid(grads):
        return all(close(grads[k], correct[k], 1e-9) for k in passing if k in grads)

    def cover(candidates):
        found = []  # (bugs, fcode, keys)
        for bugs in candidates:
            grads = correct if bugs == () else variant_grads(bugs)
            if bugs and not valid(grads):
                continue
            by_factor = {}
            for key in todo:
                if key in out or key not in grads:
                    continue
                if bugs and close(grads[key], correct[key], 1e-12):
                    continue  # this mistake does not touch this row
                hit = explains(bugs, grads, key)
                if hit:
                    by_factor.setdefault(hit, []).append(key)
            for hit, keys in by_factor.items():
                found.append((bugs, hit, keys))
        # greedy: most rows first, then no factor, then fewer mistakes
        found.sort(key=lambda f: (-len(f[2]), f[1][0] is not None, len(f[0])))
        for bugs, (fcode, c), keys in found:
            keys = [k for k in keys if k not in out]
            if not keys:
                continue
            for key in keys:
                out[key] = _words(bugs, fcode, m, activation_of, c)

    cover([()] + [(r,) for r in variant_grads.singles] + list(getattr(variant_grads, "groups", list)()))
    if any(k not in out for k in todo):
        cover(list(variant_grads.pairs()))
    # a free constant, measured against the numerical estimates: only meaningful if a row with
    # ≥ 2 nonzero entries, or several rows, share it
    ratios = {}
    for key in todo:
        if key in out:
            continue
        c = _ratio(yours[key], numeric.get(key))
        if c is not None:
            ratios[key] = (c, np.count_nonzero(np.nan_to_num(numeric[key])))
    for key, (c, nonzero) in ratios.items():
        same = [k for k, (c2, _) in ratios.items() if abs(c2 / c - 1) < 1e-5]
        if nonzero >= 2 or len(same) >= 2:
            shared = f" (the same in {len(same)} gradients)" if len(same) >= 2 else ""
            out[key] = ("factor", factor_text("factor", m, c, shared), ["factor"])
    # what is left: downstream of a failing layer above, or unknown
    top = max((layer_of(k) for k in failing), default=0)
    for key in todo:
        if key not in out:
            if layer_of(key) < top:
                out[key] = ("downstream", f"wrong, perhaps only because layer {top} above is wrong "
                                          "(errors flow down): fix that first", ["downstream"])
            else:
                out[key] = ("unknown", "no known bug, or pair of bugs, explains the difference", ["unknown"])
    return out


def _ratio(yours, ref):
    """c with yours = c · ref on the entries ref has (c ≠ 1), or None."""
    if ref is None or np.isnan(ref).all():
        return None
    ok = ~np.isnan(ref)
    n_, y_ = ref[ok], yours[ok]
    denom = float((n_ * n_).sum())
    if denom == 0:
        return None
    c = float((y_ * n_).sum()) / denom
    return c if close(y_, c * n_, 1e-5) and abs(c - 1) > 1e-5 else None


def _words(bugs, fcode, m, activation_of, c=None):
    codes = [rule_code(r) for r, _ in bugs]
    if len(set(codes)) == 1 and len(bugs) > 1 and all(r == bugs[0][0] for r, _ in bugs):
        # one mistake repeated in several layers (a shared helper such as relu_backward)
        layers = sorted((k for _, k in bugs), reverse=True)
        text = rule_text(bugs[0][0], layers[0], activation_of(layers[0]))
        texts = [f"{text} (and the same in layer{'s' if len(layers) > 2 else ''} "
                 f"{', '.join(map(str, layers[1:]))})"]
        codes = codes[:1]
    else:
        texts = [rule_text(r, k, activation_of(k)) for r, k in bugs]
    if fcode is not None:
        texts.append(factor_text(fcode, m, c))
        codes.append(fcode)
    if len(codes) == 1:
        return codes[0], texts[0], codes
    return "combined", "two mistakes together: " + "; and ".join(texts), codes


# --- wrong shapes -------------------------------------------------------------------------
SHAPE_TEXT = {
    "transposed": "transposed: you have the transpose of {p} (e.g. A_prev @ dZ.T instead of dZ @ A_prev.T)",
    "keepdims": "shape {got} instead of {want}: sum over axis=1 without keepdims=True",
    "wrong_axis": "shape {got} instead of {want}: summed over the wrong axis (sum over the examples, axis=1)",
    "sum_all": "a single number instead of shape {want}: summed over every entry; sum over the examples only "
               "(axis=1, keepdims=True)",
    "not_summed": "shape {got} instead of {want}: dZ not summed over the examples (axis=1, keepdims=True)",
    "wrong_operand": "{what}{shape_note}",
    "shape": "wrong shape {got}, expected {want} (check the axis of a sum and the order of a product)",
}


def name_shape(key, yours, correct, candidates, m):
    """Name a gradient of the wrong shape: ``candidates`` are ``(code, what, array)`` to try by value."""
    got, want = np.shape(yours), np.shape(correct)
    for code, what, arr in candidates:
        for fcode, c in [(None, 1.0)] + factors(m):
            if np.shape(arr) == got and close(yours, c * np.asarray(arr)):
                note = "" if got == want else f" (shape {got}, expected {want})"
                text = SHAPE_TEXT[code].format(p=key, got=got, want=want, what=what, shape_note=note)
                if fcode is None:
                    return code, text, [code]
                return "combined", f"two mistakes together: {text}; and {factor_text(fcode, m, c)}", [code, fcode]
    if len(got) == 1 and np.size(yours) == np.size(correct) and len(want) == 2:
        return "keepdims", SHAPE_TEXT["keepdims"].format(got=got, want=want), ["keepdims"]
    if key[:2] == "db" and key[2:].isdigit() and np.size(yours) == 1 and (np.size(correct) > 1 or len(got) < 2):
        return "sum_all", SHAPE_TEXT["sum_all"].format(got=got, want=want), ["sum_all"]  # one number for a column
    return "shape", SHAPE_TEXT["shape"].format(got=got, want=want), ["shape"]
