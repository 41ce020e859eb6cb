"""Self-checking exercises of Part III (chapters 11 to 14); see :mod:`companion.exercises`."""
from __future__ import annotations

import numpy as np  # noqa: F401

from ._framework import compare_arrays, compare_function, compare_number, exercise  # noqa: F401


# --- chapter 14: From hand-written backprop to autograd --------------------------------
@exercise("14.1", "a function leaky_relu(t, slope=0.01) that returns a Tensor with parents (t,) and a _backward")
def _leaky_relu_op(fn):
    from ..activations import leaky_relu, leaky_relu_derivative
    from ..autograd import Tensor

    rng = np.random.default_rng(14)
    for slope in (0.01, 0.2):
        z = rng.normal(size=(3, 4))
        z[0, 0] = 0.0  # the kink: the book's convention is g'(0) = slope
        t = Tensor(z)
        out = fn(t, slope)
        if not isinstance(out, Tensor):
            return False, f"leaky_relu must return a Tensor, got {type(out).__name__}"
        ok, message = compare_arrays(out.data, leaky_relu(z, slope), name=f"the forward value (slope {slope})")
        if not ok:
            return False, message
        weights = rng.normal(size=z.shape)
        (out * weights).sum().backward()
        ok, message = compare_arrays(t.grad, weights * leaky_relu_derivative(z, slope),
                                     name=f"the gradient reaching t (slope {slope})")
        if not ok:
            return False, message + " Check the _backward: out.grad times g'(z), added to t.grad."
        if out.grad is not None:
            (out * weights).sum().backward()  # a second pass must add, not assign
            if not np.allclose(t.grad, 2 * weights * leaky_relu_derivative(z, slope)):
                return False, "a second backward() did not add to t.grad: use +=, not ="
    return True, "forward values and backward rule agree with companion.activations, and gradients add."


@exercise("14.3", "the number df/dx at x = 2 for f = x·x + x")
def _df_dx(value):
    return compare_number(value, 2 * 2.0 + 1, rtol=1e-9, hints=[
        (2.0, "that is what an engine that assigns (=) instead of adding (+=) would report."),
        (4.0, "that is d(x·x)/dx alone: the path through + x adds its 1."),
        (3.0, "that counts each use of x once: the product contributes 2x, not x."),
    ])


@exercise("14.4", "the smallest batch size B (an integer) at which the float32 caches beyond X outweigh the parameters")
def _cache_batch(value):
    from .._core import init_parameters

    sizes = [784, 128, 64, 10]
    n_params = sum(v.size for v in init_parameters(sizes).values())
    per_example = 2 * sum(sizes[1:])  # Z and A of each layer; X is held by any forward pass
    B = n_params // per_example + 1
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        return False, f"B must be an integer, got {value!r}"
    if value == B - 1:
        return False, f"at B = {value} the caches take {4 * per_example * value:,} bytes, not more than the parameters"
    if value == n_params // (sizes[0] + per_example) + 1:
        return False, "leave X out: a forward pass that only predicts holds the input too."
    if value == n_params // sum(sizes[1:]) + 1:
        return False, "count both Z and A for every layer: each is kept for the backward pass."
    return compare_number(value, B, rtol=0)
