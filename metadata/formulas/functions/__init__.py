"""Formula functions and operators: ONE registry entry per function.

Importing this package registers every entry in :data:`FUNCTIONS`.
"""

from __future__ import annotations

from tessera.registry import Registry

from .base import FormulaFunction

#: Function names are case-insensitive in formulas: stored upper-case.
FUNCTIONS: Registry[FormulaFunction] = Registry("formula function", normalize=str.upper, key_attribute="name")

# Registration happens on import; the order does not matter.
from . import dates, html, logical, maths, operators, text  # noqa: E402,F401

__all__ = ["FUNCTIONS", "FormulaFunction"]
