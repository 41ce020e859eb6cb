"""Data for the chapters: one-hot labels, minibatches, 2-D toy sets and MNIST.

The toy sets drive *Gradient descent* (``book/11_gradient_descent.ipynb``);
MNIST drives *MNIST from scratch* (``book/12_mnist.ipynb``).

Every array follows the book's convention: X is ``(n_0, m)``, one example per
column; binary labels are ``(1, m)``; class labels are a length-m vector that
:func:`one_hot` turns into ``(n_classes, m)`` columns.

MNIST comes two ways:

* :func:`load_mnist_sample`: 10,000 real MNIST training digits shipped inside
  the package (``companion/datasets/``, provenance in its README), so the
  chapters and CI need no network;
* :func:`load_mnist`: the full 70,000 images, downloaded once with pooch,
  verified by SHA-256, cached, and parsed from the IDX format with NumPy
  (nothing is unpickled).
"""
from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._validate import as_numeric, check_nonnegative_float, check_positive_int, check_seed, resolve_dtype


# --- labels and batches ----------------------------------------------------
def one_hot(labels, n_classes=None, dtype=np.float64):
    """Integer labels (m,) → one-hot columns (n_classes, m).

    ``n_classes`` defaults to max(labels) + 1.  Labels must be integers in
    [0, n_classes).
    """
    y = np.asarray(labels)
    if y.ndim == 2 and 1 in y.shape:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"labels must be a 1-D vector of class indices, got shape {y.shape}")
    if y.size == 0:
        raise ValueError("labels is empty; expected at least one label")
    if y.dtype == bool or not np.issubdtype(y.dtype, np.number):
        raise TypeError(f"labels must be integers, got dtype {y.dtype}")
    if not np.issubdtype(y.dtype, np.integer):
        if not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
            raise ValueError("labels must be whole numbers (class indices), got non-integer values")
        y = y.astype(np.int64)
    k = int(y.max()) + 1 if n_classes is None else check_positive_int("n_classes", n_classes)
    if y.min() < 0 or y.max() >= k:
        raise ValueError(f"labels must lie in [0, {k - 1}] for n_classes = {k}; got values from {y.min()} to {y.max()}")
    out = np.zeros((k, y.size), dtype=resolve_dtype(dtype))
    out[y, np.arange(y.size)] = 1
    return out


def batch_indices(m, batch_size, seed=0):
    """A generator of the column indices of each minibatch: a shuffle of 0..m−1 cut into runs of ``batch_size``.

    The order is ``numpy.random.default_rng(seed).permutation(m)``
    (``seed=None`` keeps 0, 1, …, m−1).  Every index appears exactly once.
    When ``batch_size`` does not divide m, the last batch holds the
    m mod ``batch_size`` left over (it is kept, not dropped), so an epoch
    has ceil(m / ``batch_size``) batches.  This is the one shuffling rule of
    the package: :func:`minibatches` and :meth:`companion.mlp.MLP.fit` (with
    ``seed + epoch`` in each epoch) both use it.  Minibatch SGD is defined in
    the chapter *Gradient descent* (``book/11_gradient_descent.ipynb``).
    """
    m = check_positive_int("m", m)
    batch_size = check_positive_int("batch_size", batch_size)
    seed = check_seed("seed", seed, allow_none=True)
    order = np.arange(m) if seed is None else np.random.default_rng(seed).permutation(m)
    return (order[start:start + batch_size] for start in range(0, m, batch_size))


def minibatches(X, Y, batch_size=64, seed=0):
    """Shuffle the m columns with ``seed`` and cut them into minibatches, lazily.

    X: (n_0, m), Y: (n_L, m) → a generator of ``(X_batch, Y_batch)``, each
    ``batch_size`` columns wide except possibly the last, which keeps the
    leftover columns when ``batch_size`` does not divide m.  Each batch is gathered when it
    is reached (no copy of the whole data set); the order is that of
    :func:`batch_indices`, and ``seed=None`` keeps the columns in order.
    Chapter *Gradient descent* (``book/11_gradient_descent.ipynb``) defines
    minibatch SGD.
    """
    X = as_numeric("X", X)
    Y = as_numeric("Y", Y)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} examples (columns) but Y has {Y.shape[1]}; they must match")
    batch_size = check_positive_int("batch_size", batch_size)
    check_seed("seed", seed, allow_none=True)
    return ((X[:, idx], Y[:, idx]) for idx in batch_indices(X.shape[1], batch_size, seed))


