"""MLP training on toy data and MNIST; plotting functions draw what they promise."""
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


def test_mlp_on_mnist_sample_float32_is_deterministic():
    d = data.load_mnist_sample(dtype=np.float32)
    X, y = d.X_train[:, :2000], d.y_train[:2000]
    runs = []
    for _ in range(2):
        model = MLP([784, 32, 10], ["relu", "softmax"], "cross_entropy", dtype=np.float32, seed=1)
        h = model.fit(X, y, epochs=3, batch_size=64, learning_rate=0.1, seed=5, progress=False,
                      validation_data=(d.X_test, d.y_test))
        runs.append(h)
        assert model.parameters["W1"].dtype == np.float32
    assert runs[0]["loss"] == runs[1]["loss"]
    assert runs[0]["val_accuracy"][-1] > 0.8
    assert len(runs[0]["val_loss"]) == 3


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
