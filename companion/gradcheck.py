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
* **FAIL**: it does not, and another estimate (step 10ε, ε/10, or a
  Richardson extrapolation (4 n(ε/2) − n(ε))/3 with ε = 1e-3) agrees with the
  first, so the estimate is not what is off (if yours matches one of those, it
  passes);
* **inconclusive**: no verdict is possible for some entries.  Where the ±ε step
  moves a pre-activation Z across or onto a kink of its activation (z = 0 for
  ReLU; ``Activation.kinks`` in the registry), the central difference measures
  neither slope; such entries are judged against second-order one-sided
  estimates on each side and, for a z exactly on the kink, against the
  gradient with that z kept on either linear branch (relu'(0) = 0 or 1, both
  valid conventions).  They are inconclusive only if your value matches none
  of these while they disagree.  If all the step sizes disagree, the estimate
  itself is unreliable: also inconclusive.

The package's own backward pass never decides a verdict; it is the baseline
for naming a bug, and a gradient that equals it while the estimates disagree
with both is reported as such (``package_disagrees``).

``report.passed`` is True when no gradient FAILs.  When a gradient fails, the
report compares yours with what well-known bugs would produce (simulated on the
same network, see :mod:`companion._diagnose`) and names the match:

============================  ========================================================
code                          meaning
============================  ========================================================
``transposed``                you computed dWᵀ (e.g. ``A_prev @ dZ.T`` for ``dZ @ A_prev.T``)
``keepdims``                  db has shape (n,) not (n, 1): ``sum`` without ``keepdims=True``
``wrong_axis``                db summed over the examples' axis the wrong way (axis=0)
``sum_all``                   db summed over every entry: one number
``not_summed``                db = dZ, not summed over the examples
``wrong_operand``             dW = dZ·Xᵀ with the wrong X (e.g. A[l] or dA[l] for A[l-1])
``shape``                     any other wrong shape
``sign``                      the gradient of −J: a flipped sign in dAL or the update
``factor_m``                  m times too large: the 1/m is missing
``factor_1/m``                m times too small: the 1/m is applied twice (m², m³: three, four times)
``sign_factor_m``             −m times: sign flipped and 1/m missing (summed log-likelihood)
``sign_factor_1/m``           −1/m times: sign flipped and 1/m applied twice
``factor``                    another constant, shared by several gradients (a (1, 1) db alone never gets it)
``zeros``                     all zeros: nothing flowed back here
``missing_derivative``        dZ[k] = dA[k]: the ⊙ g'(Z[k]) is missing
``derivative_at_A``           g' evaluated at A[k] instead of Z[k]
``activation_of_dA``          dZ[k] = g(dA[k]) instead of dA[k] ⊙ g'(Z[k])
``derivative_at_dA``          g' evaluated at dA[k] instead of Z[k]
``inverted_mask``             the ReLU mask is inverted: dA ⊙ (Z ≤ 0)
``extra_derivative``          g' applied on top of AL − Y, which already includes it
``wrong_dAL``                 a known wrong dAL formula (seeds 000 and 002)
``missing_transpose_W``       dA[k-1] = W[k] dZ[k] on a square layer (the shapes hide it)
``missing_penalty``           the penalty's gradient is not in dW (L2: + (λ/m) W[l] forgotten)
``l2_factor_m``               L2's gradient added as λ W[l], without the 1/m
``l2_on_bias``                L2's gradient (λ/m) b[l] added to db too (L2 penalises W only)
``dropout_mask_missing``      dropout's mask missing in the backward pass: dA[k] not multiplied by D[k] (with or without / p)
``dropout_scale_missing``     D[k] applied without the 1/keep_prob (in backward, or in forward and backward)
``mask_redrawn``              the backward pass used another 0/1 mask than the forward pass's D[k]
``random_each_call``          two calls with the same inputs gave different gradients (a mask drawn per call)
``bn_first_term_only``        batch norm's backward is dẐ/√(σ² + ε) only: the paths through μ and σ² are missing
``bn_missing_mean_path``      batch norm's backward misses − mean(dẐ), the path through μ
``bn_missing_variance_path``  batch norm's backward misses − ẑ ⊙ mean(dẐ ⊙ ẑ), the path through σ²
``combined``                  two mistakes together (the text names both; ``report.bugs``)
``downstream``                wrong perhaps only because a layer above is (errors flow down)
``missing``                   ``grad_fn`` returned no such gradient
``misnamed``                  it is there, under another name (e.g. ``'dw1'``)
``no_gradients``              ``grad_fn`` returned None or not a dict
``exception``                 ``grad_fn`` raised: ``report.exception`` says where, shapes, fix
``package_disagrees``         yours equals the package's analytic gradient, yet the estimates contradict both
``unknown``                   no known bug, or pair of bugs, explains the difference
``kink``                      (inconclusive) a kink within the step; your value matches neither side
``unreliable_estimate``       (inconclusive) the estimates with steps ε and ε/10 disagree
============================  ========================================================
"""
from __future__ import annotations

import numpy as np

from . import activations as _act
from . import losses as _loss
from . import _options
from . import regularization as _reg
from ._core import LayerCache, _backward, _check_parameters, _check_X, _forward
from ._diagnose import MATCH, close, factor_text, factors, name_shape, rule_code, rule_text
from ._learner_errors import LearnerError
from ._problems import _options_forward, branch, check_masks, network_problem, options_problem
from ._report import SHOWN_BELOW, GradCheckReport, _run, _Target, _Variants, format_error, relative_error
from ._validate import as_numeric, check_positive_float

THRESHOLD = 1e-7
EPSILON = 1e-5


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
    names bugs across all gradients together; this is the one-array version
    (chapter *Gradient checking*, ``book/08_gradient_checking.ipynb``).
    ``yours`` and ``correct`` are arrays (any shapes); ``m`` is the number of
    examples, for the factors ±m and ±1/m.
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
            return fcode, factor_text(fcode, m, c)
    denom = float((correct * correct).sum())
    if denom > 0 and np.count_nonzero(correct) >= 2:  # one nonzero entry is proportional to anything
        c = float((yours * correct).sum()) / denom
        if close(yours, c * correct):
            return "factor", factor_text("factor", m, c)
    return "unknown", "no known bug explains the difference"


# --- what is checked: a network, a course-style network, one linear step, one activation ---
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
                   max_entries=None, seed=0, layout="columns", penalty=None, l2=None, keep_prob=1.0, masks=None):
    """Check any backward pass: ``grad_fn(parameters, X, Y) -> {"dW1": …, "db1": …}``.

    The reference is the package's cost J = (1/m) Σ_i 𝓛(A[L]⁽ⁱ⁾, Y⁽ⁱ⁾) after
    the forward pass Z[l] = W[l] A[l-1] + b[l], A[l] = g[l](Z[l]), and each
    dW[l] (n_l, n_{l-1}) and db[l] (n_l, 1) is compared with numerical
    estimates of ∂J/∂W[l] and ∂J/∂b[l] (chapter *Gradient checking*,
    ``book/08_gradient_checking.ipynb``).  Everything is checked in float64;
    ``max_entries`` checks a random sample of that many entries per parameter
    (seeded by ``seed``), for big layers.  Anything ``grad_fn`` raises becomes
    a diagnosis (``report.exception``); ``grad_fn`` is called twice, on fresh
    copies, and gradients that differ between the calls are reported (something
    random inside it, such as a dropout mask drawn on every call).

    ``layout="rows"``: your X is (m, n_0), Y is (m, n_L), W[l] is
    (n_{l-1}, n_l) and b[l] is (1, n_l) or (n_l,), so Z = X W + b; the checker
    transposes at the boundary, shows shapes in your layout and says so in a note.

    ``penalty(parameters) -> float`` adds a regularisation term to the
    reference cost, J + penalty (e.g. L2: ``lambda P: lambd / (2 * m) *
    sum((P[k] ** 2).sum() for k in P if k[0] == "W")``), for a backward pass
    that folds its gradient into dW; ``parameters`` are given to it in the
    book's layout (W[l] is (n_l, n_{l-1})).  ``l2=λ`` is the same with the
    package's L2 term, :func:`companion.regularization.l2_cost`:
    J + (λ / 2m) Σ_l ‖W[l]‖², whose gradient adds (λ / m) W[l] to dW[l]
    (chapter *L2 regularisation and dropout*, ``book/16_regularisation.ipynb``).

    Batch norm (chapter *Batch normalisation*, ``book/17_batchnorm.ipynb``):
    a hidden layer l with ``"gamma{l}"`` and ``"beta{l}"`` (n_l, 1) in
    ``parameters`` (and no ``"b{l}"``, as :func:`companion.network.init_parameters`
    with ``batchnorm=`` builds them) computes Z̃[l] = γ[l] ⊙ (Z[l] − μ) / √(σ² + ε) + β[l]
    with the batch's own μ and σ² (training mode), A[l] = g[l](Z̃[l]); dgamma{l}
    and dbeta{l} are checked too.

    Dropout (chapter 16): ``keep_prob=p`` and ``masks={1: D1, 2: D2, …}`` (or
    ``{"D1": D1, …}``), the 0/1 masks (n_l, m) your forward pass uses, held
    fixed: the reference computes A[l] = g[l](Z̃[l]) ⊙ D[l] / p in each layer
    with a mask.  ``layout="rows"`` takes neither option.
    """
    if l2 is not None:
        if penalty is not None:
            raise ValueError("give either penalty or l2, not both")
        _reg._check_lambda(l2)  # a ValueError naming lambd
        m_l2 = np.shape(X)[0 if layout == "rows" else 1]

        def penalty(P, lambd=l2, m=m_l2):
            return _reg.l2_cost(P, lambd, m)
    if penalty is not None and not callable(penalty):
        raise TypeError(f"penalty must be a function of the parameters returning a float, got {type(penalty).__name__}")
    fn_name = _name(grad_fn, "grad_fn")
    if layout not in ("columns", "rows"):
        raise ValueError(f"layout must be 'columns' (X is (n_0, m)) or 'rows' (X is (m, n_0)), got {layout!r}")
    _loss.get(loss)
    eps = check_positive_float("eps", eps)
    threshold = check_positive_float("threshold", threshold)
    keep_prob = _reg._check_keep_prob(keep_prob)  # a ValueError naming keep_prob
    bn = _options.batchnorm_layers(parameters)
    if layout == "rows" and (bn or keep_prob < 1 or masks is not None):
        raise ValueError("layout='rows' takes plain W, b networks: check batch norm and dropout in the book's "
                         "layout (layout='columns', X is (n_0, m))")
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
        params = {k: np.array(v, dtype=np.float64)
                  for k, v in _check_parameters(parameters, activations, loss, batchnorm=bn).items()}
        Xc, Yc = X, Y
        to_yours = {f"d{k}": (lambda a: a) for k in params}
    Xc = _check_X(Xc, params)
    Yc = as_numeric("Y", Yc, dtype=np.float64)
    _loss.check_labels(loss, Yc)
    L = len(activations)
    if Yc.shape != (params[f"W{L}"].shape[0], Xc.shape[1]):
        raise ValueError(f"Y has shape {Yc.shape}; expected (n_L, m) = ({params[f'W{L}'].shape[0]}, {Xc.shape[1]})")
    if bn and Xc.shape[1] < 2:
        raise ValueError(f"X has {Xc.shape[1]} example; batch normalisation in training mode needs m ≥ 2")
    masks = check_masks(masks, keep_prob, params, L, Xc.shape[1])
    if layout == "columns":
        Xc = np.array(Xc, dtype=np.float64)
        yours_params, X_yours, Y_yours = {k: v.copy() for k, v in params.items()}, Xc.copy(), Yc.copy()
    keys = [f"d{k}" for k in params]
    if bn or masks:
        problem = options_problem(params, Xc, Yc, list(activations), loss, keys, bn, masks, keep_prob, penalty, l2)
        if masks:
            notes.append(f"dropout: the reference applies your mask{'s' if len(masks) > 1 else ''} D[l] / "
                         f"{keep_prob:g} in layer{'s' if len(masks) > 1 else ''} "
                         f"{', '.join(map(str, sorted(masks)))}, the same on every evaluation")
        if bn:
            notes.append("batch norm in layer" + ("s " if len(bn) > 1 else " ") + ", ".join(map(str, bn))
                         + ": the reference normalises with the batch's own mean and variance (training mode)")
    else:
        problem = network_problem(params, Xc, Yc, list(activations), loss, to_yours, keys, penalty, l2)
    problem["layout"] = layout
    if penalty is not None:
        notes.append("the reference cost includes your penalty term: J + penalty(parameters)")
    problem["want"] = {k: to_yours[k](params[k[1:]]).shape for k in keys}
    second = ({k: v.copy() for k, v in yours_params.items()}, X_yours.copy(), Y_yours.copy())
    yours, exc = _call(grad_fn, yours_params, X_yours, Y_yours)
    if exc is None and isinstance(yours, dict):  # the same inputs again: is anything random inside?
        yours = {k: np.array(v) if isinstance(v, np.ndarray) else v for k, v in yours.items()}
        again, _ = _call(grad_fn, *second)
        problem["again"] = again
    return _run(problem, yours, threshold, eps, max_entries, seed, notes, exc, fn_name=fn_name)


def check_gradients(parameters, X, Y, activations, loss, **kwargs):
    """Check the package's own backward pass, :func:`companion.network.backward`, the same way.

    dW[l] = (1/m) dZ[l] A[l-1]ᵀ (n_l, n_{l-1}) and db[l] = (1/m) Σ_i dZ[l] (n_l, 1)
    against numerical estimates of ∂J/∂W[l], ∂J/∂b[l] (chapters *The whole
    network*, ``book/09_whole_network.ipynb``, and *Gradient checking*).
    Keyword arguments are those of :func:`check_backward`; with batch-norm
    parameters or ``keep_prob=``, ``masks=`` the package's pass with those
    options is checked (``companion._options``, chapters 16 and 17).
    """
    bn = _options.batchnorm_layers(parameters)

    def package_backward(params, X, Y):
        if kwargs.get("masks") is not None:  # the package's backward through the given masks
            keep = kwargs.get("keep_prob", 1.0)
            masks = check_masks(kwargs["masks"], keep, params, len(activations), X.shape[1])
            AL, caches, _ = _options_forward(X, params, activations, bn, masks, keep)
            grads = _options._backward(AL, Y, caches, loss)
        elif bn:
            AL, caches = _options._forward(X, params, activations)
            grads = _options._backward(AL, Y, caches, loss)
        else:
            AL, caches = _forward(X, params, activations)
            grads = _backward(AL, Y, caches, loss)
        return grads if kwargs.get("l2") is None else _options._add_l2(grads, caches, kwargs["l2"])

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
    fn_name = _name(L_model_backward, "L_model_backward")
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
    problem = network_problem(params, Xc, Yc, list(activations), loss, ident, keys)
    AL, caches = _forward(Xc, params, activations)
    problem["want"] = {k: problem["correct"][k].shape for k in keys}
    course_caches = [((c.A_prev.copy(), c.W.copy(), c.b.copy()), c.Z.copy()) for c in caches]
    yours, exc = _call(L_model_backward, AL.copy(), Yc.copy(), course_caches)
    return _run(problem, yours, threshold, eps, max_entries, seed, [], exc,
                fn_name=fn_name)


def _course_setup(fn, name, parameters, X, Y, activations):
    """Checked float64 parameters, X, Y, the activations (course default) and the learner's name for ``fn``."""
    fn_name = _name(fn, name)
    from ._core import num_layers

    L = num_layers(parameters)
    activations = ["relu"] * (L - 1) + ["sigmoid"] if activations is None else list(activations)
    params = {k: np.array(v, dtype=np.float64)
              for k, v in _check_parameters(parameters, activations, "binary_cross_entropy").items()}
    Xc = np.array(_check_X(X, params), dtype=np.float64)
    Yc = as_numeric("Y", Y, dtype=np.float64)
    _loss.check_labels("binary_cross_entropy", Yc)
    if Yc.shape != (params[f"W{L}"].shape[0], Xc.shape[1]):
        raise ValueError(f"Y has shape {Yc.shape}; expected (n_L, m) = ({params[f'W{L}'].shape[0]}, {Xc.shape[1]})")
    return fn_name, params, Xc, Yc, activations


