"""companion.autograd: every operation's backward rule against central differences
of an independent NumPy forward, accumulation like PyTorch, NumPy operands, the
whole network, bad input, and the drawn graph."""
import numpy as np
import pytest
from matplotlib.text import Annotation

from companion import data, network
from companion.autograd import Tensor, draw_graph, zero_grad
from companion.gradcheck import numerical_gradient, relative_error

C = np.linspace(-1.0, 1.5, 12).reshape(3, 4)  # an ndarray operand (a constant)
K = np.linspace(0.5, -0.7, 6).reshape(2, 3)    # left factor of an ndarray @ Tensor


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _log_softmax(z):
    return z - np.log(np.exp(z).sum(axis=0, keepdims=True))


# One table of operator cases: name -> (with Tensors, the same with NumPy, shape of b).
# The NumPy column is the reference: forward values are compared with it and the
# gradients with its central differences, so the Tensor is never its own reference.
# Cases whose name ends in "_ndarray" or "_scalar" put a NumPy array or a Python
# number on the LEFT, so they go through the reflected operators.
OPS = {
    "add_broadcast": (lambda a, b: ((a + b) * a).sum(), lambda a, b: ((a + b) * a).sum(), (3, 1)),
    "radd_ndarray": (lambda a, b: ((C + a) * b).sum(), lambda a, b: ((C + a) * b).sum(), (3, 4)),
    "radd_scalar": (lambda a, b: ((2.0 + a) * b).sum(), lambda a, b: ((2.0 + a) * b).sum(), (3, 4)),
    "sub_broadcast": (lambda a, b: ((a - b) ** 2).sum(), lambda a, b: ((a - b) ** 2).sum(), (1, 4)),
    "rsub_ndarray": (lambda a, b: ((C - a) * b).sum(), lambda a, b: ((C - a) * b).sum(), (3, 4)),
    "rsub_scalar": (lambda a, b: ((1.0 - a) * b).sum(), lambda a, b: ((1.0 - a) * b).sum(), (3, 4)),
    "mul": (lambda a, b: (a * b * a).sum(), lambda a, b: (a * b * a).sum(), (3, 4)),
    "rmul_ndarray": (lambda a, b: (C * a * b).sum(), lambda a, b: (C * a * b).sum(), (3, 4)),
    "rmul_scalar": (lambda a, b: (3.0 * a * b).sum(), lambda a, b: (3.0 * a * b).sum(), (3, 4)),
    "truediv": (lambda a, b: (a / (b * b + 1.0)).sum(), lambda a, b: (a / (b * b + 1.0)).sum(), (3, 4)),
    "rtruediv_scalar": (lambda a, b: (2.0 / (a * a + b * b + 1.0)).sum(),
                        lambda a, b: (2.0 / (a * a + b * b + 1.0)).sum(), (3, 4)),
    "rtruediv_ndarray": (lambda a, b: (C / (b * b + 1.0) * a).sum(),
                         lambda a, b: (C / (b * b + 1.0) * a).sum(), (3, 4)),
    "matmul": (lambda a, b: ((a @ b.T) ** 2).sum(), lambda a, b: ((a @ b.T) ** 2).sum(), (3, 4)),
    "rmatmul_ndarray": (lambda a, b: ((K @ a) ** 2).sum() * 0.5 + (K @ (a * b)).sum(),
                        lambda a, b: ((K @ a) ** 2).sum() * 0.5 + (K @ (a * b)).sum(), (3, 4)),
    "neg": (lambda a, b: (-a * b).sum(), lambda a, b: (-a * b).sum(), (3, 4)),
    "pow": (lambda a, b: (a ** 3 * b).sum(), lambda a, b: (a ** 3 * b).sum(), (3, 4)),
    "exp_log": (lambda a, b: (a.exp() + b * b).log().sum(), lambda a, b: np.log(np.exp(a) + b * b).sum(), (3, 4)),
    "relu": (lambda a, b: (a.relu() * b).sum(), lambda a, b: (np.maximum(a, 0) * b).sum(), (3, 4)),
    "sigmoid": (lambda a, b: (a.sigmoid() * b).sum(), lambda a, b: (_sigmoid(a) * b).sum(), (3, 4)),
    "tanh": (lambda a, b: (a.tanh() * b).sum(), lambda a, b: (np.tanh(a) * b).sum(), (3, 4)),
    "sum_axis": (lambda a, b: (a.sum(axis=1) ** 2).sum() + (a.sum(axis=0, keepdims=True) * b).sum(),
                 lambda a, b: (a.sum(axis=1) ** 2).sum() + (a.sum(axis=0, keepdims=True) * b).sum(), (1, 4)),
    "mean": (lambda a, b: (a * b).mean(), lambda a, b: (a * b).mean(), (3, 4)),
    "mean_axis": (lambda a, b: (a.mean(axis=0) ** 2).sum() + (a.mean(axis=1, keepdims=True) * b).sum(),
                  lambda a, b: (a.mean(axis=0) ** 2).sum() + (a.mean(axis=1, keepdims=True) * b).sum(), (3, 1)),
    "transpose": (lambda a, b: (a.T @ b).mean(), lambda a, b: (a.T @ b).mean(), (3, 4)),
    "log_softmax": (lambda a, b: (a.log_softmax() * b).sum(), lambda a, b: (_log_softmax(a) * b).sum(), (3, 4)),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_each_operation_matches_numpy_and_its_central_differences(name, rng):
    with_tensors, with_numpy, b_shape = OPS[name]
    a0, b0 = rng.normal(size=(3, 4)) + 0.1, rng.normal(size=b_shape)
    a, b = Tensor(a0), Tensor(b0)
    J = with_tensors(a, b)
    assert isinstance(J, Tensor) and J.data.size == 1, name
    assert abs(J.data.item() - with_numpy(a0, b0)) < 1e-12 * max(1.0, abs(with_numpy(a0, b0))), name
    J.backward()
    for grad, numeric in [(a.grad, numerical_gradient(lambda x: float(with_numpy(x, b0)), a0.copy())),
                          (b.grad, numerical_gradient(lambda x: float(with_numpy(a0, x)), b0.copy()))]:
        assert grad.shape == numeric.shape, name
        assert relative_error(grad, numeric) < 1e-7 or np.abs(grad - numeric).max() < 1e-9, name


@pytest.mark.parametrize("make, value", [
    (lambda t: C * t, C * 2.0),
    (lambda t: C + t, C + 2.0),
    (lambda t: C - t, C - 2.0),
    (lambda t: C / t, C / 2.0),
    (lambda t: K @ (t * np.ones((3, 4))), K @ np.full((3, 4), 2.0)),
    (lambda t: np.float64(3.0) * t, np.full((3, 4), 6.0)),
    (lambda t: 2.0 / t, np.full((3, 4), 1.0)),
    (lambda t: 1 - t, np.full((3, 4), -1.0)),
], ids=["ndarray*", "ndarray+", "ndarray-", "ndarray/", "ndarray@", "float64*", "2.0/", "1-"])
def test_a_numpy_or_python_left_operand_gives_a_tensor_in_the_graph(make, value):
    t = Tensor(np.full((3, 4), 2.0), name="t")
    out = make(t)
    assert type(out) is Tensor, type(out)          # not an object array of Tensors
    assert np.array_equal(out.data, value)
    assert any(leaf is t for leaf in out.graph())    # the graph reaches t
    out.sum().backward()
    assert np.any(t.grad != 0)


def test_two_over_a_tensor_and_its_gradient():
    t = Tensor([[4.0, -0.5]])
    y = 2.0 / t
    assert np.array_equal(y.data, [[0.5, -4.0]])
    y.sum().backward()
    assert np.array_equal(t.grad, [[-2.0 / 16.0, -2.0 / 0.25]])   # d(2/t)/dt = −2/t²


def _scalar_net():
    x, w = Tensor([[2.0]], name="x"), Tensor([[-0.5]], name="w")
    h = x * x + x            # x used three times: dh/dx = 2x + 1 = 5
    y = (w * h).tanh()
    return x, w, h, y


def test_backward_twice_doubles_leaf_grads_and_recomputes_intermediate_ones():
    x, w, h, y = _scalar_net()
    y.backward()
    first = {"x": x.grad.copy(), "w": w.grad.copy(), "h": h.grad.copy()}
    dy = 1.0 - np.tanh(-0.5 * 6.0) ** 2
    assert np.allclose(first["x"], dy * -0.5 * 5.0, rtol=1e-14)
    assert np.allclose(first["w"], dy * 6.0, rtol=1e-14)
    y.backward()
    assert np.array_equal(x.grad, 2 * first["x"])    # leaves accumulate, like PyTorch
    assert np.array_equal(w.grad, 2 * first["w"])
    assert np.array_equal(h.grad, first["h"])        # an intermediate holds this pass only
    assert np.array_equal(y.grad, [[1.0]])


def test_zero_grad_resets_a_tensor_and_lists_and_dicts_of_parameters():
    x, w, h, y = _scalar_net()
    y.backward()
    once = x.grad.copy()
    x.zero_grad()
    assert np.array_equal(x.grad, [[0.0]]) and np.any(w.grad != 0)
    y.backward()
    assert np.array_equal(x.grad, once)
    zero_grad([x, w])
    assert np.array_equal(x.grad, [[0.0]]) and np.array_equal(w.grad, [[0.0]])
    y.backward()
    zero_grad({"x": x, "w": w})
    assert np.array_equal(x.grad, [[0.0]]) and np.array_equal(w.grad, [[0.0]])


def test_two_costs_sharing_a_leaf_add_their_gradients():
    x0 = np.array([[0.3, -1.2, 2.0]])
    x = Tensor(x0)
    (x * x).sum().backward()
    (3.0 * x).exp().sum().backward()
    numeric = numerical_gradient(lambda v: float((v * v).sum() + np.exp(3.0 * v).sum()), x0.copy())
    assert relative_error(x.grad, numeric) < 1e-9


def test_a_scalar_leaf_accumulates_one_per_backward():
    s = Tensor(3.0)
    s.backward()
    s.backward()
    assert s.grad.item() == 2.0


@pytest.mark.parametrize("acts, loss", [(["relu", "relu", "sigmoid"], "binary_cross_entropy"),
                                        (["tanh", "relu", "softmax"], "cross_entropy")])
def test_network_gradients_equal_hand_derived_backprop(acts, loss, rng):
    n_out = 1 if loss == "binary_cross_entropy" else 3
    sizes = [2, 5, 4, n_out]
    P = network.init_parameters(sizes, seed=3)
    X = rng.normal(size=(2, 20))
    Y = (rng.random((1, 20)) > 0.5).astype(float) if n_out == 1 else data.one_hot(rng.integers(0, 3, 20), 3)
    T = {k: Tensor(v) for k, v in P.items()}
    A = Tensor(X)
    for l, g in enumerate(acts, start=1):
        Z = T[f"W{l}"] @ A + T[f"b{l}"]
        A = Z if g in ("sigmoid", "softmax") and l == len(acts) else getattr(Z, g)()
    if loss == "binary_cross_entropy":
        a = A.sigmoid()
        J = -(Y * a.log() + (1.0 - Y) * (1.0 - a).log()).mean()     # ndarray-left operands
    else:
        J = -(Y * A.log_softmax()).sum(axis=0).mean()
    J.backward()
    AL, caches = network.forward(X, P, acts)
    grads = network.backward(AL, Y, caches, loss)
    assert abs(J.data.item() - network.compute_cost(AL, Y, loss)) < 1e-12
    for k in P:
        assert np.allclose(T[k].grad, grads["d" + k], rtol=1e-10, atol=1e-13), k
    before = {k: T[k].grad.copy() for k in P}
    J.backward()
    for k in P:
        assert np.array_equal(T[k].grad, 2 * before[k]), k
    zero_grad(T)
    assert all(not np.any(T[k].grad) for k in P)


def test_backward_needs_a_scalar():
    with pytest.raises(ValueError, match=r"backward\(\) starts from a scalar.*shape \(2, 1\)"):
        Tensor(np.ones((2, 1))).backward()


def test_graph_is_topological():
    a = Tensor(np.ones((2, 2)))
    b = a * 2.0
    c = (b + a).sum()
    order = c.graph()
    position = {id(t): i for i, t in enumerate(order)}
    assert order[-1] is c
    for t in order:
        assert all(position[id(p)] < position[id(t)] for p in t._parents)


@pytest.mark.parametrize("call, match", [
    (lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3))), r"cannot multiply \(2, 3\) @ \(2, 3\).*inner size"),
    (lambda: np.ones((2, 3)) @ Tensor(np.ones((2, 3))), r"cannot multiply \(2, 3\) @ \(2, 3\).*inner size"),
    (lambda: Tensor(np.ones((4, 5))) + Tensor(np.ones(4)), r"cannot combine shapes \(4, 5\) \+ \(4,\).*column \(n, 1\)"),
    (lambda: Tensor(np.ones((4, 5))) * Tensor(np.ones((5, 4))), r"cannot combine shapes \(4, 5\) \* \(5, 4\)"),
    (lambda: np.ones((5, 4)) - Tensor(np.ones((4, 5))), r"cannot combine shapes \(5, 4\) - \(4, 5\)"),
    (lambda: 1.0 / Tensor(np.ones((4, 5))) / Tensor(np.ones(3)), r"cannot combine shapes \(4, 5\) / \(3,\)"),
])
def test_bad_shapes_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call, error, match", [
    (lambda: Tensor("abc"), TypeError, r"Tensor data must be real numbers.*got str"),
    (lambda: Tensor([1.0, "a"]), TypeError, r"Tensor data must be real numbers"),
    (lambda: Tensor(None), TypeError, r"Tensor data must be real numbers.*NoneType"),
    (lambda: Tensor(1 + 2j), TypeError, r"Tensor data must be real numbers.*complex"),
    (lambda: Tensor(np.array([True, False])), TypeError, r"Tensor data must be real numbers.*bool"),
    (lambda: Tensor([[1.0, 2.0], [3.0]]), TypeError, r"Tensor data must be a number or a numeric array"),
    (lambda: Tensor(np.array([Tensor(1.0)], dtype=object)), TypeError, r"Tensor data.*object array"),
    (lambda: Tensor(Tensor(1.0)), TypeError, r"Tensor data is already a Tensor"),
    (lambda: Tensor([[1.0, np.nan]]), ValueError, r"Tensor data contains NaN or inf \(first at index \(0, 1\)\)"),
    (lambda: Tensor(1.0, name=3), TypeError, r"name must be a str, got int"),
    (lambda: Tensor(1.0, parents=[np.ones(2)]), TypeError, r"parents must be Tensors; got ndarray"),
    (lambda: Tensor(np.ones(2)) * "abc", TypeError, r"the other operand of \* must be real numbers.*str"),
    (lambda: "abc" + Tensor(np.ones(2)), TypeError, r"the other operand of \+ must be real numbers"),
    (lambda: np.array([np.nan, 1.0]) * Tensor(np.ones(2)), ValueError, r"the other operand of \* contains NaN"),
    (lambda: Tensor(np.ones(2)) ** Tensor(2.0), TypeError, r"exponent k in Tensor \*\* k must be a real number"),
    (lambda: Tensor(np.ones((2, 2))).sum(axis=2), ValueError, r"axis 2 is out of range for a tensor with 2 dim"),
    (lambda: Tensor(np.ones((2, 2))).mean(axis=1.0), TypeError, r"axis must be None or an int; got float"),
    (lambda: zero_grad([Tensor(1.0), np.ones(2)]), TypeError, r"params must hold Tensors; item 1 is ndarray"),
    (lambda: zero_grad(5), TypeError, r"params must be a list or dict of Tensors; got int"),
    (lambda: draw_graph(np.ones(2)), TypeError, r"root must be a Tensor; got ndarray"),
])
def test_bad_input_is_an_error_naming_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_a_computed_inf_is_allowed_but_a_leaf_inf_is_not():
    with np.errstate(divide="ignore"):
        assert Tensor([[0.0]]).log().data.item() == -np.inf
    with pytest.raises(ValueError, match="a leaf must be finite"):
        Tensor([[np.inf]])


