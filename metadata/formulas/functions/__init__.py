"""Formula functions and operators: ONE registry entry per function.

Importing this package registers every entry in :data:`FUNCTIONS`.
"""

from __future__ import annotations

# Registration happens on import; the order does not matter.
from . import dates, html, logical, maths, operators, text  # noqa: F401
from .base import FormulaFunction
from .registry import FUNCTIONS

__all__ = ["FUNCTIONS", "FormulaFunction"]
