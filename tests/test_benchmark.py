"""The benchmark's hand-fused NumPy loop computes what MLP.fit computes.

``benchmarks/bench_mlp.py`` reports MLP.fit's speed against that loop; the
comparison means something only if both train the same network the same way.
This checks it on a small set (the timing itself is never a test).
"""
import importlib.util
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_mlp", ROOT / "benchmarks" / "bench_mlp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fused_loop_matches_mlp_fit():
    bench = load_bench()
    X, y = bench.make_data(1000)  # 7 full minibatches and a ragged one of 104
    ours = bench.companion_side(X, y, threads=1)
    fused = bench.fused_side(X, y, threads=1)
    start = {k: v.copy() for k, v in ours.parameters.items()}
    for seed in (3, 4):
        ours(seed)
        fused(seed)
    for key, value in ours.parameters.items():
        assert value.dtype == np.float32
        moved = np.abs(value - start[key]).max()
        assert moved > 1e-3, f"{key} did not train"
        np.testing.assert_allclose(fused.parameters[key], value, rtol=0, atol=2e-5 * np.abs(value).max() + 1e-7, err_msg=key)
