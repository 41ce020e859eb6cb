"""Self-checking exercises of Part IV (chapters 15 onwards); see :mod:`companion.exercises`."""
from __future__ import annotations

import numpy as np

from ._framework import compare_arrays, compare_number, exercise


# --- chapter 15: Initialisation and gradient flow through depth ----------------------
@exercise("15.1", "the weight variance Var(w), a number, for leaky ReLU layers with n_in = 100 and slope 0.2")
def _leaky_variance(value):
    n_in, slope = 100, 0.2
    right = 2 / ((1 + slope**2) * n_in)
    return compare_number(value, right, rtol=1e-6, hints=[
        (2 / n_in, "that is He's variance for ReLU: the negative side, scaled by the slope, also adds to E[a²]."),
        (2 / ((1 + slope) * n_in), "the negative half enters E[a²] squared: slope², not slope."),
        (1 / n_in, "ReLU-like units keep only part of E[z²]: the factor 2 undoes that part."),
        (2 / ((1 - slope**2) * n_in), "the negative side adds to E[a²]: 1 + slope², not 1 − slope²."),
        (1 / ((1 + slope**2) * n_in), "E[a²] = (1 + slope²) v / 2: do not drop the 1/2."),
    ])


@exercise("15.2", "an array [forward, backward] of the two variance factors of a Xavier layer with n_l = n_(l-1)/4")
def _xavier_factors(value):
    n_prev = 400.0
    n_next = n_prev / 4
    var = 2 / (n_prev + n_next)
    right = np.array([n_prev * var, n_next * var])
    try:
        swapped = np.allclose(np.asarray(value, dtype=float), right[::-1], rtol=1e-6, atol=0)
    except (TypeError, ValueError):
        swapped = False
    if swapped:
        return False, "forward and backward are swapped: the forward sum runs over the n_(l-1) inputs."
    return compare_arrays(value, right, name="[forward, backward]")


def _dead_units_with_bias(bias):
    """Dead units (Z <= 0 on every example) of chapter 15's He + ReLU network, all hidden biases = bias."""
    from .._core import _forward, init_parameters

    n, L, m = 100, 15, 200
    X = np.random.default_rng(0).normal(size=(n, m))  # the chapter's batch (drawn first)
    parameters = init_parameters([n] * L + [1], method="he", seed=0)
    for l in range(1, L):
        parameters[f"b{l}"][:] = bias
    _, caches = _forward(X, parameters, ["relu"] * (L - 1) + ["sigmoid"])
    return int(sum((c.Z <= 0).all(axis=1).sum() for c in caches[:-1]))


