"""A public zoo of learner-style backprop bugs, as data.

One reference backward pass, written the way learners write it (plain NumPy,
its own forward pass, one example per column), calls ``step(name, value, ctx)``
at each equation.  A bug is ONE row of ``BUGS``: which step it changes, in
which layer, how, and the diagnosis code the checker must give.  The seeds
quoted are the learner documents in /work/shared/seeds (000, 002, 003).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

# --- architectures (sizes, hidden activations + output, loss) -------------------------
ARCHS = {
    "relu-relu-sigmoid": ([4, 5, 3, 1], ["relu", "relu", "sigmoid"], "binary_cross_entropy"),
    "tanh-tanh-sigmoid": ([3, 4, 4, 1], ["tanh", "tanh", "sigmoid"], "binary_cross_entropy"),
    "sigmoid-relu-softmax": ([4, 5, 5, 3], ["sigmoid", "relu", "softmax"], "cross_entropy"),
    "relu-tanh-softmax": ([3, 4, 4, 3], ["relu", "tanh", "softmax"], "cross_entropy"),
    "sigmoid-leaky_relu-sigmoid": ([3, 5, 2, 1], ["sigmoid", "leaky_relu", "sigmoid"], "binary_cross_entropy"),
}

_G = {  # what a learner writes for g and g'
    "relu": (lambda Z: np.maximum(Z, 0), lambda Z: (Z > 0).astype(float)),
    "leaky_relu": (lambda Z: np.where(Z > 0, Z, 0.01 * Z), lambda Z: np.where(Z > 0, 1.0, 0.01)),
    "tanh": (np.tanh, lambda Z: 1 - np.tanh(Z) ** 2),
    "sigmoid": (lambda Z: 1 / (1 + np.exp(-Z)), lambda Z: np.exp(-Z) / (1 + np.exp(-Z)) ** 2),
}


def _softmax(Z):
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def reference_backward(P, X, Y, acts, loss, step=None):
    """A correct learner-style forward + backward pass; ``step`` may change any equation."""
    step = step or (lambda name, value, ctx: value)
    L, m = len(acts), X.shape[1]
    A, Zs, As = X, [None], [X]
    for l in range(1, L + 1):
        Z = P[f"W{l}"] @ A + P[f"b{l}"]
        A = _softmax(Z) if acts[l - 1] == "softmax" else _G[acts[l - 1]][0](Z)
        Zs.append(Z)
        As.append(A)
    AL = As[L]
    ctx = dict(l=L, m=m, AL=AL, Y=Y, Z=Zs[L], A=AL, acts=acts, loss=loss)
    dZ = step("dZL", AL - Y, ctx)
    grads, dA_here = {}, None
    for l in range(L, 0, -1):
        ctx = dict(l=l, m=m, dZ=dZ, A_prev=As[l - 1], A=As[l], W=P[f"W{l}"], dA=dA_here, Y=Y, AL=AL,
                   acts=acts, loss=loss)
        grads[f"dW{l}"] = step("dW", dZ @ As[l - 1].T / m, ctx)
        grads[f"db{l}"] = step("db", np.sum(dZ, axis=1, keepdims=True) / m, ctx)
        if l > 1:
            dA = step("dA_prev", P[f"W{l}"].T @ dZ, ctx)
            g, dg = _G[acts[l - 2]]
            ctx = dict(l=l - 1, m=m, dA=dA, Z=Zs[l - 1], A=As[l - 1], g=g, dg=dg, acts=acts)
            dZ = step("dZ", dA * dg(Zs[l - 1]), ctx)
            dA_here = dA
    return step("grads", grads, dict(m=m, L=L))


@dataclass(frozen=True)
class Bug:
    """One learner mistake: at ``step`` (in ``layer``, None = every layer) apply ``change``."""

    name: str
    step: str
    layer: object
    change: Callable
    code: str
    needs: Callable = field(default=lambda arch: True)  # which architectures it makes sense on
    source: str = ""


def _sigmoid_bce(arch):
    return arch[1][-1] == "sigmoid"


def _hidden(act_names):
    """The bug goes in hidden layer 1 or 2, whichever has one of these activations."""
    return lambda arch: any(a in act_names for a in arch[1][:-1])


def _square_layer(arch):
    s = arch[0]
    return any(s[l] == s[l - 1] for l in range(2, len(s)))


def _nonsquare_layer(arch):
    s = arch[0]
    return any(s[l] != s[l - 1] for l in range(2, len(s)))


def _bce_dAL(ctx):
    A, Y = ctx["AL"], ctx["Y"]
    return -(Y / A - (1 - Y) / (1 - A))


def _dAL(ctx):
    """∂𝓛/∂A[L]: −y/a + (1 − y)/(1 − a) for binary cross-entropy, −y/a for cross-entropy."""
    return _bce_dAL(ctx) if ctx["loss"] == "binary_cross_entropy" else -ctx["Y"] / ctx["AL"]


def _sig_prime(Z):
    s = 1 / (1 + np.exp(-Z))
    return s * (1 - s)


def _drop(key):
    def change(grads, ctx):
        grads = dict(grads)
        del grads[key]
        return grads
    return change


def _rename(key, new):
    def change(grads, ctx):
        grads = dict(grads)
        grads[new] = grads.pop(key)
        return grads
    return change


M = "m"  # placeholder: layer chosen per architecture at run time
HID = "hidden"  # the first hidden layer with a suitable activation
SQ = "square"  # a layer l >= 2 with W[l] square
NSQ = "nonsquare"  # a layer l >= 2 with W[l] not square

BUGS = [
    # --- where the 1/m goes -----------------------------------------------------------
    Bug("dW without 1/m", "dW", None, lambda v, c: v * c["m"], "factor_m"),
    Bug("db without 1/m", "db", None, lambda v, c: v * c["m"], "factor_m"),
    Bug("dW2 with 1/m twice", "dW", 2, lambda v, c: v / c["m"], "factor_1/m"),
    Bug("db with 1/m twice", "db", None, lambda v, c: v / c["m"], "factor_1/m"),
    Bug("1/m already in dZL (so twice)", "dZL", None, lambda v, c: v / c["m"], "factor_1/m"),
    Bug("1/m in dA_prev of layer 3", "dA_prev", 3, lambda v, c: v / c["m"], "factor_1/m"),
    Bug("no 1/m anywhere (per-example formulas on a batch)", ("dW", "db"), None, lambda v, c: v * c["m"], "factor_m",
        source="seed 003"),
    # --- shapes --------------------------------------------------------------------------
    Bug("dW1 transposed (A_prev @ dZ.T)", "dW", 1, lambda v, c: c["A_prev"] @ c["dZ"].T / c["m"], "transposed"),
    Bug("dW transposed on a square layer", "dW", SQ, lambda v, c: v.T, "transposed", needs=_square_layer),
    Bug("db without keepdims", "db", 2, lambda v, c: np.sum(c["dZ"], axis=1) / c["m"], "keepdims"),
    Bug("db summed over axis 0", "db", 2, lambda v, c: np.sum(c["dZ"], axis=0, keepdims=True) / c["m"],
        "wrong_axis"),
    Bug("db = np.sum(dZ) / m (every entry)", "db", 1, lambda v, c: np.sum(c["dZ"]) / c["m"], "sum_all",
        source="seed 000"),
    Bug("db = dZ (not summed over the examples)", "db", 2, lambda v, c: c["dZ"] / c["m"], "not_summed",
        source="seed 002"),
    Bug("dW = dZ A[l]ᵀ (the layer's own A)", "dW", 2, lambda v, c: c["dZ"] @ c["A"].T / c["m"], "wrong_operand",
        source="seed 003"),
    Bug("dW3 = dZ3 dA3ᵀ", "dW", 3, lambda v, c: c["dZ"] @ _dAL(c).T / c["m"], "wrong_operand",
        needs=lambda a: a[0][-1] != a[0][-2], source="seed 000"),
    # --- activations ---------------------------------------------------------------------
    Bug("dZ = g(dA)", "dZ", 1, lambda v, c: c["g"](c["dA"]), "activation_of_dA", source="seed 000"),
    Bug("g' at A instead of Z", "dZ", HID, lambda v, c: c["dA"] * c["dg"](c["A"]), "derivative_at_A",
        needs=_hidden(("tanh", "sigmoid"))),
    Bug("missing g' (dZ = dA)", "dZ", 1, lambda v, c: c["dA"], "missing_derivative"),
    Bug("inverted ReLU mask", "dZ", HID, lambda v, c: c["dA"] * (c["Z"] <= 0), "inverted_mask",
        needs=_hidden(("relu",))),
    Bug("σ' on top of A − Y", "dZL", None,
        lambda v, c: v * (_sig_prime(c["Z"]) if c["acts"][-1] == "sigmoid" else c["AL"] * (1 - c["AL"])),
        "extra_derivative"),
    Bug("dZL = σ(dAL)", "dZL", None, lambda v, c: 1 / (1 + np.exp(-_bce_dAL(c))), "activation_of_dA",
        needs=_sigmoid_bce, source="seed 000"),
    # --- signs and the output ------------------------------------------------------------
    Bug("dZL = Y − AL", "dZL", None, lambda v, c: -v, "sign"),
    Bug("summed log-likelihood: dZL = Y − AL and no 1/m", "dZL", None, lambda v, c: -v * c["m"], "sign_factor_m"),
    Bug("sign flipped and 1/m twice", "dZL", None, lambda v, c: -v / c["m"], "sign_factor_1/m"),
    Bug("dAL = −(Y/A + (1−Y)/(1−A))", "dZL", None,
        lambda v, c: -(c["Y"] / c["AL"] + (1 - c["Y"]) / (1 - c["AL"])) * _sig_prime(c["Z"]), "wrong_dAL",
        needs=_sigmoid_bce, source="seed 002"),
    Bug("dAL = −(Y/A − (1−Y)/A)", "dZL", None,
        lambda v, c: -(c["Y"] / c["AL"] - (1 - c["Y"]) / c["AL"]) * _sig_prime(c["Z"]), "wrong_dAL",
        needs=_sigmoid_bce, source="seed 000"),
    # --- the transposes of W -----------------------------------------------------------------
    Bug("missing Wᵀ on a square layer (dA = W dZ)", "dA_prev", SQ, lambda v, c: c["W"] @ c["dZ"],
        "missing_transpose_W", needs=_square_layer, source="seed 002"),
    Bug("missing Wᵀ on a non-square layer (raises)", "dA_prev", NSQ, lambda v, c: c["W"] @ c["dZ"], "exception",
        needs=_nonsquare_layer, source="seed 002"),
    Bug("dW = dZ A_prev (no transpose, raises)", "dW", 2, lambda v, c: c["dZ"] @ c["A_prev"], "exception",
        source="seed 002"),
    Bug("dA1 = (1/m) dZ2 dA2ᵀ (raises)", "dA_prev", 2, lambda v, c: c["dZ"] @ c["dA"].T / c["m"], "exception",
        source="seed 000"),
    # --- what comes back --------------------------------------------------------------------
    Bug("no db1 returned", "grads", None, _drop("db1"), "missing"),
    Bug("'dw1' instead of 'dW1'", "grads", None, _rename("dW1", "dw1"), "misnamed"),
    Bug("trains in place, returns nothing", "grads", None, lambda v, c: None, "no_gradients"),
    Bug("dW1 all zeros (never computed)", "dW", 1, lambda v, c: np.zeros_like(v), "zeros"),
]

# Not bugs: equivalent ways to write a correct backward pass (they must never FAIL).
EQUIVALENT = [
    Bug("mask (Z >= 0): another subgradient at z = 0", "dZ", None,
        lambda v, c: c["dA"] * (c["Z"] >= 0) if c["acts"][c["l"] - 1] == "relu" else v, None),
    Bug("dZL through dAL and σ'", "dZL", None,
        lambda v, c: _bce_dAL(c) * _sig_prime(c["Z"]) if c["acts"][-1] == "sigmoid" else v, None),
]


def resolve_layer(bug, arch):
    """The layer a bug is planted in, for this architecture."""
    sizes, acts, _ = arch
    if bug.layer == HID:
        want = ("tanh", "sigmoid") if bug.code == "derivative_at_A" else ("relu",)
        return next(l for l in range(1, len(acts)) if acts[l - 1] in want)
    if bug.layer == SQ:
        return next(l for l in range(2, len(sizes)) if sizes[l] == sizes[l - 1])
    if bug.layer == NSQ:
        return next(l for l in range(2, len(sizes)) if sizes[l] != sizes[l - 1])
    return bug.layer


def planted(bug, arch):
    """``grad_fn(P, X, Y)`` for the checker: the reference backward with ``bug`` planted."""
    sizes, acts, loss = arch
    layer = resolve_layer(bug, arch) if bug is not None else None

    steps = (bug.step,) if bug is not None and isinstance(bug.step, str) else (bug.step if bug else ())

    def step(name, value, ctx):
        if name not in steps:
            return value
        if layer is not None and ctx.get("l") != layer:
            return value
        return bug.change(value, ctx)

    return lambda P, X, Y: reference_backward(P, X, Y, acts, loss, step)


def data(arch, seed, m=6, biases="zero"):
    """Parameters (default He init, zero biases unless ``biases="random"``), X and Y."""
    from companion import network
    from companion.data import one_hot

    sizes, acts, loss = arch
    rng = np.random.default_rng(seed)
    P = network.init_parameters(sizes, seed=seed)
    if biases == "random":
        for k in P:
            if k[0] == "b":
                P[k] = rng.normal(size=P[k].shape) * 0.1
    X = rng.normal(size=(sizes[0], m))
    if loss == "cross_entropy":
        Y = one_hot(rng.integers(0, sizes[-1], m), sizes[-1])
    else:
        Y = (rng.random((sizes[-1], m)) > 0.5).astype(float)
    return P, X, Y


# --- random correct networks (for the false-FAIL test) ------------------------------------
HIDDEN = ["relu", "relu", "relu", "leaky_relu", "tanh", "sigmoid"]  # ReLU-heavy, as learners are


def random_case(seed):
    """A random small network with the DEFAULT initialisation (He, zero biases) and data.

    1-3 layers, widths 1-5, m = 1-8; sigmoid + binary cross-entropy or softmax +
    cross-entropy; in a third of the cases X has binary features (columns of exact
    zeros, so Z is exactly 0 where the biases are), in a third X is rounded to 0.1.
    """
    from companion import network
    from companion.data import one_hot

    rng = np.random.default_rng(seed)
    L = int(rng.integers(1, 4))
    out = str(rng.choice(["sigmoid", "softmax"]))
    n_L = 1 if out == "sigmoid" else int(rng.integers(2, 4))
    sizes = [int(rng.integers(1, 6)) for _ in range(L)] + [n_L]
    acts = [str(rng.choice(HIDDEN)) for _ in range(L - 1)] + [out]
    loss = "binary_cross_entropy" if out == "sigmoid" else "cross_entropy"
    m = int(rng.integers(1, 9))
    P = network.init_parameters(sizes, seed=seed)
    X = rng.normal(size=(sizes[0], m))
    if seed % 3 == 1:
        X = rng.integers(0, 2, size=(sizes[0], m)).astype(float)
    elif seed % 3 == 2:
        X = np.round(X, 1)
    Y = one_hot(rng.integers(0, n_L, m), n_L) if loss == "cross_entropy" else (rng.random((1, m)) > 0.5) * 1.0
    return P, X, Y, acts, loss


# --- Part IV: the same zoo for L2, inverted dropout and batch norm (chapters 16 and 17) -------
EPS_BN = 1e-5

# (sizes, activations, loss, options): options = dropout layers, batch-normalised layers, λ
OPTION_ARCHS = {
    "relu-relu-sigmoid, dropout 1 2": ([4, 5, 4, 1], ["relu", "relu", "sigmoid"], "binary_cross_entropy",
                                       dict(drop=(1, 2), bn=(), l2=None)),
    "tanh-relu-softmax, dropout 1 2": ([3, 5, 4, 3], ["tanh", "relu", "softmax"], "cross_entropy",
                                       dict(drop=(1, 2), bn=(), l2=None)),
    "tanh-tanh-sigmoid, dropout 2": ([3, 4, 4, 1], ["tanh", "tanh", "sigmoid"], "binary_cross_entropy",
                                     dict(drop=(2,), bn=(), l2=None)),
    "relu-tanh-sigmoid, batch norm 1": ([4, 5, 3, 1], ["relu", "tanh", "sigmoid"], "binary_cross_entropy",
                                        dict(drop=(), bn=(1,), l2=None)),
    "tanh-relu-softmax, batch norm 1 2": ([3, 4, 5, 3], ["tanh", "relu", "softmax"], "cross_entropy",
                                          dict(drop=(), bn=(1, 2), l2=None)),
    "sigmoid-tanh-sigmoid, batch norm 2": ([3, 4, 4, 1], ["sigmoid", "tanh", "sigmoid"], "binary_cross_entropy",
                                           dict(drop=(), bn=(2,), l2=None)),
    "relu-tanh-sigmoid, L2": ([4, 5, 3, 1], ["relu", "tanh", "sigmoid"], "binary_cross_entropy",
                              dict(drop=(), bn=(), l2=0.7)),
    "tanh-relu-softmax, L2 + dropout 1": ([3, 5, 4, 3], ["tanh", "relu", "softmax"], "cross_entropy",
                                         dict(drop=(1,), bn=(), l2=0.4)),
    "tanh-sigmoid-sigmoid, L2 + batch norm 1": ([3, 4, 4, 1], ["tanh", "sigmoid", "sigmoid"],
                                                "binary_cross_entropy", dict(drop=(1,), bn=(1,), l2=0.5)),
}
KEEP_PROB = 0.7


def option_data(arch, seed, m=6):
    """Parameters (batch-norm layers with γ, β and no b), X, Y and the fixed 0/1 dropout masks."""
    sizes, acts, loss, opt = arch
    P, X, Y = data(arch[:3], seed, m=m, biases="random")
    rng = np.random.default_rng(100 + seed)
    for l in opt["bn"]:
        del P[f"b{l}"]
        P[f"gamma{l}"] = 1 + 0.3 * rng.normal(size=(sizes[l], 1))
        P[f"beta{l}"] = 0.3 * rng.normal(size=(sizes[l], 1))
    masks = {}
    for l in opt["drop"]:
        D = (rng.random((sizes[l], m)) < KEEP_PROB).astype(float)
        D[:, 0] = 1.0  # every unit kept by at least one example: a missing mask always shows
        D[0, 1] = 0.0  # and at least one unit dropped
        masks[l] = D
    return P, X, Y, masks


def reference_options_backward(P, X, Y, acts, loss, opt, masks, step=None):
    """A correct learner-style pass with L2, inverted dropout (fixed masks) and batch norm; ``step`` may change it."""
    step = step or (lambda name, value, ctx: value)
    L, m, p = len(acts), X.shape[1], KEEP_PROB
    A, As, Zts, bns = X, [X], [None], [None]
    for l in range(1, L + 1):
        if l in opt["bn"]:
            Z = P[f"W{l}"] @ A
            mu, var = Z.mean(axis=1, keepdims=True), Z.var(axis=1, keepdims=True)
            Z_hat = (Z - mu) / np.sqrt(var + EPS_BN)
            Zt = P[f"gamma{l}"] * Z_hat + P[f"beta{l}"]
            bns.append((Z_hat, np.sqrt(var + EPS_BN)))
        else:
            Zt = P[f"W{l}"] @ A + P[f"b{l}"]
            bns.append(None)
        A = _softmax(Zt) if acts[l - 1] == "softmax" else _G[acts[l - 1]][0](Zt)
        if l in masks:
            A = step("dropout_forward", A * masks[l] / p, dict(l=l, A=A, D=masks[l], p=p))
        Zts.append(Zt)
        As.append(A)
    dZt = As[L] - Y
    grads = {}
    for l in range(L, 0, -1):
        if bns[l] is not None:
            Z_hat, std = bns[l]
            dZ_hat = dZt * P[f"gamma{l}"]
            dZ = (dZ_hat - dZ_hat.mean(axis=1, keepdims=True)
                  - Z_hat * (dZ_hat * Z_hat).mean(axis=1, keepdims=True)) / std
            dZ = step("bn_backward", dZ, dict(l=l, dZ_hat=dZ_hat, Z_hat=Z_hat, std=std))
            grads[f"dgamma{l}"] = (dZt * Z_hat).sum(axis=1, keepdims=True) / m
            grads[f"dbeta{l}"] = dZt.sum(axis=1, keepdims=True) / m
        else:
            dZ = dZt
            grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
            if opt["l2"] is not None:
                grads[f"db{l}"] += step("l2_db", 0 * P[f"b{l}"], dict(l=l, b=P[f"b{l}"], lambd=opt["l2"], m=m))
        grads[f"dW{l}"] = dZ @ As[l - 1].T / m
        if opt["l2"] is not None:
            grads[f"dW{l}"] += step("l2_dW", opt["l2"] / m * P[f"W{l}"], dict(l=l, W=P[f"W{l}"], lambd=opt["l2"], m=m))
        if l > 1:
            dA = P[f"W{l}"].T @ dZ
            if l - 1 in masks:
                dA = step("dropout_backward", dA * masks[l - 1] / p, dict(l=l - 1, dA=dA, D=masks[l - 1], p=p))
            g_prime = _G[acts[l - 2]][1]
            dZt = dA * g_prime(Zts[l - 1])
    return grads


def _redrawn(v, c):
    """A fresh mask with the same keep_prob, from a seeded generator (the same on every call)."""
    D = (np.random.default_rng(7).random(c["D"].shape) < c["p"]).astype(float)
    D[:, 0] = 1.0 - c["D"][:, 0]  # differs from the forward pass's mask somewhere in every unit
    return c["dA"] * D / c["p"]


def _drop(arch):
    return bool(arch[3]["drop"])


def _bn(arch):
    return bool(arch[3]["bn"])


def _l2(arch):
    return arch[3]["l2"] is not None


_CALLS = itertools.count()  # a generator seeded anew on every call: the masks differ between calls
FIRST = "first"  # the first layer with the option (dropout or batch norm)

OPTION_BUGS = [
    Bug("L2 gradient without 1/m (λ W)", "l2_dW", None, lambda v, c: c["lambd"] * c["W"], "l2_factor_m", needs=_l2),
    Bug("L2 gradient on the biases too", "l2_db", None, lambda v, c: c["lambd"] / c["m"] * c["b"], "l2_on_bias",
        needs=_l2),
    Bug("L2 gradient forgotten", "l2_dW", None, lambda v, c: 0 * v, "missing_penalty", needs=_l2),
    Bug("dropout mask not applied in backward", "dropout_backward", FIRST, lambda v, c: c["dA"],
        "dropout_mask_missing", needs=_drop),
    Bug("backward: mask without 1/keep_prob", "dropout_backward", FIRST, lambda v, c: c["dA"] * c["D"],
        "dropout_scale_missing", needs=_drop),
    Bug("no 1/keep_prob in forward and backward", ("dropout_forward", "dropout_backward"), FIRST,
        lambda v, c: v * c["p"], "dropout_scale_missing", needs=_drop),
    Bug("mask drawn again in backward (seeded)", "dropout_backward", FIRST, _redrawn, "mask_redrawn", needs=_drop),
    Bug("mask drawn again in backward, another one on every call", "dropout_backward", FIRST,
        lambda v, c: c["dA"] * (np.random.default_rng(next(_CALLS)).random(c["D"].shape) < c["p"]) / c["p"],
        "random_each_call", needs=_drop),
    Bug("batch norm backward: first term only", "bn_backward", FIRST, lambda v, c: c["dZ_hat"] / c["std"],
        "bn_first_term_only", needs=_bn),
    Bug("batch norm backward: no mean path", "bn_backward", FIRST,
        lambda v, c: (c["dZ_hat"] - c["Z_hat"] * (c["dZ_hat"] * c["Z_hat"]).mean(axis=1, keepdims=True)) / c["std"],
        "bn_missing_mean_path", needs=_bn),
    Bug("batch norm backward: no variance path", "bn_backward", FIRST,
        lambda v, c: (c["dZ_hat"] - c["dZ_hat"].mean(axis=1, keepdims=True)) / c["std"],
        "bn_missing_variance_path", needs=_bn),
]


def planted_options(bug, arch, masks):
    """``grad_fn(P, X, Y)``: the options pass with ``bug`` planted (in the first layer with its option)."""
    sizes, acts, loss, opt = arch
    steps = () if bug is None else ((bug.step,) if isinstance(bug.step, str) else bug.step)
    layer = None
    if bug is not None and bug.layer == FIRST:
        layer = min(opt["bn"]) if bug.step == "bn_backward" else min(opt["drop"])

    def step(name, value, ctx):
        if name not in steps or (layer is not None and ctx.get("l") != layer):
            return value
        return bug.change(value, ctx)

    return lambda P, X, Y: reference_options_backward(P, X, Y, acts, loss, opt, masks, step)
