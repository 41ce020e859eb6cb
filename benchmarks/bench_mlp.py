"""Seconds per epoch: companion's MLP.fit against PyTorch eager, measured in the same run.

The workload of the MNIST chapter at full size: 784-128-64-10, ReLU/ReLU/softmax
with cross-entropy, float32, plain SGD, minibatches of 128, 60,000 MNIST-shaped
examples (uniform pixels, random labels: speed does not depend on the values).
Both sides shuffle every epoch and compute the same forward pass, loss,
backward pass and update.  Epochs alternate between the two libraries, and the
median over ``--repeats`` epochs is reported, with the ratio companion / PyTorch.
An epoch is timed the same way on both sides: shuffle plus all minibatch
steps.  ``fit``'s one-time input checks and copy are reported separately.

PyTorch is needed only here; install its CPU wheel into the environment first:

    .venv/bin/pip install torch==2.13.0
    .venv/bin/python benchmarks/bench_mlp.py            # --repeats 7 --threads 2

This is a measurement, not a test: nothing here runs in CI.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import numpy as np

from companion.network import MLP

SIZES = [784, 128, 64, 10]
BATCH = 128
LR = 0.1


def make_data(m, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((SIZES[0], m), dtype=np.float32)
    y = rng.integers(0, 10, m)
    return X, y


def companion_epoch(model, X, y, seed):
    """(seconds of the epoch itself, seconds of the whole fit call including its one-time checks)."""
    t = time.perf_counter()
    history = model.fit(X, y, epochs=1, batch_size=BATCH, learning_rate=LR, seed=seed, progress=False)
    return history["seconds"][0], time.perf_counter() - t


def torch_setup(threads):
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
    return torch, net, opt, loss_fn


def torch_epoch(torch, net, opt, loss_fn, Xt, yt, seed):
    t = time.perf_counter()
    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(Xt.shape[0], generator=g)
    Xs, ys = Xt[order], yt[order]
    for start in range(0, Xt.shape[0], BATCH):
        xb, yb = Xs[start:start + BATCH], ys[start:start + BATCH]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(xb), yb)
        loss.backward()
        opt.step()
    return time.perf_counter() - t


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--examples", type=int, default=60_000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    X, y = make_data(args.examples)
    model = MLP(SIZES, ["relu", "relu", "softmax"], "cross_entropy", dtype=np.float32, seed=0)
    torch, net, opt, loss_fn = torch_setup(args.threads)
    Xt, yt = torch.from_numpy(np.ascontiguousarray(X.T)), torch.from_numpy(y)

    companion_epoch(model, X, y, seed=99)  # warm-up both
    torch_epoch(torch, net, opt, loss_fn, Xt, yt, seed=99)
    ours, calls, theirs = [], [], []
    for r in range(args.repeats):
        epoch, call = companion_epoch(model, X, y, seed=r)
        ours.append(epoch)
        calls.append(call)
        theirs.append(torch_epoch(torch, net, opt, loss_fn, Xt, yt, seed=r))
    result = {
        "workload": f"{'-'.join(map(str, SIZES))} relu/relu/softmax, float32, SGD, batch {BATCH}, m={args.examples}",
        "companion_s_per_epoch": round(statistics.median(ours), 4),
        "pytorch_s_per_epoch": round(statistics.median(theirs), 4),
        "ratio_companion_over_pytorch": round(statistics.median(ours) / statistics.median(theirs), 3),
        # fit() checks X and Y once and makes the row-major copy: paid once per call, not per epoch
        "companion_fit_setup_s": round(statistics.median(calls) - statistics.median(ours), 4),
        "repeats": args.repeats,
        "numpy": np.__version__,
        "torch": torch.__version__,
        "threads": args.threads,
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
