"""What :func:`companion.gradcheck.check_backward` checks a network against: its reference problem.

Part of :mod:`companion.gradcheck` (chapter *Gradient checking*,
``book/08_gradient_checking.ipynb``).  A *problem* is a dict: the reference
cost J as a function of each parameter (``targets``, perturbed in place by
the numerical estimates), the correct gradients (used only to name bugs),
the simulated learner mistakes (``variants``) and the wrong-shape candidates.

Two networks:

* plain (:func:`network_problem`): Z[l] = W[l] A[l-1] + b[l], A[l] = g[l](Z[l]);
* with the Part IV options (:func:`options_problem`, chapters
  *L2 regularisation and dropout*, ``book/16_regularisation.ipynb``, and
  *Batch normalisation*, ``book/17_batchnorm.ipynb``), in training mode with
  the learner's dropout masks held fixed::

      Z[l] = W[l] A[l-1] (+ b[l])          no b[l] in a batch-normalised layer
      Z̃[l] = γ[l] ⊙ (Z[l] − μ) / √(σ² + ε) + β[l]     batch-normalised layers, else Z̃[l] = Z[l]
      A[l] = g[l](Z̃[l]) ⊙ D[l] / p          layers with a mask D[l], else g[l](Z̃[l])

A penalty term (``penalty(parameters)`` or L2 with a known λ) is added to J
in both.  A mask drawn afresh on every evaluation would make J a different
function at each step; it cannot be checked (chapter 16 shows why).
"""
from __future__ import annotations

import numpy as np

from . import activations as _act
from . import batchnorm as _bn
from . import losses as _loss
from ._core import LayerCache, _cost, _forward
from ._diagnose import close, rules, simulate
from ._estimate import estimate
from ._options import OptionsCache
from ._report import _layer_of, _Target, _Variants
from ._validate import as_numeric, check_shape

EPSILON = 1e-5


def branch(act, kappa, side, Z):
    """The linear piece of g on one side of its kink κ: g(κ) + g'(κ ± δ)(z − κ)."""
    at = np.array([kappa + side * 1e-3])
    return act.forward(np.array([kappa]))[0] + act.derivative(at)[0] * (Z - kappa)


def _frozen(act, A, Z, freeze, n_kink):
    """g(Z) with the z marked in ``freeze`` kept on one linear branch; returns (A, next kink index)."""
    if freeze is not None:
        for kappa in act.kinks:
            mask = freeze[1][n_kink]
            n_kink += 1
            if mask.any():
                A = np.where(mask, branch(act, kappa, freeze[0], Z), A)
    return A, n_kink


# --- the penalty term and its slips (shared by both networks) ---------------------------
def _penalty(params, keys, penalty, l2, m):
    """``(mine, singles)``: ``mine(grads, bugs)`` adds ∂penalty/∂θ to the simulated gradients.

    ∂penalty/∂θ is estimated by central differences (a smooth term; any
    ``penalty``).  With L2's λ known (``l2``), two more slips are simulated:
    λ W[l] without the 1/m, and (λ/m) b[l] added to db[l] as well.
    """
    extra = {}
    if penalty is not None:
        for key in keys:
            if not key.startswith("dA"):
                extra[key] = np.nan_to_num(estimate(params[key[1:]], lambda: (float(penalty(params)), []),
                                                    list(np.ndindex(params[key[1:]].shape)), EPSILON).central)

    def mine(grads, bugs=()):
        codes = {code for code, _ in bugs}
        out = {}
        for k in keys:
            g = grads[k] + (0.0 if "missing_penalty" in codes else extra.get(k, 0.0))
            if "l2_factor_m" in codes and k.startswith("dW"):
                g = grads[k] + l2 * params[k[1:]]
            if "l2_on_bias" in codes and _is_bias(k):
                g = g + l2 / m * params[k[1:]]
            out[k] = g
        return out

    L = max(_layer_of(k) for k in keys)
    singles = [("missing_penalty", L)] if extra else []
    if l2 is not None and extra:
        singles += [("l2_factor_m", L)] + ([("l2_on_bias", L)] if any(map(_is_bias, keys)) else [])
    return mine, singles


