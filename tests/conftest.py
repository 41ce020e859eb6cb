import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")  # this process only: the notebook kernels nbval starts keep their inline backend


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def strict_numpy():
    """Overflow, invalid operations and division by zero raise instead of warning."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        yield


# Every hypothesis test draws the same examples on every run (CI is deterministic), and no example
# database carries failures from one run into the next.
from hypothesis import settings  # noqa: E402

settings.register_profile("deterministic", derandomize=True, database=None, deadline=None)
settings.load_profile("deterministic")