def _scalar_network():
    w1, w2 = Tensor([[0.8]], name="w1"), Tensor([[-1.2]], name="w2")
    x, d = Tensor([[1.5]], name="x"), Tensor([[1.0]], name="d")
    p1 = w1 * x
    h = p1.sigmoid()
    p2 = w2 * h
    z = p2.sigmoid()
    r = z - d
    E = 0.5 * r ** 2
    for t, n in [(p1, "p1"), (h, "h"), (p2, "p2"), (z, "z"), (r, "r"), (E, "E")]:
        t.name = n
    return E


def _boxes(ax):
    return [t for t in ax.texts if not isinstance(t, Annotation)]


def _box_texts(ax):
    return sorted(t.get_text().split("\n")[0] for t in _boxes(ax))


def test_draw_graph_labels_every_operation_with_its_operands():
    import matplotlib.pyplot as plt
    E = _scalar_network()
    ax = draw_graph(E)
    assert _box_texts(ax) == sorted(["w1", "x", "p1 = w1 * x", "h = sigmoid(p1)", "w2", "p2 = w2 * h",
                                     "z = sigmoid(p2)", "d", "r = z - d", "t1 = r**2", "0.5", "E = 0.5 * t1"])
    plt.close(ax.figure)


@pytest.mark.parametrize("backward", [False, True])
def test_draw_graph_arrows_follow_the_edges_in_the_right_direction(backward):
    import matplotlib.pyplot as plt
    x = Tensor([[2.0]], name="x")
    y = x * x + x
    y.name = "y"
    y.backward()
    ax = draw_graph(y, backward=backward)
    where = {t.get_text().split("\n")[0].split(" =")[0]: t.get_position() for t in _boxes(ax)}
    arrows = [(tuple(a.xyann), tuple(a.xy)) for a in ax.texts if isinstance(a, Annotation)]
    edges = [("x", "t1"), ("x", "t1"), ("t1", "y"), ("x", "y")]      # x fans out three times
    expected = sorted((tuple(where[b]), tuple(where[a])) if backward else (tuple(where[a]), tuple(where[b]))
                      for a, b in edges)
    assert sorted(arrows) == expected
    for a, b in edges[:3]:                                              # every operation sits right of its operands
        assert where[a][0] < where[b][0]
    texts = {t.get_text() for t in _boxes(ax)}
    assert ("x\ngrad 5" in texts) if backward else ("x\n2" in texts)
    plt.close(ax.figure)


