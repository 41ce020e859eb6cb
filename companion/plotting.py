"""The book's figures.  Every function draws on a Matplotlib ``Axes`` (a new one
if none is given) and returns it, so chapters can arrange and caption them.
First used in: ``network_diagram`` in ``book/01_notation.ipynb``,
``function_and_derivative`` in ``book/03_activations.ipynb``, ``chain`` in
``book/06_chain_rule.ipynb``, ``decision_boundary`` in
``book/11_gradient_descent.ipynb``, the rest in ``book/12_mnist.ipynb``.

Colours come from Matplotlib's default cycle and ``viridis``, which read well
on light and dark page backgrounds; every figure has a transparent-safe white
face so it stays legible in the site's dark mode.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._validate import as_numeric


def _axes(ax, figsize=(5, 3.5)):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, facecolor="white")
    return ax


def network_diagram(layer_sizes, activations=None, max_units=8, ax=None):
    """Circles for units, lines for weights; layers over max_units show a gap (⋮) and their true size."""
    ax = _axes(ax, (1.8 * len(layer_sizes) + 1, 4))
    ys = []
    for l, n in enumerate(layer_sizes):
        shown = min(n, max_units)
        y = np.linspace(-1, 1, shown) if shown > 1 else np.zeros(1)
        ys.append(y)
        if l > 0:
            for y0 in ys[l - 1]:
                for y1 in y:
                    ax.plot([l - 1, l], [y0, y1], color="0.7", lw=0.5, zorder=1)
        ax.scatter(np.full(shown, l), y, s=180, color="C0" if 0 < l < len(layer_sizes) - 1 else ("C2" if l == 0 else "C1"),
                   edgecolor="black", zorder=2)
        if n > max_units:
            ax.text(l + 0.12, 0, "⋮", fontsize=16, va="center")
        label = f"$n_{{{l}}} = {n}$"
        if activations is not None and l > 0:
            label += f"\n{activations[l - 1]}"
        ax.text(l, -1.35, label, ha="center", va="top", fontsize=10)
        ax.text(l, 1.25, "input $X$" if l == 0 else f"layer {l}", ha="center", fontsize=10)
    ax.set_xlim(-0.5, len(layer_sizes) - 0.5)
    ax.set_ylim(-2, 1.6)
    ax.axis("off")
    return ax


def chain(nodes, forward=None, backward=None, ax=None):
    """A computational graph that is a chain: boxes for ``nodes``, arrows between them.

    ``forward[k]`` labels the arrow from node k to node k+1 (above it), and
    ``backward[k]`` the local derivative ∂node[k+1]/∂node[k] (below it, in red).
    Side inputs such as weights can be written into a node's label.
    """
    k = len(nodes)
    ax = _axes(ax, (1.9 * k, 2.2))
    for i, label in enumerate(nodes):
        ax.text(i, 0, label, ha="center", va="center", fontsize=12,
                bbox=dict(boxstyle="round,pad=0.4", facecolor="#dbe9f6", edgecolor="black"))
        if i + 1 < k:
            ax.annotate("", xy=(i + 0.68, 0), xytext=(i + 0.32, 0),
                        arrowprops=dict(arrowstyle="->", lw=1.5, color="black"))
            if forward is not None and forward[i]:
                ax.text(i + 0.5, 0.28, forward[i], ha="center", va="bottom", fontsize=10)
            if backward is not None and backward[i]:
                ax.text(i + 0.5, -0.28, backward[i], ha="center", va="top", fontsize=10, color="C3")
    ax.set_xlim(-0.6, k - 0.4)
    ax.set_ylim(-0.9, 0.9)
    ax.axis("off")
    return ax


def function_and_derivative(f, df, z=None, name="g", ax=None):
    """Plot g(z) and g'(z) on one axes."""
    ax = _axes(ax)
    z = np.linspace(-6, 6, 601) if z is None else np.asarray(z, dtype=np.float64)
    ax.plot(z, f(z), label=f"${name}(z)$", lw=2)
    ax.plot(z, df(z), label=f"${name}'(z)$", lw=2, ls="--")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set_xlabel("$z$")
    ax.legend()
    return ax