# --- 2-D toy sets ------------------------------------------------------------
def _toy(X, y, seed, noise):
    rng = np.random.default_rng(seed)
    X = X + rng.normal(0, noise, X.shape)
    return X, y.reshape(1, -1).astype(np.int64)


def _check_toy(m, noise, seed):
    check_seed("seed", seed)
    check_nonnegative_float("noise", noise)
    return check_positive_int("m", m)


def make_moons(m=200, noise=0.1, seed=0):
    """Two interleaving half circles.  X: (2, m), Y: (1, m) in {0, 1}."""
    m = _check_toy(m, noise, seed)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, m)
    t = rng.uniform(0, np.pi, m)
    X = np.where(y == 0, [np.cos(t), np.sin(t)], [1 - np.cos(t), 0.5 - np.sin(t)])
    return _toy(X, y, seed + 1, noise)


def make_circles(m=200, noise=0.05, factor=0.5, seed=0):
    """A small circle inside a large one.  X: (2, m), Y: (1, m), 1 for the inner circle."""
    m = _check_toy(m, noise, seed)
    factor = check_nonnegative_float("factor", factor)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, m)
    t = rng.uniform(0, 2 * np.pi, m)
    r = np.where(y == 1, factor, 1.0)
    return _toy(np.stack([r * np.cos(t), r * np.sin(t)]), y, seed + 1, noise)


def make_spirals(m=300, n_classes=2, noise=0.2, seed=0):
    """Interleaved spiral arms, one per class.  X: (2, m), Y: (1, m) in [0, n_classes)."""
    m = _check_toy(m, noise, seed)
    n_classes = check_positive_int("n_classes", n_classes)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, m)
    r = rng.uniform(0.05, 1, m)
    t = y * 2 * np.pi / n_classes + 4 * r
    return _toy(np.stack([r * np.sin(t), r * np.cos(t)]), y, seed + 1, noise * r)


def make_xor(m=200, noise=0.1, seed=0):
    """Four clusters at (±1, ±1); label 1 where the signs differ.  X: (2, m), Y: (1, m)."""
    m = _check_toy(m, noise, seed)
    rng = np.random.default_rng(seed)
    signs = rng.choice([-1.0, 1.0], size=(2, m))
    y = (signs[0] != signs[1]).astype(np.int64)
    return _toy(signs, y, seed + 1, noise)


# --- MNIST -------------------------------------------------------------------
class MNIST(NamedTuple):
    """Images as columns scaled to [0, 1] and integer labels."""

    X_train: np.ndarray  # (784, m_train)
    y_train: np.ndarray  # (m_train,)
    X_test: np.ndarray  # (784, m_test)
    y_test: np.ndarray  # (m_test,)


SAMPLE_PATH = Path(__file__).parent / "datasets" / "mnist_sample.npz"
MNIST_SAMPLE_SHA256 = "25d5404ad3c98b3710ad8bf22d0710a009eb64dc2466b0e02d49601bb51a75ed"


def content_sha256(images, labels) -> str:
    """SHA-256 over the raw bytes of both arrays as uint8 (independent of the zip container).

    What ``MNIST_SAMPLE_SHA256`` records for the shipped sample; the build
    script ``companion/datasets/build_mnist_sample.py`` prints it.
    """
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(images, dtype=np.uint8).tobytes())
    h.update(np.ascontiguousarray(labels, dtype=np.uint8).tobytes())
    return h.hexdigest()


def _to_columns(images, dtype):
    return (images.reshape(len(images), -1).T / 255).astype(dtype)