def _is_bias(key):
    """``"db3"`` is a bias gradient; ``"dbeta3"`` is not."""
    return key[:2] == "db" and key[2:].isdigit()


def _plus(out, penalty, params):
    """(J + penalty(parameters), kinked Z's, magnitude): the reference cost with a regularisation term."""
    if penalty is None:
        return out
    return (out[0] + float(penalty(params)),) + tuple(out[1:])


def _linear_candidates(key, correct, full, caches, dAL, L, m, T):
    """Wrong-shape or wrong-operand arrays a learner produces for dW[l], db[l] (in their layout)."""
    l = _layer_of(key)
    if not (key.startswith("dW") or _is_bias(key)):
        return [("transposed", "", correct[key].T), ("keepdims", "", correct[key].ravel())]
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


# --- a plain network --------------------------------------------------------------------
def network_problem(params, X, Y, activations, loss, to_yours, keys, penalty=None, l2=None):
    """Targets, correct gradients, simulated mistakes and shape candidates for an L-layer network.

    ``params``, ``X``, ``Y`` are float64 and in the book's layout (examples are columns);
    ``to_yours[key](array)`` maps a gradient to the learner's layout.  Keys
    ``dA{l}`` are checked against m ∂J/∂A[l] (per example, as the book's dA).
    """
    L, m = len(activations), X.shape[1]

    def J_from(layer, A0, freeze=None):
        A, caches, n_kink = A0, [], 0
        for j in range(layer, L + 1):
            W, b, act = params[f"W{j}"], params[f"b{j}"], _act.ACTIVATIONS[activations[j - 1]]
            A_prev, Z = A, W @ A + b
            A, n_kink = _frozen(act, act.forward(Z), Z, freeze, n_kink)
            caches.append(LayerCache(A_prev, W, b, Z, A, act.name))
        kinked = [(c.Z, _act.ACTIVATIONS[c.activation].kinks) for c in caches
                  if _act.ACTIVATIONS[c.activation].kinks]
        return _cost(A, caches, Y, loss), kinked, float(np.abs(caches[-1].Z).max())

    AL, caches = _forward(X, params, activations)
    targets = {}
    for key in keys:
        if key.startswith("dA"):
            layer = int(key[2:]) + 1
            A0 = caches[layer - 1].A_prev.copy()
            targets[key] = _Target(A0, lambda fr=None, A0=A0, layer=layer: J_from(layer, A0, fr), scale=m)
        else:
            targets[key] = _Target(params[key[1:]], lambda fr=None: _plus(J_from(1, X, fr), penalty, params),
                                   to_yours=to_yours[key])
    added, extra_singles = _penalty(params, keys, penalty, l2, m)

    def mine(grads, bugs=()):
        return {k: to_yours[k](v) for k, v in added(grads, bugs).items()}

    full = simulate(AL, Y, caches, loss)
    correct = mine(full)
    dAL = _loss.LOSSES[loss].gradient(AL, Y)

    def candidates(key):
        if key.startswith("dA"):
            return [("transposed", "", correct[key].T)]
        return _linear_candidates(key, correct, full, caches, dAL, L, m, to_yours[key])

    return dict(
        keys=keys, m=m, targets=targets, correct=correct, candidates=candidates,
        variants=_Variants(lambda bugs: mine(simulate(AL, Y, caches, loss, bugs), bugs),
                           rules(caches, loss) + extra_singles),
        layer_of=_layer_of, activation_of=lambda k: activations[k - 1])