@pytest.mark.parametrize("make, op", [(lambda t: 2.0 + t, "+"), (lambda t: 2.0 - t, "-"), (lambda t: 2.0 * t, "*"),
                                      (lambda t: 2.0 / t, "/"), (lambda t: np.full((1, 1), 2.0) @ t, "@")])
def test_reflected_operators_record_the_operands_in_the_order_written(make, op):
    t = Tensor([[4.0]], name="t")
    out = make(t)
    assert out.op == op and out._parents[1] is t and out._parents[0].data.item() == 2.0


# --- property-based: every input is a clear error or the float64 reference ------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

PROPERTY = settings(derandomize=True, max_examples=60, deadline=None, database=None)
_anything = st.one_of(
    st.none(), st.text(max_size=3), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(max_magnitude=5),
    st.lists(st.one_of(st.floats(-5, 5), st.text(max_size=1)), max_size=3),
    st.lists(st.lists(st.integers(-3, 3), max_size=3), max_size=3),
    hnp.arrays(st.sampled_from([np.float32, np.float64, np.int8, np.int64, np.uint8, bool, np.complex64, object]),
               hnp.array_shapes(min_dims=0, max_dims=3, max_side=3),
               elements=st.integers(0, 1)),
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3)),
)


def _reference(x):
    """What a Tensor of x must hold: float64 numbers, or None where an error is the right answer."""
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError):
        return None
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        return None
    arr = arr.astype(np.float64)
    return arr if np.isfinite(arr).all() else None


