"""Error classes of the formula language.

Every error a formula author can cause derives from :class:`FormulaError`, so callers (the metadata
API, the record runtime) can catch one class and show ``str(error)``, which always starts with the
position (``line 2, column 7: ...``) when one is known. Errors are raised at parse or check time;
evaluation never raises for bad data (see ``evaluator``: a failing operation yields blank).
"""

from __future__ import annotations

from tessera.registry import AlreadyRegistered, NotRegistered
from tessera.registry import RegistryError as RegistryError  # re-exported by metadata.formulas


class FormulaError(Exception):
    """Base class: a formula was refused. ``line``/``column`` are 1-based, or None if unknown."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        super().__init__(self._render())

    def _render(self) -> str:
        if self.line is None:
            return self.message
        return f"line {self.line}, column {self.column}: {self.message}"

    def __str__(self) -> str:
        return self._render()


class FormulaSyntaxError(FormulaError):
    """The text is not a formula. ``expected`` names what the parser was looking for."""

    def __init__(self, message: str, *, line: int, column: int, expected: str | None = None) -> None:
        self.expected = expected
        super().__init__(message, line=line, column=column)


class FormulaTypeError(FormulaError):
    """The formula parses but is ill-typed (wrong argument types, unknown function, bad arity...)."""


class UnknownReference(FormulaTypeError):
    """A field path the scope does not know (or does not let this formula see).

    Scopes raise it with just the path; the checker re-raises it with the position filled in.
    """

    def __init__(self, path: tuple[str, ...], message: str | None = None, *,
                 line: int | None = None, column: int | None = None) -> None:
        self.path = tuple(path)
        super().__init__(message or f"unknown field {'.'.join(self.path)}", line=line, column=column)


class FormulaTooComplex(FormulaError):
    """A guard rail was hit: formula too long, nested too deeply, a pattern too large..."""


#: The registry's errors (programming errors, not formula-author errors), under the names the
#: formula engine has always used: a key registered twice, a key never registered.
DuplicateKey = AlreadyRegistered
UnknownKey = NotRegistered
