"""Temporary alias: use :mod:`companion.display`."""
from .display import Table  # noqa: F401
