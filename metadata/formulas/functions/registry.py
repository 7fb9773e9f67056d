"""The registry of formula functions and operators (filled as the function modules are imported).

Its own module, below the function modules and `base`, which register into it and read it back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tessera.registry import Registry

if TYPE_CHECKING:
    from .base import FormulaFunction

#: Function names are case-insensitive in formulas: stored upper-case.
FUNCTIONS: Registry[FormulaFunction] = Registry("formula function", normalize=str.upper, key_attribute="name")
