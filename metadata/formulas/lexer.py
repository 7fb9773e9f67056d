"""Tokeniser: formula text to a list of tokens with 1-based line/column positions.

A single left-to-right loop (no recursion, no regex backtracking over the whole input), run only
after the length guard, so hostile input costs linear time. Salesforce syntax: ``/* comments */``,
'single' or "double" quoted strings with backslash escapes, decimal numbers without exponents,
identifiers with ``$`` globals and dotted lookup paths (``Account.Owner.Name``).
"""

from __future__ import annotations

import enum
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
_ALLOWED_CONTROL = {"\n", "\r", "\t"}


def _is_ident_start(ch: str) -> bool:
    return ch.isascii() and (ch.isalpha() or ch == "_")


def _is_ident_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


class _Cursor:
    def __init__(self, source: str) -> None:
        self.src = source
        self.i = 0
        self.line = 1
        self.col = 1

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.src[j] if j < len(self.src) else ""

    def advance(self) -> str:
        ch = self.src[self.i]
        self.i += 1
        if ch == "\n":
            self.line += 1
            self.col = 1
        else:
            self.col += 1
        return ch

    def error(self, message: str, expected: str | None = None, line: int | None = None,
              column: int | None = None) -> FormulaSyntaxError:
        return FormulaSyntaxError(message, line=line or self.line, column=column or self.col,
                                  expected=expected)


def tokenize(source: str) -> list[Token]:
    """Return the tokens of ``source`` ending with an EOF token; raise FormulaSyntaxError."""
    if not isinstance(source, str):
        raise TypeError("formula source must be a str")
    if len(source) > MAX_FORMULA_LENGTH:
        raise FormulaTooComplex(
            f"formula is {len(source)} characters long; the maximum is {MAX_FORMULA_LENGTH}")
    cur = _Cursor(source)
    tokens: list[Token] = []
    while True:
        _skip_blanks(cur)
        line, col = cur.line, cur.col
        ch = cur.peek()
        if ch == "":
            tokens.append(Token(Tok.EOF, "", line, col))
            return tokens
        if ch.isascii() and ch.isdigit() or (ch == "." and cur.peek(1).isascii() and cur.peek(1).isdigit()):
            tokens.append(_number(cur, line, col))
        elif ch in ("'", '"'):
            tokens.append(_string(cur, line, col))
        elif _is_ident_start(ch) or ch == "$":
            tokens.append(_identifier(cur, line, col))
        elif ch == "(":
            cur.advance()
            tokens.append(Token(Tok.LPAREN, "(", line, col))
        elif ch == ")":
            cur.advance()
            tokens.append(Token(Tok.RPAREN, ")", line, col))
        elif ch == ",":
            cur.advance()
            tokens.append(Token(Tok.COMMA, ",", line, col))
        else:
            for op in _OPERATORS:
                if source.startswith(op, cur.i):
                    for _ in op:
                        cur.advance()
                    tokens.append(Token(Tok.OP, op, line, col))
                    break
            else:
                raise cur.error(f"unexpected character {ch!r}")


def _skip_blanks(cur: _Cursor) -> None:
    while True:
        ch = cur.peek()
        if ch in (" ", "\t", "\n", "\r", "\f", "\v", "\u00a0"):
            cur.advance()
        elif ch == "/" and cur.peek(1) == "*":
            line, col = cur.line, cur.col
            cur.advance()
            cur.advance()
            while not (cur.peek() == "*" and cur.peek(1) == "/"):
                if cur.peek() == "":
                    raise cur.error("comment is not closed", expected="'*/'", line=line, column=col)
                cur.advance()
            cur.advance()
            cur.advance()
        else:
            return


def _number(cur: _Cursor, line: int, col: int) -> Token:
    start = cur.i
    while cur.peek().isascii() and cur.peek().isdigit():
        cur.advance()
    if cur.peek() == "." and cur.peek(1).isascii() and cur.peek(1).isdigit():
        cur.advance()
        while cur.peek().isascii() and cur.peek().isdigit():
            cur.advance()
    text = cur.src[start:cur.i]
    if _is_ident_char(cur.peek()):
        raise cur.error(f"malformed number {text + cur.peek()!r}")
    return Token(Tok.NUMBER, text, line, col, Decimal(text))


def _string(cur: _Cursor, line: int, col: int) -> Token:
    quote = cur.advance()
    out: list[str] = []
    while True:
        ch = cur.peek()
        if ch == "":
            raise cur.error("text literal is not closed", expected=quote, line=line, column=col)
        if ch == quote:
            cur.advance()
            return Token(Tok.STRING, "".join(out), line, col, "".join(out))
        if ch == "\\":
            esc_line, esc_col = cur.line, cur.col
            cur.advance()
            nxt = cur.peek()
            if nxt not in _ESCAPES:
                raise cur.error(f"unknown escape sequence '\\{nxt}' in text literal",
                                line=esc_line, column=esc_col)
            cur.advance()
            out.append(_ESCAPES[nxt])
            continue
        if ord(ch) < 32 and ch not in _ALLOWED_CONTROL or ch == "\x7f":
            raise cur.error(f"control character {ch!r} in text literal")
        out.append(cur.advance())


def _identifier(cur: _Cursor, line: int, col: int) -> Token:
    start = cur.i
    parts: list[str] = []
    while True:
        part_start = cur.i
        if cur.peek() == "$" and not parts:
            cur.advance()
        if not _is_ident_start(cur.peek()):
            raise cur.error("expected a name", expected="name")
        while _is_ident_char(cur.peek()):
            cur.advance()
        parts.append(cur.src[part_start:cur.i])
        if cur.peek() == "." and _is_ident_start(cur.peek(1)):
            cur.advance()
            continue
        if cur.peek() == ".":
            cur.advance()
            raise cur.error("expected a field name after '.'", expected="name")
        break
    return Token(Tok.IDENT, cur.src[start:cur.i], line, col, tuple(parts))