# --- a network with batch norm and fixed dropout masks ----------------------------------------
def check_masks(masks, keep_prob, params, L, m):
    """``masks`` -> {l: D[l]} (float64 0/1 arrays (n_l, m) on hidden layers), checked against ``keep_prob``."""
    if masks is None:
        if keep_prob < 1:
            raise ValueError(f"keep_prob={keep_prob} drops units: pass masks={{1: D1, 2: D2, …}}, the 0/1 masks "
                             "(n_l, m) your forward pass uses, fixed (a fresh mask on every call cannot be "
                             "checked: chapter 16)")
        return {}
    if keep_prob == 1:
        raise ValueError("masks were given but keep_prob=1 (nothing is dropped): pass keep_prob=p, the probability "
                         "with which your forward pass keeps a unit")
    if not isinstance(masks, dict):
        raise TypeError(f"masks must be a dict {{1: D1, 2: D2, …}} (or {{'D1': D1, …}}) of 0/1 arrays, "
                        f"got {type(masks).__name__}")
    out = {}
    for key, D in masks.items():
        text = key[1:] if isinstance(key, str) and key[:1] == "D" else key
        try:
            l = int(text)
        except (TypeError, ValueError):
            l = None
        if l is None or isinstance(key, (bool, float)) or not 1 <= l <= L - 1:
            raise ValueError(f"masks has the key {key!r}; expected a hidden layer 1..L-1 = 1..{L - 1}, as an "
                             "integer or 'D1', 'D2', … (the output layer is never dropped)")
        if l in out:
            raise ValueError(f"masks gives layer {l} twice")
        if isinstance(D, np.ndarray) and D.dtype == bool:  # D = rng.random(shape) < keep_prob, as drawn
            D = D.astype(np.float64)
        arr = as_numeric(f"masks[{key!r}]", D, dtype=np.float64)
        check_shape(f"masks[{key!r}]", arr, (params[f"W{l}"].shape[0], m), f"layer {l}'s mask D{l}, (n_{l}, m)")
        if not np.isin(arr, (0.0, 1.0)).all():
            raise ValueError(f"masks[{key!r}] must hold only 0s and 1s (D = rand < keep_prob, before the 1/p)")
        out[l] = arr
    if not out:
        raise ValueError("masks is empty: give the mask of each layer your forward pass drops")
    return out


def _options_forward(X, params, activations, bn, masks, keep_prob, unscaled=(), freeze=None):
    """A[L], the list of :class:`OptionsCache` and the kinked Z̃'s; layers in ``unscaled`` skip the 1/p."""
    A, caches, kinked, n_kink = X, [], [], 0
    for l, name in enumerate(activations, start=1):
        act, W = _act.ACTIVATIONS[name], params[f"W{l}"]
        if l in bn:
            b, Z = None, W @ A
            Z_tilde, cache_bn, mu, var = _bn._batchnorm_forward(Z, params[f"gamma{l}"], params[f"beta{l}"])
        else:
            b = params[f"b{l}"]
            Z = W @ A + b
            Z_tilde, cache_bn, mu, var = Z, None, None, None
        A_full, n_kink = _frozen(act, act.forward(Z_tilde), Z_tilde, freeze, n_kink)
        if act.kinks:
            kinked.append((Z_tilde, act.kinks))
        D, p = masks.get(l), (1.0 if l in unscaled else keep_prob)
        A_out = A_full * D / p if D is not None else A_full
        caches.append(OptionsCache(A, W, b, Z, A_out, name, Z_tilde, A_full, D, p, cache_bn, mu, var, True))
        A = A_out
    return A, caches, kinked


