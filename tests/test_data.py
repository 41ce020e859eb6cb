"""Data: one-hot, minibatches, toy sets, the shipped MNIST sample, and the MNIST downloader offline."""
import gzip
import hashlib

import numpy as np
import pytest
from _localserver import serve

from companion import data


def test_one_hot_roundtrip_and_errors():
    Y = data.one_hot([2, 0, 1, 2])
    assert Y.shape == (3, 4) and Y.argmax(axis=0).tolist() == [2, 0, 1, 2] and (Y.sum(axis=0) == 1).all()
    assert data.one_hot(np.array([[1, 0]]), 3, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\] for n_classes = 3; got values from 0 to 3"):
        data.one_hot([0, 3], 3)
    with pytest.raises(ValueError, match="labels must lie in"):
        data.one_hot([-1, 0], 3)
    with pytest.raises(ValueError, match="whole numbers"):
        data.one_hot([0.5, 1.0])
    with pytest.raises(TypeError, match="labels must be integers"):
        data.one_hot(["a", "b"])
    with pytest.raises(ValueError, match="labels is empty"):
        data.one_hot([])
    with pytest.raises(ValueError, match="1-D vector"):
        data.one_hot(np.zeros((2, 2), dtype=int))


def test_minibatches_cover_every_column_once():
    X = np.arange(20.0).reshape(2, 10)
    Y = np.arange(10.0).reshape(1, 10)
    batches = list(data.minibatches(X, Y, batch_size=4, seed=0))
    assert [b[0].shape[1] for b in batches] == [4, 4, 2]
    seen = np.concatenate([b[1].ravel() for b in batches])
    assert sorted(seen.tolist()) == list(range(10)) and seen.tolist() != list(range(10))
    for Xb, Yb in batches:
        assert np.array_equal(Xb[0], Yb[0] * 1) and np.array_equal(Xb[1], Yb[0] + 10)
    assert [b[1].ravel().tolist() for b in data.minibatches(X, Y, 4, seed=None)][0] == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="X has 10 examples .* but Y has 9"):
        data.minibatches(X, Y[:, :9])
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        data.minibatches(X, Y, 0)