def load_mnist_sample(test_size=2000, dtype=np.float64):
    """The shipped 10,000 real MNIST digits, split into train and held-out test.

    The file holds the first 10,000 MNIST training images in a fixed shuffled
    order; the last ``test_size`` form the held-out split.  Its content is
    checked against ``MNIST_SAMPLE_SHA256`` on every load.
    """
    with np.load(SAMPLE_PATH, allow_pickle=False) as f:
        images, labels = f["images"], f["labels"]
    if content_sha256(images, labels) != MNIST_SAMPLE_SHA256:
        raise ValueError(f"{SAMPLE_PATH} does not match its recorded SHA-256; rebuild it (see its README)")
    test_size = check_positive_int("test_size", test_size)
    if test_size >= len(labels):
        raise ValueError(f"test_size must be below {len(labels)}, got {test_size}")
    dt = resolve_dtype(dtype)
    k = len(labels) - test_size
    return MNIST(_to_columns(images[:k], dt), labels[:k].astype(np.int64),
                 _to_columns(images[k:], dt), labels[k:].astype(np.int64))


MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
MNIST_FILES = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}


def read_idx(path):
    """Parse a gzipped IDX file (LeCun's format) into a uint8 array.

    Magic 0x00000803 → images (n, rows, cols); 0x00000801 → labels (n,).
    """
    try:
        data = gzip.decompress(Path(path).read_bytes())
    except (gzip.BadGzipFile, EOFError) as exc:
        raise ValueError(f"path {str(path)!r} must be a gzipped IDX file (as MNIST is distributed): {exc}") from exc
    if len(data) < 8 or data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file (bad magic number {data[:4].hex()})")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    if len(data) - offset != int(np.prod(dims)):
        raise ValueError(f"{path}: header says shape {tuple(dims)} but holds {len(data) - offset} bytes")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims)


def load_mnist(cache_dir=None, mirrors=MNIST_MIRRORS, files=None, dtype=np.float64, progress=False):
    """The full MNIST set: 60,000 training and 10,000 test images.

    Each of the four files is fetched once from the first mirror that answers,
    checked against its SHA-256 (a mismatch raises and the file is not kept)
    and cached in ``cache_dir`` (default: pooch's OS cache folder).
    ``files`` maps the four file names to SHA-256 digests and defaults to
    ``MNIST_FILES``; tests pass their own.
    """
    import pooch
    import requests  # pooch downloads over HTTP(S) with requests

    files = dict(MNIST_FILES if files is None else files)
    cache = Path(cache_dir) if cache_dir is not None else Path(pooch.os_cache("backprop-derived")) / "mnist"
    paths = {}
    for name, digest in files.items():
        errors = []
        for base in mirrors:
            try:
                paths[name] = pooch.retrieve(base + name, known_hash=f"sha256:{digest}", fname=name,
                                             path=cache, progressbar=progress)
                break
            except requests.RequestException as exc:  # a network error only: try the next mirror
                errors.append(f"{base}: {exc}")
            # anything else propagates as it is: a checksum mismatch (ValueError; the
            # corrupted file is never kept), a cache folder that cannot be written
            # (PermissionError), ... ; none of them is fixed by another mirror
        else:
            raise ConnectionError(f"could not download {name} from any mirror:\n  " + "\n  ".join(errors)
                                  + "\nOffline? companion.data.load_mnist_sample() needs no network.")
    dt = resolve_dtype(dtype)
    get = {key: read_idx(paths[name]) for key, name in
           zip(("Xtr", "ytr", "Xte", "yte"), ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                              "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"))}
    for images, labels in (("Xtr", "ytr"), ("Xte", "yte")):
        if len(get[images]) != len(get[labels]):
            raise ValueError(f"{len(get[images])} images but {len(get[labels])} labels")
    return MNIST(_to_columns(get["Xtr"], dt), get["ytr"].astype(np.int64),
                 _to_columns(get["Xte"], dt), get["yte"].astype(np.int64))