@exercise("15.3", "the number of dead hidden units (an integer) when every hidden bias is +0.1")
def _dead_with_positive_bias(value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        return False, f"a count must be an integer, got {value!r}"
    right = _dead_units_with_bias(0.1)
    if value == right:
        return True, "it matches."
    if value == _dead_units_with_bias(0.0):
        return False, "that is the count with zero biases: set every hidden b[l] (l = 1..14) to 0.1."
    if value == _dead_units_with_bias(-0.1):
        return False, "that is the count for b = −0.1: the bias is +0.1."
    return compare_number(value, right, rtol=0)


# --- chapter 16: L2 regularisation and dropout ----------------------------------------
@exercise("16.1", "the factor (a number) that one step multiplies W by")
def _weight_decay_factor(value):
    lr, lambd, B = 0.1, 0.1, 32
    return compare_number(value, 1 - lr * lambd / B, rtol=1e-9, hints=[
        (1 - lr * lambd, "the penalty is (λ/2m) Σ‖W‖², so its gradient is (λ/m) W: divide by the minibatch's m = 32."),
        (1 - lr * lambd / (2 * B), "the ½ of (λ/2m)‖W‖² cancels against the 2 of d(w²)/dw: the gradient is (λ/m) W."),
        (1 - lambd / B, "the step is α dW: the L2 term is multiplied by the learning rate α = 0.1 too."),
        (lr * lambd / B, "that is how much W shrinks by; the factor that multiplies W is 1 minus it."),
        (1 + lr * lambd / B, "gradient descent subtracts α dW: the weights shrink, the factor is below 1."),
    ])


@exercise("16.2", "dA, a (2, 2) array")
def _dropout_dA(value):
    dA_drop = np.array([[1.0, 2.0], [3.0, 4.0]])
    D = np.array([[1.0, 0.0], [0.0, 1.0]])
    p = 0.5
    right = dA_drop * D / p
    slips = [
        (dA_drop * D, "the 1/keep_prob of the forward pass is missing: dA = dA_drop ⊙ D / p."),
        (dA_drop / p, "the mask is missing: a unit that was dropped contributed nothing, so it gets no gradient."),
        (dA_drop * D * p, "divide by p (as the forward pass did), do not multiply."),
        (dA_drop * (1 - D) / p, "that is another mask: the backward pass reuses the forward pass's D."),
    ]
    return compare_arrays(value, right, name="dA", slips=slips)


# --- chapter 17: Batch normalisation --------------------------------------------------
@exercise("17.1", "a number (the ratio)")
def _batch_variance_bias(value):
    m = 4
    return compare_number(value, (m - 1) / m, rtol=1e-6, hints=[
        (1.0, "the batch variance measures the spread around the batch's own mean, which sits closer "
              "to the examples than the true mean: its expectation is below σ²."),
        (m / (m - 1), "that is the inverse: E[Σ(z − z̄)²] = (m − 1)σ², divided by m."),
        (1 / m, "E[Σ(z − z̄)²] = (m − 1)σ², not σ²: the sum has m terms, only one degree of freedom is lost."),
        ((m - 1) / m**2, "one 1/m too many: E[Σ(z − z̄)²] = (m − 1)σ², divided by m once."),
    ])


@exercise("17.2", "dZ, a (1, 4) array")
def _batchnorm_dZ(value):
    from ..batchnorm import batchnorm_backward, batchnorm_forward

    Z = np.array([[1.0, 2.0, 4.0, 9.0]])
    dZ_tilde = np.array([[1.0, 0.0, 0.0, 0.0]])
    _, cache, _, _ = batchnorm_forward(Z, np.array([[2.0]]), np.array([[0.5]]), eps=1e-5)
    right = batchnorm_backward(dZ_tilde, cache)[0]
    dZ_hat, Z_hat, inv_std = dZ_tilde * cache.gamma, cache.Z_hat, cache.inv_std
    slips = [
        (inv_std * dZ_hat, "only the direct path: μ and σ² depend on every z too (subtract mean(dẐ) and "
                           "Ẑ ⊙ mean(dẐ ⊙ Ẑ))."),
        (inv_std * (dZ_hat - dZ_hat.mean()), "the path through σ² is missing: subtract Ẑ ⊙ mean(dẐ ⊙ Ẑ)."),
        (inv_std * (dZ_hat - Z_hat * (dZ_hat * Z_hat).mean()), "the path through μ is missing: subtract mean(dẐ)."),
        (right / 2.0, "γ = 2 is missing: dẐ = dZ̃ ⊙ γ."),
        (right * np.array([[1.0, 0, 0, 0]]), "examples 2-4 get a dZ too: they move μ and σ², on which "
                                             "example 1's output depends."),
    ]
    return compare_arrays(value, right, m=4, name="dZ", slips=slips, rtol=1e-6)


@exercise("17.3", "a function inference_backward(dZ_tilde, gamma, running_var)")
def _inference_backward(fn):
    from ..batchnorm import EPS, batchnorm_inference
    from ..gradcheck import numerical_gradient
    from ._framework import compare_function

    def reference(dZ_tilde, gamma, running_var):
        # m ∂J/∂Z of J = (1/m) Σ dZ̃ ⊙ Z̃ by central differences of the inference pass (any Z, any mean)
        n, m = dZ_tilde.shape
        Z, mean = np.zeros((n, m)), np.zeros((n, 1))
        cost = lambda Z_: float((dZ_tilde * batchnorm_inference(Z_, gamma, mean, mean, running_var, EPS)).sum() / m)
        return m * numerical_gradient(cost, Z)

    def make_inputs(rng):
        n, m = int(rng.integers(2, 5)), int(rng.integers(3, 7))
        return rng.normal(size=(n, m)), rng.normal(size=(n, 1)), rng.random((n, 1)) + 0.1

    def one_term(dZ_tilde, gamma, running_var):
        return dZ_tilde * gamma / np.sqrt(running_var + EPS)

    if callable(fn):
        rng = np.random.default_rng(1)
        args = make_inputs(rng)
        try:
            got = np.asarray(fn(*[a.copy() for a in args]), dtype=np.float64)
        except Exception:  # noqa: BLE001  (compare_function reports it)
            got = None
        dZ_tilde, gamma, running_var = args
        if got is not None and got.shape == dZ_tilde.shape:
            if np.allclose(got, dZ_tilde * gamma / np.sqrt(running_var), rtol=1e-9, atol=0) and \
                    not np.allclose(got, one_term(*args), rtol=1e-9, atol=0):
                return False, "ε is missing: the denominator is √(σ²_run + ε), with ε = bn.EPS."
            if np.allclose(got, dZ_tilde / np.sqrt(running_var + EPS), rtol=1e-9, atol=0):
                return False, "γ is missing: Z̃ = γ ⊙ (Z − μ_run)/√(σ²_run + ε) + β."
            if np.allclose(got, dZ_tilde * gamma / (running_var + EPS), rtol=1e-9, atol=0):
                return False, "divide by the standard deviation √(σ²_run + ε), not the variance."
    return compare_function(fn, reference, make_inputs, m_of=lambda args: args[0].shape[1])


# --- chapter 18: The same network in row convention ----------------------------------
_ROWS_SIZES, _ROWS_M = [784, 128, 64, 10], 32
_ROWS_ASKED = ("W2", "b3", "Z1", "dA1", "dW1")


def _row_shapes():
    """Row-layout shapes (every array the transpose of the book's), from network.shape_table."""
    from ..network import shape_table

    table = shape_table(_ROWS_SIZES, m=_ROWS_M)
    return {name: tuple(shape[::-1]) for name, shape in zip(table["tensor"], table["shape"])}


@exercise("18.1", 'a dict {"W2": shape, "b3": shape, "Z1": shape, "dA1": shape, "dW1": shape} '
                  "(shapes as tuples, row layout)")
def _row_layout_shapes(answer):
    if not isinstance(answer, dict):
        return False, f"the answer must be a dict with keys {', '.join(_ROWS_ASKED)}; got {type(answer).__name__}"
    missing = [k for k in _ROWS_ASKED if k not in answer]
    if missing:
        return False, f"your dict has no {', '.join(missing)}"
    rows = _row_shapes()
    for key in _ROWS_ASKED:
        try:
            got = tuple(int(s) for s in answer[key])
        except (TypeError, ValueError):
            return False, f"{key}: a shape is a tuple of integers such as (3, 4); got {answer[key]!r}"
        want = rows[key]
        if got == want:
            continue
        if got == want[::-1]:
            return False, (f"{key}: {got} is the book's column-layout shape; in rows every array is its "
                           f"transpose: {want}.")
        if key == "b3" and got == (want[1],):
            return False, (f"b3: {got} is how PyTorch and Keras store a bias; this chapter's b_r is a row, "
                           f"(1, n_l) = {want}, which broadcasts down the m rows.")
        if key == "dA1" and got == rows["dA0"]:
            return False, f"dA1: {got} is the shape of dA0 (like X_r); dA1 has A1's shape, {want}."
        if key == "dW1" and got == rows["dW2"]:
            return False, f"dW1: {got} is dW2's shape; dW1 has W1's shape, {want}."
        return False, f"{key}: {got} is not its shape in row layout."
    return True, "all five shapes are the transposes of network.shape_table's."


def _linear_backward_rows_reference(dZ_r, A_prev_r, W_r):
    """The book's linear_backward on the transposes, transposed back: (dA_prev_r, dW_r, db_r)."""
    from ..layers import linear_backward

    b = np.zeros((W_r.shape[1], 1))
    dA_prev, dW, db = linear_backward(dZ_r.T, (A_prev_r.T, W_r.T, b))
    return dA_prev.T, dW.T, db.T


def _rows_inputs(rng):
    n_prev, n, m = int(rng.integers(2, 5)), int(rng.integers(5, 8)), int(rng.integers(8, 11))
    return rng.normal(size=(m, n)), rng.normal(size=(m, n_prev)), rng.normal(size=(n_prev, n))


@exercise("18.2", "a function linear_backward_rows(dZ_r, A_prev_r, W_r) returning (dA_prev_r, dW_r, db_r)")
def _linear_backward_rows(fn):
    from ._framework import compare_function

    if callable(fn):
        args = _rows_inputs(np.random.default_rng(1))
        dZ_r, A_prev_r, W_r = args
        m = dZ_r.shape[0]
        try:
            out = fn(*[a.copy() for a in args])
            _, dW_r, db_r = (np.asarray(o, dtype=np.float64) for o in out)
        except Exception:  # noqa: BLE001  (compare_function reports it)
            dW_r = db_r = None
        if db_r is not None:
            if db_r.shape == (m, 1) and np.allclose(db_r, dZ_r.sum(axis=1, keepdims=True) / m):
                return False, ("db_r was summed over axis=1, the units of each example; in rows the "
                               "examples are axis 0: dZ_r.sum(axis=0, keepdims=True) / m.")
            if db_r.shape == (dZ_r.shape[1],):
                return False, ("db_r has shape (n_l,): sum with keepdims=True to keep the row shape "
                               "(1, n_l) of b_r.")
        if dW_r is not None and dW_r.shape == W_r.shape[::-1] and np.allclose(dW_r, dZ_r.T @ A_prev_r / m):
            return False, ("dW_r = dZ_r.T @ A_prev_r / m has PyTorch's weight orientation (n_l, n_{l-1}); "
                           "W_r is (n_{l-1}, n_l), so dW_r = A_prev_r.T @ dZ_r / m.")
    return compare_function(fn, _linear_backward_rows_reference, _rows_inputs, m_of=lambda args: args[0].shape[0],
                            name="linear_backward_rows")


def _torch_layer():
    """Exercise 18.3's layer: x (4, 3), PyTorch's weight (2, 3), per-example dz (4, 2)."""
    x = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0], [3.0, 1.0, 0.0], [-1.0, 2.0, 1.0]])
    weight = np.array([[0.5, -1.0, 0.25], [2.0, 0.0, -0.5]])
    dz = np.array([[1.0, -2.0], [0.5, 0.0], [-1.0, 1.0], [2.0, 0.5]])
    return x, weight, dz


@exercise("18.3", "weight.grad, a (2, 3) array")
def _torch_weight_grad(value):
    from ..layers import linear_backward

    x, weight, dz = _torch_layer()
    m = x.shape[0]
    right = linear_backward(dz.T, (x.T, weight, np.zeros((2, 1))))[1]  # the book's dW
    slips = [
        (dz.T @ x, "the 1/m is missing: J is the mean over the m = 4 examples, so weight.grad = dzᵀ x / m."),
        (-right, "the sign is flipped: weight.grad is ∂J/∂weight, not the step −α ∂J/∂weight."),
    ]
    x_T_dz = x.T @ dz / m
    try:
        yours = np.asarray(value, dtype=np.float64)
        if yours.shape == x_T_dz.shape and np.allclose(yours, x_T_dz):
            return False, ("that is x.T @ dz / m, the gradient of a Keras-style kernel (n_in, n_out); "
                           "PyTorch's weight is (n_out, n_in) = (2, 3), so weight.grad = dz.T @ x / m.")
    except (TypeError, ValueError):
        pass
    return compare_arrays(value, right, m=m, name="weight.grad", slips=slips)
