"""Numerical estimates of ∂J/∂θ_k that know where the kinks are.

Used by :mod:`companion.gradcheck` (chapter *Gradient checking*,
``book/08_gradient_checking.ipynb``).  For each checked entry k of an array θ:

    central     n_k = (J(θ + ε e_k) − J(θ − ε e_k)) / 2ε                  error O(ε²)
    Richardson  (4 n_k(ε/2) − n_k(ε)) / 3                                 error O(ε⁴)
    one-sided   r_k = (−3 J(θ) + 4 J(θ + h e_k) − J(θ + 2h e_k)) / 2h     error O(h²)
                l_k = ( 3 J(θ) − 4 J(θ − h e_k) + J(θ − 2h e_k)) / 2h

The reference function returns J together with the pre-activations Z of every
layer whose activation has kinks (``Activation.kinks`` in the registry).  An
entry is *flagged* when the ±ε step moves some Z across a kink or onto it
(the side of Z − κ differs between the −ε, base and +ε passes); the central
difference then straddles the kink and measures neither slope, so flagged
entries also get the one-sided estimates r_k and l_k, each from a segment
that stays on one side of every kink (h shrinks until it does).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_U = np.finfo(np.float64).eps


@dataclass
class Estimates:
    """Full-shape arrays (NaN where an entry was not checked or has no such estimate)."""

    central: np.ndarray
    right: np.ndarray
    left: np.ndarray
    flagged: np.ndarray  # bool: the ±ε step crossed or touched a kink
    noise: np.ndarray  # rounding error of J carried into the estimate, about u·|J|/ε
    frozen_right: np.ndarray  # central difference with every z sitting on a kink kept on its right branch
    frozen_left: np.ndarray  # ... on its left branch (g'(κ) = the left slope, e.g. relu'(0) = 0)

    FIELDS = ("central", "right", "left", "flagged", "noise", "frozen_right", "frozen_left")


def _sides(kinked, tols):
    """For each (Z, kinks): sign(Z − κ) per kink, with |Z − κ| ≤ tol counted as 0 (on the kink)."""
    out = []
    for (Z, kinks), tol in zip(kinked, tols):
        for kappa in kinks:
            d = Z - kappa
            s = np.sign(d).astype(np.int8)
            s[np.abs(d) <= tol] = 0
            out.append(s)
    return out


def _same(a_list, b_list):
    return all(np.array_equal(a, b) for a, b in zip(a_list, b_list))


def _call(f, freeze=None):
    """(J, kinked, magnitude): ``f`` may add the size of the numbers J is computed from."""
    out = f() if freeze is None else f(freeze)
    J, kinked = out[0], out[1]
    return J, kinked, max(abs(J), out[2] if len(out) > 2 else 0.0)


def estimate(x, f, indices, eps, scale=1.0, richardson=False):
    """Estimates of ``scale`` · ∂J/∂x at ``indices`` (a list of index tuples).

    ``f()`` evaluates the reference at the current ``x`` and returns
    ``(J, kinked)`` or ``(J, kinked, magnitude)``, with ``kinked`` a list of
    ``(Z, kinks)`` and ``magnitude`` the size of the numbers J is computed
    from (a cost from logits subtracts numbers as large as |z|: its rounding
    error is about u·max|z|, not u·|J|); ``f((side, masks))``
    does the same with every z marked in ``masks`` (one boolean array per
    (Z, κ) pair, in order) replaced by the linear branch of g on that side of κ.  ``x`` (float64)
    is perturbed in place and always restored, even if ``f`` raises.
    """
    J0, kinked0, mag0 = _call(f)
    tols = [1e-13 * (1.0 + float(np.abs(Z).max(initial=0.0))) for Z, _ in kinked0]
    s0 = _sides(kinked0, tols)
    nan = np.full(x.shape, np.nan)
    est = Estimates(nan.copy(), nan.copy(), nan.copy(), np.zeros(x.shape, bool), nan.copy(), nan.copy(), nan.copy())
    on_kink = [s == 0 for s in s0]
    for k in indices:
        old = x[k]

        def at(t, freeze=None):
            x[k] = old + t
            J, kinked, _ = _call(f, freeze)
            return J, _sides(kinked, tols)

        try:
            Jp, sp = at(eps)
            Jm, sm = at(-eps)
            est.central[k] = scale * (Jp - Jm) / (2 * eps)
            est.noise[k] = abs(scale) * 4 * _U * max(mag0, abs(Jp), abs(Jm)) / eps
            crossed = not (_same(s0, sp) and _same(s0, sm))
            if richardson:  # (4 D(ε/2) − D(ε)) / 3: error O(ε⁴), so ε can be large and rounding small
                Jp2, sp2 = at(eps / 2)
                Jm2, sm2 = at(-eps / 2)
                est.central[k] = (4 * scale * (Jp2 - Jm2) / eps - est.central[k]) / 3
                est.noise[k] *= 2
                crossed = crossed or not (_same(s0, sp2) and _same(s0, sm2))
            if crossed:
                est.flagged[k] = True
                for side, target in ((1, est.right), (-1, est.left)):
                    h = eps
                    for _ in range(4):  # ε, ε/100, ε/10⁴, ε/10⁶
                        J1, s1 = at(side * h)
                        J2, s2 = at(2 * side * h)
                        if _same(s1, s2) and all(((c == 0) | (c == a)).all() for a, c in zip(s1, s0)):
                            target[k] = scale * side * (-3 * J0 + 4 * J1 - J2) / (2 * h)
                            est.noise[k] = max(est.noise[k], abs(scale) * 8 * _U * max(mag0, abs(J1), abs(J2)) / h)
                            break
                        h /= 100
                if any(M.any() for M in on_kink):
                    # z exactly on a kink: g'(κ) is a convention (left or right slope); with those z
                    # kept on one branch J is smooth in θ_k, and the central difference measures
                    # the gradient under that convention
                    for side, target in ((1, est.frozen_right), (-1, est.frozen_left)):
                        Jp, sp = at(eps, (side, on_kink))
                        Jm, sm = at(-eps, (side, on_kink))
                        if all((M | ((a == c) & (b == c))).all() for M, a, b, c in zip(on_kink, sp, sm, s0)):
                            target[k] = scale * (Jp - Jm) / (2 * eps)
        finally:
            x[k] = old
    return est
