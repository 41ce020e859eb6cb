"""MLP training on toy data and MNIST; plotting functions draw what they promise."""
import json
import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from companion import data, plotting
from companion.activations import sigmoid, sigmoid_derivative
from companion.network import MLP


def test_mlp_learns_moons():
    X, Y = data.make_moons(m=400, noise=0.1, seed=0)
    model = MLP([2, 16, 8, 1], ["relu", "relu", "sigmoid"], "binary_cross_entropy", seed=0)
    history = model.fit(X, Y, epochs=150, batch_size=32, learning_rate=0.3, progress=False)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert model.score(X, Y) > 0.95
    assert model.predict(X).shape == (400,)  # one label per example
    assert (model.predict(X) == Y[0]).mean() == model.score(X, Y)


TRAIN_IN_A_FRESH_PROCESS = """
import json, numpy as np
from companion import data
from companion.network import MLP
d = data.load_mnist_sample(dtype=np.float32)
model = MLP([784, 32, 10], ["relu", "softmax"], "cross_entropy", dtype=np.float32, seed={init_seed})
h = model.fit(d.X_train[:, :2000], d.y_train[:2000], epochs=3, batch_size=64, learning_rate=0.1, seed=5,
              progress=False, validation_data=(d.X_test, d.y_test))
print(json.dumps([h["loss"], h["val_accuracy"], str(model.parameters["W1"].dtype),
                  float(np.abs(model.parameters["W1"]).sum())]))
"""


