"""Self-checking exercises of Part II (chapters 6 to 10); see :mod:`companion.exercises`."""
from __future__ import annotations

import numpy as np  # noqa: F401

from ._framework import compare_arrays, compare_function, compare_number, exercise  # noqa: F401