def decision_boundary(predict, X, Y, ax=None, resolution=200, title=None):
    """Shade the plane by ``predict`` (a function of a (2, k) array) and scatter the (2, m) data."""
    X = as_numeric("X", X)
    if X.shape[0] != 2:
        raise ValueError(f"decision_boundary draws 2-D data: X must have 2 rows, got shape {X.shape}")
    ax = _axes(ax, (4.5, 4))
    pad = 0.5
    x0, x1 = np.meshgrid(np.linspace(X[0].min() - pad, X[0].max() + pad, resolution),
                         np.linspace(X[1].min() - pad, X[1].max() + pad, resolution))
    grid = np.stack([x0.ravel(), x1.ravel()])
    z = np.asarray(predict(grid)).reshape(x0.shape)
    ax.contourf(x0, x1, z, alpha=0.3, cmap="viridis")
    ax.scatter(X[0], X[1], c=np.asarray(Y).ravel(), cmap="viridis", s=12, edgecolor="black", linewidth=0.3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


def training_history(history, ax=None, keys=("loss", "val_loss")):
    """Curves of the lists in ``history`` (as returned by ``MLP.fit``) against the epoch."""
    ax = _axes(ax)
    for key in keys:
        values = history.get(key) or []
        if values and values[0] is not None:
            ax.plot(np.arange(1, len(values) + 1), values, marker="o", ms=3, label=key)
    ax.set_xlabel("epoch")
    ax.legend()
    return ax


def confusion_matrix(y_true, y_pred, n_classes=None, ax=None):
    """Counts of (true, predicted) label pairs as a heatmap with the numbers written in."""
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_pred has {y_pred.size}")
    k = int(max(y_true.max(), y_pred.max())) + 1 if n_classes is None else n_classes
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    ax = _axes(ax, (5, 4.5))
    ax.imshow(counts, cmap="viridis")
    for i in range(k):
        for j in range(k):
            ax.text(j, i, counts[i, j], ha="center", va="center", fontsize=7,
                    color="black" if counts[i, j] > counts.max() / 2 else "white")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    return ax


def digits(images, labels=None, ncols=10, shape=(28, 28)):
    """A grid of images given as the columns of a (784, k) array, with optional titles."""
    images = as_numeric("images", images)
    k = images.shape[1]
    nrows = int(np.ceil(k / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * 0.9, nrows * 1.05), facecolor="white", squeeze=False)
    for i, a in enumerate(axes.ravel()):
        a.axis("off")
        if i < k:
            a.imshow(images[:, i].reshape(shape), cmap="gray_r")
            if labels is not None:
                a.set_title(str(labels[i]), fontsize=8)
    return axes


def backward_products(cache, layer=None, ax=None, max_side=2.2):
    """The two matrix products of layer l's backward pass, drawn to scale from a real cache.

    Top row:    dW[l] = (1/m) dZ[l] A[l−1]ᵀ:  (n_l × m) · (m × n_{l−1}) = (n_l × n_{l−1}),
                the inner dimension m is summed over: one term per example.
    Bottom row: dA[l−1] = W[l]ᵀ dZ[l]:        (n_{l−1} × n_l) · (n_l × m) = (n_{l−1} × m),
                the inner dimension n_l is summed over: one term per unit of layer l.

    ``cache`` is a :class:`companion._core.LayerCache` from
    :func:`companion.network.forward` (its A_prev, W and Z give the shapes).
    Each block's width and height are its column and row counts, scaled so
    the largest side is ``max_side``; the shared inner dimension of each
    product is marked.  Used in *Backprop through one layer, vectorised*
    (``book/07_one_layer.ipynb``), *The whole network*
    (``book/09_whole_network.ipynb``) and *Backprop on one page*
    (``book/a0_cheatsheet.ipynb``).  ``layer`` (an int) writes l's value into
    the labels.  Returns the axes; ``ax.blocks`` lists ``(label, (rows, cols))``
    for every block drawn.
    """
    if layer is not None and (isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or layer < 1):
        raise ValueError(f"layer must be a positive integer (the l of the cache), got {layer!r}")
    n_l, n_prev = np.shape(cache.W)
    m = np.shape(cache.Z)[1]
    rows = [
        [("dZ", (n_l, m)), ("A_prevT", (m, n_prev)), ("dW", (n_l, n_prev))],
        [("WT", (n_prev, n_l)), ("dZ", (n_l, m)), ("dA_prev", (n_prev, m))],
    ]
    l, lp = ("l", "l-1") if layer is None else (str(layer), str(layer - 1))
    labels = {"dZ": f"$dZ^{{[{l}]}}$", "A_prevT": f"$A^{{[{lp}]\\top}}$", "dW": f"$dW^{{[{l}]}}$",
              "WT": f"$W^{{[{l}]\\top}}$", "dA_prev": f"$dA^{{[{lp}]}}$"}
    inner = [f"sum over the m = {m} example{'s' * (m != 1)}",
             f"sum over the {n_l} unit{'s' * (n_l != 1)} of layer {l}"]
    prefix = ["$\\frac{1}{m}$", ""]
    scale = max_side / max(n_l, n_prev, m)
    ax = _axes(ax, (9, 6.4))
    ax.blocks = []
    y_top = 0.0
    for r, row in enumerate(rows):
        height = max(s[0] for _, s in row) * scale
        x = 0.6
        ax.text(x - 0.1, y_top - height / 2, prefix[r], ha="right", va="center", fontsize=13)
        for k, (name, (nr, nc)) in enumerate(row):
            w, h = nc * scale, nr * scale
            top = y_top - (height - h) / 2
            ax.add_patch(plt.Rectangle((x, top - h), w, h, facecolor=["#dbe9f6", "#fde2c8", "#d8f0d2"][k],
                                       edgecolor="black", lw=1.2))
            roomy = w >= 1.2 and h >= 0.4  # a small block gets its name beside it, not inside
            if roomy:
                ax.text(x + w / 2, top - h / 2, labels[name], ha="center", va="center", fontsize=13)
            else:
                ax.text(x + w / 2, top - h - 0.42, labels[name], ha="center", va="top", fontsize=12)
            ax.text(x + w / 2, top - h - 0.08, f"({nr} × {nc})", ha="center", va="top", fontsize=10)
            ax.blocks.append((labels[name], (nr, nc)))
            if k == 0:  # the inner dimension: columns of the left factor
                ax.annotate("", xy=(x + w, top + 0.12), xytext=(x, top + 0.12),
                            arrowprops=dict(arrowstyle="<->", color="C3", lw=1.2))
                ax.text(x, top + 0.17, inner[r], ha="left", va="bottom", fontsize=9, color="C3")
            if k == 1:  # ... and the rows of the right factor
                ax.annotate("", xy=(x - 0.1, top - h), xytext=(x - 0.1, top),
                            arrowprops=dict(arrowstyle="<->", color="C3", lw=1.2))
            gap = 1.25 if w < 1.2 else 0.75
            x += w + gap
            if k < 2:
                ax.text(x - gap / 2, y_top - height / 2, "·" if k == 0 else "=", ha="center", va="center",
                        fontsize=16)
        y_top -= height + 1.5
    ax.set_xlim(0, x + 0.2)
    ax.set_ylim(y_top + 0.6, 0.7)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def backward_flow(caches, ax=None):
    """The data flow of an L-layer network, forward above and backward below, from real caches.

    Top row: X → Z[1] → A[1] → … → Z[L] → A[L] → J, with W[l], b[l] feeding
    each Z[l].  Bottom row, right to left: the gradients.  When the output is
    a fused pair (sigmoid + binary cross-entropy, softmax + cross-entropy)
    one arrow goes from J straight to dZ[L] = A[L] − Y; otherwise J → dA[L]
    → dZ[L].  Each dZ[l] branches to dW[l] = (1/m) dZ[l] A[l−1]ᵀ and
    db[l] = (1/m) Σ dZ[l], and passes dA[l−1] = W[l]ᵀ dZ[l] down, except
    below layer 1: dA[0] is not needed.  Every arrow is labelled with the
    shape of the array it carries, read from the caches of
    :func:`companion.network.forward`.  Used in *The whole network*
    (``book/09_whole_network.ipynb``).  Returns the axes; ``ax.arrows`` lists
    ``(from, to, shape)`` for every arrow drawn.
    """
    L = len(caches)
    if L < 1 or not all(hasattr(c, "Z") and hasattr(c, "A_prev") for c in caches):
        raise TypeError("caches must be the list of layer caches returned by companion.network.forward")
    fused = caches[-1].activation in ("sigmoid", "softmax")
    ax = _axes(ax, (2.2 * (2 * L + 2), 5.2))
    ax.arrows = []
    shape = lambda a: f"({a.shape[0]}, {a.shape[1]})"

    def box(x, y, text, colour):
        ax.text(x, y, text, ha="center", va="center", fontsize=12,
                bbox=dict(boxstyle="round,pad=0.35", facecolor=colour, edgecolor="black"))

    def arrow(p, q, label, frm, to, colour="black", above=True):
        ax.annotate("", xy=q, xytext=p, arrowprops=dict(arrowstyle="->", lw=1.4, color=colour,
                                                         shrinkA=16, shrinkB=16))
        mx, my = (p[0] + q[0]) / 2, (p[1] + q[1]) / 2
        if p[0] == q[0]:  # a vertical arrow: its label beside it
            ax.text(mx + 0.1, my, label, ha="left", va="center", fontsize=9, color=colour)
        else:
            ax.text(mx, my + (0.14 if above else -0.14), label, ha="center", va="bottom" if above else "top",
                    fontsize=9, color=colour)
        ax.arrows.append((frm, to, label))

    xs = lambda l: 2 * l  # x of Z[l] is 2l − 1, of A[l] is 2l
    box(0, 1, "$X$", "#eeeeee")
    for l, c in enumerate(caches, start=1):
        box(xs(l) - 1, 1, f"$Z^{{[{l}]}}$", "#dbe9f6")
        box(xs(l), 1, f"$A^{{[{l}]}}$", "#dbe9f6")
        box(xs(l) - 1, 2.2, f"$W^{{[{l}]}},\\ b^{{[{l}]}}$", "#fde2c8")
        src = "$X$" if l == 1 else f"$A^{{[{l - 1}]}}$"
        arrow((xs(l) - 2, 1), (xs(l) - 1, 1), shape(c.A_prev), src, f"$Z^{{[{l}]}}$")
        arrow((xs(l) - 1, 2.2), (xs(l) - 1, 1), f"{c.W.shape}, {c.b.shape}", f"W{l}, b{l}", f"$Z^{{[{l}]}}$")
        arrow((xs(l) - 1, 1), (xs(l), 1), shape(c.Z), f"$Z^{{[{l}]}}$", f"$A^{{[{l}]}}$")
    box(xs(L) + 1, 1, "$J$", "#eeeeee")
    arrow((xs(L), 1), (xs(L) + 1, 1), shape(caches[-1].A), f"$A^{{[{L}]}}$", "$J$")
    # backward, right to left, in red
    red = "C3"
    box(xs(L) + 1, -0.6, "$J$", "#eeeeee")
    for l in range(L, 0, -1):
        c = caches[l - 1]
        box(xs(l) - 1, -0.6, f"$dZ^{{[{l}]}}$", "#f6dbdb")
        box(xs(l) - 1, -1.9, f"$dW^{{[{l}]}},\\ db^{{[{l}]}}$", "#d8f0d2")
        arrow((xs(l) - 1, -0.6), (xs(l) - 1, -1.9), f"$\\frac{{1}}{{m}} dZ A^\\top$, $\\frac{{1}}{{m}}\\Sigma$\n"
              f"{c.W.shape}, {c.b.shape}", f"dZ{l}", f"dW{l}, db{l}", red)
        if l == L and fused:
            arrow((xs(L) + 1, -0.6), (xs(L) - 1, -0.6), f"$A^{{[{L}]}} - Y$  {shape(c.Z)}", "$J$",
                  f"$dZ^{{[{L}]}}$", red)
        else:
            box(xs(l), -0.6, f"$dA^{{[{l}]}}$", "#f6dbdb")
            right = xs(L) + 1 if l == L else xs(l) + 1
            rule = "$\\partial\\mathcal{L}/\\partial A$" if l == L else f"$W^{{[{l + 1}]\\top}} dZ$"
            arrow((right, -0.6), (xs(l), -0.6), f"{rule}  {shape(c.A)}",
                  "$J$" if l == L else f"$dZ^{{[{l + 1}]}}$", f"$dA^{{[{l}]}}$", red)
            arrow((xs(l), -0.6), (xs(l) - 1, -0.6), f"$\\odot g'(Z^{{[{l}]}})$  {shape(c.Z)}",
                  f"$dA^{{[{l}]}}$", f"$dZ^{{[{l}]}}$", red)
    ax.set_xlim(-0.7, xs(L) + 1.7)
    ax.set_ylim(-2.5, 2.8)
    ax.axis("off")
    return ax