def train_in_fresh_process(init_seed):
    run = subprocess.run([sys.executable, "-c", TRAIN_IN_A_FRESH_PROCESS.format(init_seed=init_seed)],
                         capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


def test_mlp_on_mnist_sample_float32_is_reproducible_across_processes():
    """Two separate interpreters (fresh NumPy state, fresh memory layout) train to the same numbers;
    another initial seed trains to other numbers, so the agreement is not a constant."""
    a, b, other = train_in_fresh_process(1), train_in_fresh_process(1), train_in_fresh_process(2)
    assert a == b
    assert other[0] != a[0]
    loss, val_accuracy, dtype, _ = a
    assert dtype == "float32" and len(val_accuracy) == 3
    assert val_accuracy[-1] > 0.8 and loss[-1] < loss[0]


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_mlp_with_other_optimizers(optimizer):
    X, Y = data.make_xor(m=200, seed=1)
    model = MLP([2, 8, 1], ["tanh", "sigmoid"], "binary_cross_entropy", init="xavier")
    model.fit(X, Y, epochs=60, batch_size=20, learning_rate=0.05, optimizer=optimizer, progress=False)
    assert model.score(X, Y) > 0.95


def test_mlp_regression_has_no_accuracy():
    X = np.linspace(-1, 1, 50).reshape(1, -1)
    model = MLP([1, 8, 1], ["tanh", "linear"], "mse")
    h = model.fit(X, X**2, epochs=5, batch_size=10, progress=False)
    assert h["accuracy"] == [None] * 5


@pytest.mark.parametrize("call, match", [
    (lambda m: m.fit(np.ones((3, 5)), np.zeros(5)), r"X has shape \(3, 5\); expected \(2, any\)"),
    (lambda m: m.fit(np.ones((2, 5)), np.zeros(4)), r"X has 5 examples \(columns\) but Y has 4"),
    (lambda m: m.fit(np.ones((2, 5)), np.full(5, 3)), r"labels must lie in \[0, 1\]"),
    (lambda m: m.fit(np.ones((2, 5)), np.zeros(5), batch_size=0), "batch_size must be a positive integer"),
    (lambda m: m.fit(np.ones((2, 5)), np.zeros(5), optimizer="lbfgs"), "unknown optimizer 'lbfgs'"),
    (lambda m: m.fit(np.ones((2, 5)), np.zeros(5), validation_data=np.ones(3)), "validation_data must be a pair"),
    (lambda m: m.predict(np.ones((3, 5))), r"X has shape \(3, 5\); expected \(2, any\)"),
])
def test_mlp_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call(MLP([2, 3, 2], ["relu", "softmax"], "cross_entropy"))


def test_mlp_rejects_wrong_activation_count():
    with pytest.raises(ValueError, match="got 1 activations for a network of 2 layers"):
        MLP([2, 3, 2], ["softmax"], "cross_entropy")


def test_plots_draw():
    ax = plotting.network_diagram([784, 128, 64, 10], ["relu", "relu", "softmax"])
    texts = [t.get_text() for t in ax.texts]
    assert "$n_{0} = 784$" in texts and "⋮" in texts
    ax = plotting.function_and_derivative(sigmoid, sigmoid_derivative, name=r"\sigma")
    assert len(ax.lines) == 4 and ax.get_legend() is not None
    X, Y = data.make_moons(m=40)
    ax = plotting.decision_boundary(lambda G: (G[0] > 0.5).astype(int), X, Y, resolution=20)
    assert ax.collections
    ax = plotting.training_history({"loss": [3, 2, 1], "val_loss": [3.5, 2.5, 2]})
    assert len(ax.lines) == 2
    ax = plotting.confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
    cells = [t.get_text() for t in ax.texts]
    assert len(cells) == 9 and cells.count("1") == 4 and cells.count("0") == 5
    axes = plotting.digits(data.load_mnist_sample().X_test[:, :12], labels=list(range(12)), ncols=6)
    assert axes.shape == (2, 6) and axes[0, 0].get_title() == "0"
    ax = plotting.chain(["$x$", "$p$", "$E$"], forward=["$\\times w$", "$f$"], backward=["$w$", "$f'$"])
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("$x$") == 1 and "$f'$" in texts and len([t for t in texts if t]) == 7
    with pytest.raises(ValueError, match="X must have 2 rows"):
        plotting.decision_boundary(lambda G: G[0], np.ones((3, 4)), np.ones((1, 4)))
    plt.close("all")
    assert matplotlib.get_backend().lower() == "agg"


def test_backward_products_draws_each_block_with_its_true_shape():
    from companion import network

    P = network.init_parameters([5, 4, 3], seed=0)
    X = np.random.default_rng(0).normal(size=(5, 8))
    _, caches = network.forward(X, P, ["relu", "sigmoid"])
    ax = plotting.backward_products(caches[1], layer=2)
    # dW2 = (1/m) dZ2 A1ᵀ and dA1 = W2ᵀ dZ2, with (n_2, n_1, m) = (3, 4, 8)
    assert [s for _, s in ax.blocks] == [(3, 8), (8, 4), (3, 4), (4, 3), (3, 8), (4, 8)]
    drawn = [(round(p.get_height() / p.get_width(), 6)) for p in ax.patches]
    assert drawn == [round(r / c, 6) for _, (r, c) in ax.blocks]
    assert "$dW^{[2]}$" in [t.get_text() for t in ax.texts]
    with pytest.raises(ValueError, match="layer must be a positive integer"):
        plotting.backward_products(caches[1], layer=0)
    plt.close("all")


def test_backward_flow_draws_the_real_graph_with_shapes():
    from companion import network

    P = network.init_parameters([2, 4, 3, 1], seed=0)
    _, caches = network.forward(np.ones((2, 7)), P, ["relu", "relu", "sigmoid"])
    ax = plotting.backward_flow(caches)
    labels = {(frm, to): lab for frm, to, lab in ax.arrows}
    assert labels[("$X$", "$Z^{[1]}$")] == "(2, 7)"
    assert labels[("W2, b2", "$Z^{[2]}$")] == "(3, 4), (3, 1)"
    assert "A^{[3]} - Y" in labels[("$J$", "$dZ^{[3]}$")]           # one fused arrow
    assert ("$J$", "$dA^{[3]}$") not in labels
    assert not any(to == "$dA^{[0]}$" for _, to, _ in ax.arrows)   # nothing back into X
    _, caches = network.forward(np.ones((2, 7)), network.init_parameters([2, 4, 2]), ["tanh", "linear"])
    ax = plotting.backward_flow(caches)                            # not fused: J → dA[L] → dZ[L]
    assert any(frm == "$J$" and to == "$dA^{[2]}$" for frm, to, _ in ax.arrows)
    with pytest.raises(TypeError, match="caches must be the list"):
        plotting.backward_flow([1, 2])
    plt.close("all")
