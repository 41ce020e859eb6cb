"""Self-checking exercises of Part III (chapters 11 to 14); see :mod:`companion.exercises`."""
from __future__ import annotations

import numpy as np  # noqa: F401

from ._framework import compare_arrays, compare_function, compare_number, exercise  # noqa: F401
