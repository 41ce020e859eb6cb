"""Seconds per epoch: companion's MLP.fit against PyTorch eager, measured in the same run.

The workload of the MNIST chapter at full size: 784-128-64-10, ReLU/ReLU/softmax
with cross-entropy, float32, plain SGD, minibatches of 128, 60,000 MNIST-shaped
examples (uniform pixels, random labels: speed does not depend on the values).
Every side shuffles every epoch and computes the same forward pass, backward
pass and update; an epoch is timed as shuffle plus all minibatch steps.

Three sides are measured:

* ``companion``: ``MLP.fit``, the package as the book uses it (it also keeps
  the running cost and accuracy that ``fit`` reports);
* ``fused``: a hand-written NumPy loop for this one network, with the update
  folded into the backward pass and ReLU done in place — a floor for what
  NumPy can do here, to show what the package's separate, readable steps cost;
* ``torch``: PyTorch eager on the CPU, ``nn.Sequential`` + ``optim.SGD``.

Each side runs in its own Python process, and the processes take turns for
``--rounds`` rounds, so the machine's state drifts alike for all of them.
Separate processes matter: OpenBLAS (NumPy) and OpenMP (PyTorch) both keep
their worker threads spinning for a while after a call, and in one process
the side that runs second pays for the other's spinning threads (measured:
PyTorch 0.46 s per epoch right after a NumPy epoch, 0.39 s on its own).

PyTorch is needed only here; install its CPU wheel into the environment first:

    .venv/bin/pip install torch==2.13.0
    .venv/bin/python benchmarks/bench_mlp.py            # --rounds 5 --epochs 3

This is a measurement, not a test: nothing here runs in CI.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import json
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

SIZES = [784, 128, 64, 10]
BATCH = 128
LR = 0.1


def make_data(m, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((SIZES[0], m), dtype=np.float32)
    y = rng.integers(0, 10, m)
    return X, y


# --- the three sides: each returns a function that runs and times one epoch ---------------
def companion_side(X, y, threads):
    from companion.network import MLP

    model = MLP(SIZES, ["relu", "relu", "softmax"], "cross_entropy", dtype=np.float32, seed=0)

    def epoch(seed):
        history = model.fit(X, y, epochs=1, batch_size=BATCH, learning_rate=LR, seed=seed, progress=False)
        return history["seconds"][0]

    epoch.parameters = model.parameters
    return epoch


def fused_side(X, y, threads):
    from companion.data import one_hot
    from companion.network import init_parameters

    p = init_parameters(SIZES, "he", seed=0, dtype=np.float32)
    W1, b1, W2, b2, W3, b3 = (p[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))  # updated in place below
    rows_X, rows_Y = np.ascontiguousarray(X.T), np.ascontiguousarray(one_hot(y, 10, dtype=np.float32).T)
    m = X.shape[1]

    def epoch(seed):
        started = time.perf_counter()
        order = np.random.default_rng(seed).permutation(m)
        for start in range(0, m, BATCH):
            batch = order[start:start + BATCH]
            Xb, Yb = rows_X[batch].T, rows_Y[batch].T
            A1 = W1 @ Xb
            A1 += b1
            np.maximum(A1, 0, out=A1)
            A2 = W2 @ A1
            A2 += b2
            np.maximum(A2, 0, out=A2)
            dZ3 = W3 @ A2
            dZ3 += b3
            dZ3 -= dZ3.max(axis=0)
            np.exp(dZ3, out=dZ3)
            dZ3 /= dZ3.sum(axis=0)
            dZ3 -= Yb
            dZ3 *= LR / Xb.shape[1]  # α/m folded in once: dZ now holds the update's scale
            dZ2 = W3.T @ dZ3
            dZ2 *= A2 > 0
            np.subtract(W3, dZ3 @ A2.T, out=W3)
            np.subtract(b3, dZ3.sum(axis=1, keepdims=True), out=b3)
            dZ1 = W2.T @ dZ2
            dZ1 *= A1 > 0
            np.subtract(W2, dZ2 @ A1.T, out=W2)
            np.subtract(b2, dZ2.sum(axis=1, keepdims=True), out=b2)
            np.subtract(W1, dZ1 @ Xb.T, out=W1)
            np.subtract(b1, dZ1.sum(axis=1, keepdims=True), out=b1)
        return time.perf_counter() - started

    epoch.parameters = p  # tests/test_benchmark.py checks this loop against MLP.fit
    return epoch


def torch_side(X, y, threads):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 10),
    )
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(np.ascontiguousarray(X.T)), torch.from_numpy(y)

    def epoch(seed):
        started = time.perf_counter()
        order = torch.randperm(Xt.shape[0], generator=torch.Generator().manual_seed(seed))
        Xs, ys = Xt[order], yt[order]
        for start in range(0, Xt.shape[0], BATCH):
            xb, yb = Xs[start:start + BATCH], ys[start:start + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()
        return time.perf_counter() - started

    return epoch


SIDES = {"companion": companion_side, "fused": fused_side, "torch": torch_side}


def worker(side, epochs, examples, threads, round_):
    """Run in a child process: one warm-up epoch, then ``epochs`` timed ones; print their seconds."""
    X, y = make_data(examples)
    epoch = SIDES[side](X, y, threads)
    epoch(seed=10_000 + round_)  # warm-up: first-touch of memory, thread start-up
    print(json.dumps([epoch(seed=100 * round_ + e) for e in range(epochs)]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="turns each side takes (one process per turn)")
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per turn, after one warm-up epoch")
    parser.add_argument("--examples", type=int, default=60_000)
    parser.add_argument("--threads", type=int, default=2, help="PyTorch's intra-op threads (OpenBLAS uses every core)")
    parser.add_argument("--worker", choices=SIDES, help=argparse.SUPPRESS)
    parser.add_argument("--round", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.epochs, args.examples, args.threads, args.round)

    seconds = {side: [] for side in SIDES}
    for r in range(args.rounds):
        for side in SIDES:
            run = subprocess.run(
                [sys.executable, __file__, "--worker", side, "--round", str(r), "--epochs", str(args.epochs),
                 "--examples", str(args.examples), "--threads", str(args.threads)],
                capture_output=True, text=True,
            )
            if run.returncode != 0:
                sys.exit(f"the {side} worker failed:\n{run.stderr}")
            seconds[side] += json.loads(run.stdout.strip().splitlines()[-1])
    med = {side: statistics.median(s) for side, s in seconds.items()}
    result = {
        "workload": f"{'-'.join(map(str, SIZES))} relu/relu/softmax, float32, SGD, batch {BATCH}, m={args.examples}",
        "s_per_epoch_median": {side: round(v, 4) for side, v in med.items()},
        "s_per_epoch_range": {side: [round(min(s), 4), round(max(s), 4)] for side, s in seconds.items()},
        "ratio_companion_over_pytorch": round(med["companion"] / med["torch"], 3),
        "ratio_fused_numpy_over_pytorch": round(med["fused"] / med["torch"], 3),
        "ratio_companion_over_fused_numpy": round(med["companion"] / med["fused"], 3),
        "epochs_per_side": len(seconds["torch"]),
        "numpy": np.__version__,
        "torch": importlib.metadata.version("torch"),  # read, not imported: only the workers need torch
        "torch_threads": args.threads,
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
