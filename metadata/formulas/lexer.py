"""Tokeniser: formula text to a list of tokens with 1-based line/column positions.

One left-to-right pass, run only after the length guard. The few regular expressions used are
anchored at the current offset and have no nested or ambiguous repetition, so they run in linear
time on any input; line/column numbers are computed from offsets only when a token or error needs
them. Salesforce syntax: ``/* comments */``, 'single' or "double" quoted strings with backslash
escapes, decimal numbers without exponents, identifiers with ``$`` globals and dotted lookup paths
(``Account.Owner.Name``).
"""

from __future__ import annotations

import bisect
import enum
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from .errors import FormulaSyntaxError, FormulaTooComplex
from .limits import MAX_FORMULA_LENGTH


class Tok(enum.Enum):
    NUMBER = "number"
    STRING = "string"
    IDENT = "identifier"
    OP = "operator"
    LPAREN = "'('"
    RPAREN = "')'"
    COMMA = "','"
    EOF = "end of formula"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Tok
    text: str  # source text (operators, identifiers), decoded value (strings)
    line: int
    column: int
    value: object = None  # Decimal for numbers, tuple path for identifiers

    def describe(self) -> str:
        if self.kind is Tok.EOF:
            return "end of formula"
        if self.kind is Tok.STRING:
            return "a text literal"
        return repr(self.text)


_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
# Longest first, so '<=' wins over '<'.
_OPERATORS = ("&&", "||", "==", "!=", "<>", "<=", ">=", "+", "-", "*", "/", "^", "&", "=", "<", ">", "!")
_OPERATOR_RE = re.compile("|".join(re.escape(op) for op in _OPERATORS))
_BLANKS_RE = re.compile(r"[ \t\n\r\f\v\u00a0]+")
_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_IDENT_RE = re.compile(rf"\$?{_NAME}(?:\.{_NAME})*")
_IDENT_CHAR_RE = re.compile(r"[A-Za-z0-9_]")
_STRING_CHUNK_RE = {q: re.compile(r"[^\\" + q + r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+") for q in "'\""}
_SINGLE = {"(": Tok.LPAREN, ")": Tok.RPAREN, ",": Tok.COMMA}


class _Source:
    """The text plus offset -> (line, column) mapping."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_left(self.newlines, offset)
        start = self.newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def error(self, offset: int, message: str, expected: str | None = None) -> FormulaSyntaxError:
        line, column = self.position(offset)
        return FormulaSyntaxError(message, line=line, column=column, expected=expected)


def tokenize(source: str) -> list[Token]:
    """Return the tokens of ``source`` ending with an EOF token; raise FormulaSyntaxError."""
    if not isinstance(source, str):
        raise TypeError("formula source must be a str")
    if len(source) > MAX_FORMULA_LENGTH:
        raise FormulaTooComplex(
            f"formula is {len(source)} characters long; the maximum is {MAX_FORMULA_LENGTH}")
    src = _Source(source)
    text = source
    tokens: list[Token] = []
    i = 0
    while True:
        i = _skip_blanks(src, i)
        line, col = src.position(i)
        if i >= len(text):
            tokens.append(Token(Tok.EOF, "", line, col))
            return tokens
        ch = text[i]
        if ch in _SINGLE:
            tokens.append(Token(_SINGLE[ch], ch, line, col))
            i += 1
        elif ch in ("'", '"'):
            value, i = _string(src, i)
            tokens.append(Token(Tok.STRING, value, line, col, value))
        elif m := _NUMBER_RE.match(text, i):
            i = m.end()
            if _IDENT_CHAR_RE.match(text, i):
                raise src.error(i, f"malformed number {text[m.start():i + 1]!r}")
            tokens.append(Token(Tok.NUMBER, m.group(), line, col, Decimal(m.group())))
        elif m := _IDENT_RE.match(text, i):
            i = m.end()
            if text.startswith(".", i):
                raise src.error(i + 1, "expected a field name after '.'", expected="name")
            tokens.append(Token(Tok.IDENT, m.group(), line, col, tuple(m.group().split("."))))
        elif m := _OPERATOR_RE.match(text, i):
            i = m.end()
            tokens.append(Token(Tok.OP, m.group(), line, col))
        elif ch == "$":
            raise src.error(i + 1, "expected a name", expected="name")
        else:
            raise src.error(i, f"unexpected character {ch!r}")


def _is_blank(ch: str) -> bool:
    """Unicode spaces and format characters (category Cf: zero-width spaces and joiners, the
    byte-order mark, direction marks) separate tokens: formulas pasted from web pages and documents
    carry them invisibly."""
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def _skip_blanks(src: _Source, i: int) -> int:
    text = src.text
    while True:
        m = _BLANKS_RE.match(text, i)
        skipped = m is not None
        if m:
            i = m.end()
        elif i < len(text) and _is_blank(text[i]):
            skipped = True
            i += 1
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise src.error(i, "comment is not closed", expected="'*/'")
            i = end + 2
        elif not skipped:
            return i


def _string(src: _Source, start: int) -> tuple[str, int]:
    text = src.text
    quote = text[start]
    chunk_re = _STRING_CHUNK_RE[quote]
    out: list[str] = []
    i = start + 1
    while True:
        m = chunk_re.match(text, i)
        if m:
            out.append(m.group())
            i = m.end()
        if i >= len(text):
            raise src.error(start, "text literal is not closed", expected=quote)
        ch = text[i]
        if ch == quote:
            return "".join(out), i + 1
        if ch == "\\":
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if nxt not in _ESCAPES:
                raise src.error(i, f"unknown escape sequence '\\{nxt}' in text literal")
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        raise src.error(i, f"control character {ch!r} in text literal")