@PROPERTY
@given(x=_anything)
def test_any_data_is_a_float64_tensor_or_an_error_naming_it(x):
    expected = _reference(x)
    if expected is None:
        with pytest.raises((TypeError, ValueError), match=r"Tensor data"):
            Tensor(x)
    else:
        t = Tensor(x)
        assert t.data.dtype == np.float64 and np.array_equal(t.data, expected)
        assert t.grad.shape == t.data.shape and not t.grad.any()


@PROPERTY
@given(x=_anything, op=st.sampled_from(["+", "-", "*", "/"]), left=st.booleans())
def test_any_other_operand_gives_the_numpy_result_or_an_error_naming_it(x, op, left):
    """t ∘ x and x ∘ t (the reflected operators): NumPy's float64 result as a Tensor, or a clear error."""
    t = Tensor(np.full((2, 3), 1.5))
    ufunc = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}[op]
    python = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b}[op]
    call = (lambda: python(x, t)) if left else (lambda: python(t, x))
    expected = _reference(x)
    if expected is None:
        with pytest.raises((TypeError, ValueError), match=r"the other operand of [-+*/] (must|contains)"):
            call()
        return
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            want = ufunc(expected, t.data) if left else ufunc(t.data, expected)
    except ValueError:  # shapes that do not broadcast
        with pytest.raises(ValueError, match=r"cannot combine shapes"):
            call()
        return
    with np.errstate(divide="ignore", invalid="ignore"):  # x / 0 is NumPy's inf, as for arrays
        out = call()
    assert type(out) is Tensor and out.data.shape == want.shape
    assert np.array_equal(out.data, want, equal_nan=True)
