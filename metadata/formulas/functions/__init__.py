"""Formula functions and operators: ONE registry entry per function.

Importing this package registers every entry in :data:`FUNCTIONS`.
"""

from __future__ import annotations

from .base import FormulaFunction
from .registry import Registry

FUNCTIONS: Registry[FormulaFunction] = Registry("formula function")

# Registration happens on import; the order does not matter.
from . import dates, html, logical, maths, operators, text  # noqa: E402,F401

__all__ = ["FUNCTIONS", "FormulaFunction", "Registry"]