def _course_cache(params, X, activations, masks, keep_prob):
    """The course's cache tuple: (Z, D, A, W, b) for a layer with a dropout mask, (Z, A, W, b) otherwise."""
    A, cache = X, []
    for l, name in enumerate(activations, start=1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        Z = W @ A + b
        A = _act.ACTIVATIONS[name].forward(Z)
        if l in masks:
            A = A * masks[l] / keep_prob
            cache += [Z, masks[l].astype(int), A, W, b]
        else:
            cache += [Z, A, W, b]
    return tuple(np.array(a, copy=True) for a in cache)


def _check_course_pass(fn, fn_name, params, X, Y, activations, third, cache, problem, eps, threshold):
    """Call ``fn(X, Y, cache, third)`` twice (fresh copies) and judge its dW, db against ``problem``."""
    L = len(activations)
    problem["want"] = {k: problem["correct"][k].shape for k in problem["keys"]}
    fresh = [np.array(a, copy=True) for a in cache]
    yours, exc = _call(fn, X.copy(), Y.copy(), cache, third)
    if exc is None and isinstance(yours, dict):
        yours = {k: np.array(v) if isinstance(v, np.ndarray) else v for k, v in yours.items()}
        problem["again"] = _call(fn, X.copy(), Y.copy(), tuple(fresh), third)[0]
    notes = [f"your {fn_name}(X, Y, cache, {third!r}) was given the course's cache for a {L}-layer network "
             f"({', '.join(activations)}); dW1..dW{L} and db1..db{L} are checked"]
    return _run(problem, yours, threshold, eps, None, 0, notes, exc, fn_name=fn_name)


def check_course_l2(backward_propagation_with_regularization, parameters, X, Y, lambd, activations=None,
                    eps=EPSILON, threshold=THRESHOLD):
    """Check the deeplearning.ai course's ``backward_propagation_with_regularization(X, Y, cache, lambd)``.

    The course's cache is ``(Z1, A1, W1, b1, Z2, A2, W2, b2, …, ZL, AL, WL, bL)``
    (LINEAR → RELU → … → LINEAR → SIGMOID unless ``activations`` says
    otherwise); the function returns ``gradients`` with ``"dW{l}"``,
    ``"db{l}"``.  The reference cost is J + (λ/2m) Σ_l ‖W[l]‖², whose
    gradients are dW[l] = (1/m) dZ[l] A[l-1]ᵀ + (λ/m) W[l] (n_l, n_{l-1}) and
    db[l] = (1/m) Σ_i dZ[l] (n_l, 1), with binary cross-entropy (chapter *L2
    regularisation and dropout*, ``book/16_regularisation.ipynb``).
    """
    fn_name, params, Xc, Yc, activations = _course_setup(
        backward_propagation_with_regularization, "backward_propagation_with_regularization", parameters, X, Y,
        activations)
    _reg._check_lambda(lambd)
    m, L = Xc.shape[1], len(activations)
    keys = [f"d{k}{l}" for l in range(L, 0, -1) for k in ("W", "b")]
    problem = network_problem(params, Xc, Yc, activations, "binary_cross_entropy", {k: (lambda a: a) for k in keys},
                              keys, lambda P: _reg.l2_cost(P, lambd, m), lambd)
    cache = _course_cache(params, Xc, activations, {}, 1.0)
    return _check_course_pass(backward_propagation_with_regularization, fn_name, params, Xc, Yc, activations, lambd,
                              cache, problem, eps, threshold)


def check_course_dropout(backward_propagation_with_dropout, parameters, X, Y, keep_prob, activations=None, seed=0,
                         eps=EPSILON, threshold=THRESHOLD):
    """Check the deeplearning.ai course's ``backward_propagation_with_dropout(X, Y, cache, keep_prob)``.

    The course's cache is ``(Z1, D1, A1, W1, b1, …, Z[L-1], D[L-1], A[L-1], W[L-1], b[L-1], ZL, AL, WL, bL)``
    with a 0/1 mask D[l] (n_l, m) on every hidden layer and A[l] already
    dropped and scaled, A[l] = g(Z[l]) ⊙ D[l] / keep_prob.  The masks are
    drawn once (seeded by ``seed``) and held fixed: the reference cost
    applies the same D[l] / keep_prob, and dW[l] (n_l, n_{l-1}), db[l]
    (n_l, 1) are compared with its numerical gradients (chapter *L2
    regularisation and dropout*, ``book/16_regularisation.ipynb``).
    """
    fn_name, params, Xc, Yc, activations = _course_setup(
        backward_propagation_with_dropout, "backward_propagation_with_dropout", parameters, X, Y, activations)
    keep_prob = _reg._check_keep_prob(keep_prob)
    m, L = Xc.shape[1], len(activations)
    if L < 2:
        raise ValueError("parameters describe a network with no hidden layer (only W1, b1): dropout acts on hidden "
                         "layers, so give at least W1, b1, W2, b2")
    rng = np.random.default_rng(seed)
    masks = {l: (rng.random((params[f"W{l}"].shape[0], m)) < keep_prob).astype(np.float64) for l in range(1, L)}
    keys = [f"d{k}{l}" for l in range(L, 0, -1) for k in ("W", "b")]
    problem = options_problem(params, Xc, Yc, activations, "binary_cross_entropy", keys, (), masks, keep_prob)
    cache = _course_cache(params, Xc, activations, masks, keep_prob)
    return _check_course_pass(backward_propagation_with_dropout, fn_name, params, Xc, Yc, activations, keep_prob,
                              cache, problem, eps, threshold)


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
    fn_name = _name(linear_backward, "linear_backward")
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
    return _run(problem, out, threshold, eps, None, seed, [], exc, fn_name=fn_name)


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
    fn_name = _name(activation_backward, f"{activation}_backward")
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
            A = np.where(freeze[1][0], branch(act, act.kinks[0], freeze[0], Zx), A)
        return float((dA * A).sum()), ([(Zx.copy(), act.kinks[:1])] if act.kinks else [])

    correct = {"dZ": act.backward(dA, Z, act.forward(Z))}
    singles = [(r, 1) for r in ("missing_derivative", "derivative_at_A", "activation_of_dA", "derivative_at_dA")]
    if act.kinks:
        singles += [("inverted_mask", 1), ("inverted_mask:lt", 1)]
    from ._diagnose import _hidden_rule

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
                fn_name=fn_name)


__all__ = ["THRESHOLD", "EPSILON", "SHOWN_BELOW", "MATCH", "LearnerError", "format_error", "relative_error",
           "numerical_gradient", "diagnose", "GradCheckReport", "check_backward", "check_gradients",
           "check_course_model", "check_course_l2", "check_course_dropout", "check_linear_backward",
           "check_activation_backward"]