@pytest.mark.parametrize("make", [data.make_moons, data.make_circles, data.make_spirals, data.make_xor])
def test_toy_sets_are_seeded_columns(make):
    X, Y = make(m=50, seed=3)
    assert X.shape == (2, 50) and Y.shape == (1, 50) and set(np.unique(Y)) <= {0, 1}
    X2, Y2 = make(m=50, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(Y, Y2)
    assert not np.array_equal(X, make(m=50, seed=4)[0])


def test_spirals_with_three_classes():
    _, Y = data.make_spirals(m=90, n_classes=3)
    assert set(np.unique(Y)) == {0, 1, 2}


def test_mnist_sample_is_real_and_checked():
    d = data.load_mnist_sample()
    assert d.X_train.shape == (784, 8000) and d.X_test.shape == (784, 2000)
    assert d.X_train.min() == 0.0 and d.X_train.max() == 1.0
    labels = np.concatenate([d.y_train, d.y_test])
    # the first 10,000 MNIST training labels have exactly these counts
    assert np.bincount(labels).tolist() == [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
    pixels = np.round(d.X_train * 255)
    assert np.allclose(pixels, d.X_train * 255, atol=1e-9)  # whole bytes
    assert data.load_mnist_sample(dtype=np.float32).X_test.dtype == np.float32
    with pytest.raises(ValueError, match="test_size must be below 10000"):
        data.load_mnist_sample(test_size=10000)


# --- the full-MNIST downloader, against a server on this machine ------------------------------
def idx_bytes(array, magic):
    header = bytes([0, 0, 8, magic]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def mnist_server(tmp_path):
    rng = np.random.default_rng(0)
    root = tmp_path / "www"
    root.mkdir()
    arrays = {
        "train-images-idx3-ubyte.gz": (rng.integers(0, 256, (6, 28, 28)), 3),
        "train-labels-idx1-ubyte.gz": (np.array([5, 0, 4, 1, 9, 2]), 1),
        "t10k-images-idx3-ubyte.gz": (rng.integers(0, 256, (3, 28, 28)), 3),
        "t10k-labels-idx1-ubyte.gz": (np.array([7, 2, 1]), 1),
    }
    files = {}
    for name, (arr, magic) in arrays.items():
        payload = idx_bytes(arr, magic)
        (root / name).write_bytes(payload)
        files[name] = hashlib.sha256(payload).hexdigest()
    with serve(root) as url:
        yield url, root, files, arrays


def test_load_mnist_downloads_verifies_and_caches(mnist_server, tmp_path):
    url, root, files, arrays = mnist_server
    cache = tmp_path / "cache"
    d = data.load_mnist(cache_dir=cache, mirrors=[url], files=files)
    assert d.X_train.shape == (784, 6) and d.y_test.tolist() == [7, 2, 1]
    assert np.array_equal(np.round(d.X_train[:, 0] * 255), arrays["train-images-idx3-ubyte.gz"][0][0].ravel())
    # cached: works with the server's files gone
    for f in root.iterdir():
        f.unlink()
    assert data.load_mnist(cache_dir=cache, mirrors=[url], files=files).y_train.tolist() == [5, 0, 4, 1, 9, 2]


def test_load_mnist_falls_back_to_the_next_mirror(mnist_server, tmp_path):
    url, _, files, _ = mnist_server
    dead = "http://127.0.0.1:9/"  # nothing listens on the discard port
    d = data.load_mnist(cache_dir=tmp_path / "c", mirrors=[dead, url], files=files)
    assert d.y_train.size == 6


def test_load_mnist_rejects_a_corrupted_file(mnist_server, tmp_path):
    url, root, files, _ = mnist_server
    target = root / "t10k-labels-idx1-ubyte.gz"
    target.write_bytes(idx_bytes(np.array([7, 2, 2]), 1))  # one label changed
    with pytest.raises(ValueError, match="SHA256 hash of downloaded file"):
        data.load_mnist(cache_dir=tmp_path / "c", mirrors=[url], files=files)
    assert not (tmp_path / "c" / "t10k-labels-idx1-ubyte.gz").exists()


def test_load_mnist_offline_says_what_to_do(tmp_path):
    with pytest.raises(ConnectionError, match="load_mnist_sample"):
        data.load_mnist(cache_dir=tmp_path, mirrors=["http://127.0.0.1:9/"])


def test_read_idx_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad.gz"
    bad.write_bytes(gzip.compress(b"\x12\x34\x08\x01\x00\x00\x00\x02\x01"))
    with pytest.raises(ValueError, match="bad magic number"):
        data.read_idx(bad)
    short = tmp_path / "short.gz"
    short.write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x05\x01\x02"))
    with pytest.raises(ValueError, match=r"header says shape \(5,\) but holds 2 bytes"):
        data.read_idx(short)


def test_the_default_registry_verifies_what_it_downloads(tmp_path):
    """With ``files`` left out, load_mnist checks against MNIST_FILES: files of the right names but other
    content are refused and not kept."""
    root = tmp_path / "www"
    root.mkdir()
    for name in data.MNIST_FILES:
        (root / name).write_bytes(idx_bytes(np.zeros(3), 1))  # an impostor for each of the four files
    with serve(root) as url:
        with pytest.raises(ValueError, match="SHA256 hash of downloaded file"):
            data.load_mnist(cache_dir=tmp_path / "c", mirrors=[url])
    assert not any((tmp_path / "c").glob("*.gz"))


def test_the_shipped_sample_is_verified_on_load(tmp_path, monkeypatch):
    with np.load(data.SAMPLE_PATH) as f:
        images, labels = f["images"].copy(), f["labels"].copy()
    assert data.content_sha256(images, labels) == data.MNIST_SAMPLE_SHA256
    labels[0] = (labels[0] + 1) % 10  # one label changed
    corrupted = tmp_path / "sample.npz"
    np.savez_compressed(corrupted, images=images, labels=labels)
    monkeypatch.setattr(data, "SAMPLE_PATH", corrupted)
    with pytest.raises(ValueError, match="does not match its recorded SHA-256"):
        data.load_mnist_sample()


def test_content_sha256_is_sha256_of_the_bytes():
    images, labels = np.arange(6, dtype=np.uint8).reshape(2, 3), np.array([1, 2], dtype=np.uint8)
    assert data.content_sha256(images, labels) == hashlib.sha256(bytes([0, 1, 2, 3, 4, 5, 1, 2])).hexdigest()


def test_load_mnist_lets_local_errors_through(tmp_path, monkeypatch):
    """Only network errors move on to the next mirror; a cache that cannot be written is not "Offline?"."""
    import pooch

    calls = []

    def refuse(url, **kwargs):
        calls.append(url)
        raise PermissionError(f"[Errno 13] Permission denied: {kwargs['path']}")

    monkeypatch.setattr(pooch, "retrieve", refuse)
    with pytest.raises(PermissionError, match="Permission denied"):
        data.load_mnist(cache_dir=tmp_path, mirrors=["http://a.invalid/", "http://b.invalid/"])
    assert len(calls) == 1  # the second mirror would fail the same way: not tried
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.undo()
    with pytest.raises(NotADirectoryError):
        data.load_mnist(cache_dir=blocker / "cache", mirrors=["http://127.0.0.1:9/"])