def options_problem(params, X, Y, activations, loss, keys, bn, masks, keep_prob, penalty=None, l2=None):
    """The problem of a network with batch-normalised layers ``bn`` and dropout ``masks`` (book layout)."""
    L, m = len(activations), X.shape[1]

    def J(freeze=None):
        AL, caches, kinked = _options_forward(X, params, activations, bn, masks, keep_prob, freeze=freeze)
        return _plus((_cost(AL, caches, Y, loss), kinked, float(np.abs(caches[-1].Z).max())), penalty, params)

    targets = {key: _Target(params[key[1:]], J) for key in keys}
    added, extra_singles = _penalty(params, keys, penalty, l2, m)
    AL, caches, _ = _options_forward(X, params, activations, bn, masks, keep_prob)

    def make(bugs):
        unscaled = {k for code, k in bugs if code == "dropout_scale_missing:both"}
        AL_, caches_ = (AL, caches) if not unscaled else \
            _options_forward(X, params, activations, bn, masks, keep_prob, unscaled)[:2]
        return added(simulate(AL_, Y, caches_, loss, bugs), bugs)

    full = simulate(AL, Y, caches, loss)
    correct = added(full)
    dAL = _loss.LOSSES[loss].gradient(AL, Y)

    def rescue(yours, failing):
        """Rows a mask other than D[k] explains, in the backward pass of one dropout layer k: {key: k}."""
        no_penalty = {key: yours[key] - (correct[key] - full[key]) for key in yours
                      if key in correct and np.shape(yours[key]) == np.shape(correct[key])}
        for k in sorted(masks, reverse=True):
            other = _other_mask(no_penalty, full, caches, k, m)
            if other is None:
                continue
            swapped = list(caches)
            swapped[k - 1] = caches[k - 1]._replace(D=other)
            grads = added(simulate(AL, Y, swapped, loss))
            keys_hit = [key for key in failing if close(grads[key], yours[key])]
            others_fine = all(close(grads[key], correct[key], 1e-9) or key in failing for key in yours if key in grads)
            if keys_hit == list(failing) and others_fine:
                return {key: k for key in failing}
        return None

    return dict(
        keys=keys, m=m, targets=targets, correct=correct,
        candidates=lambda key: _linear_candidates(key, correct, full, caches, dAL, L, m, lambda a: a),
        variants=_Variants(make, rules(caches, loss) + extra_singles), rescue=rescue,
        layer_of=_layer_of, activation_of=lambda k: activations[k - 1])


def _other_mask(yours, full, caches, k, m, most=16):
    """The 0/1 mask D' that a backward pass used in layer k instead of D[k], found from your dW[k], db[k].

    With dZ̃[k] = U ⊙ D', U = dA[k] ⊙ g'(Z̃[k]) / p known (the layers above are
    right), each unit i's row of m·(dW[k], db[k]) (or of m·(dγ[k], dβ[k]) in a
    batch-normalised layer) is Σ_j D'_ij U_ij (A[k-1]_j, 1) (or (ẑ_ij, 1)): a sum
    over a subset of the examples, found by trying every subset of the (at most
    ``most``) examples with U_ij ≠ 0.  None when no subset, or too many examples.
    """
    c = caches[k - 1]
    dA = full[f"dA{k}"] if f"dA{k}" in full else None
    keys = (f"dgamma{k}", f"dbeta{k}") if c.bn is not None else (f"dW{k}", f"db{k}")
    if dA is None or any(key not in yours or np.shape(yours[key]) != np.shape(full[key]) for key in keys):
        return None
    U = dA * _act.ACTIVATIONS[c.activation].derivative(c.Z_tilde) / c.keep_prob
    other = c.D.copy()
    for i in range(U.shape[0]):
        if c.bn is not None:
            atoms = np.vstack([c.bn.Z_hat[i], np.ones(m)]).T * U[i][:, None]
            target = m * np.array([yours[keys[0]][i, 0], yours[keys[1]][i, 0]])
        else:
            atoms = np.hstack([c.A_prev.T, np.ones((m, 1))]) * U[i][:, None]
            target = m * np.append(yours[keys[0]][i], yours[keys[1]][i, 0])
        live = np.flatnonzero(U[i] != 0)
        if live.size > most:
            return None
        subsets = (np.arange(2 ** live.size)[:, None] >> np.arange(live.size)) & 1
        sums = subsets @ atoms[live]
        miss = np.linalg.norm(sums - target, axis=1)
        best = int(np.argmin(miss))
        if miss[best] > 1e-8 * (np.linalg.norm(target) + np.abs(atoms).sum()):
            return None
        other[i, live] = subsets[best]
    return None if np.array_equal(other, c.D) else other
