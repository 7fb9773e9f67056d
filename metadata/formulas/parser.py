"""Pratt parser: tokens to the syntax tree of ``nodes``.

Precedence, loosest first: ``||``; ``&&``; ``= == != <>``; ``< <= > >=``; ``&``; ``+ -``;
``* /``; prefix ``- + !``; ``^`` (right-associative, so ``-2^2`` is ``-(2^2)`` and ``2^3^2`` is
``2^9``, the usual mathematical reading that Salesforce documents; real orgs are known to bind
``^`` more loosely than ``*``, which Salesforce acknowledged as a bug). ``&``, ``&&`` and ``||``
chains become one variadic call so long concatenations do not make deep trees.

Recursion depth is bounded: every nested expression increments a counter, and trees deeper than
``MAX_NESTING_DEPTH`` are refused with FormulaTooComplex before Python's stack is at risk.
"""

from __future__ import annotations

from .errors import FormulaSyntaxError, FormulaTooComplex
from .lexer import Tok, Token, tokenize
from .limits import MAX_NESTING_DEPTH
from .nodes import BoolLit, Call, FieldRef, Node, NullLit, NumberLit, Pos, StringLit

# operator -> (binding power, registry key, variadic flattening)
_BINARY: dict[str, tuple[int, str, bool]] = {
    "||": (10, "OR", True),
    "&&": (20, "AND", True),
    "=": (30, "=", False), "==": (30, "=", False), "!=": (30, "!=", False), "<>": (30, "!=", False),
    "<": (40, "<", False), "<=": (40, "<=", False), ">": (40, ">", False), ">=": (40, ">=", False),
    "&": (50, "&", True),
    "+": (60, "+", False), "-": (60, "-", False),
    "*": (70, "*", False), "/": (70, "/", False),
    "^": (90, "^", False),
}
_PREFIX_BP = 80
_PREFIX = {"-": "u-", "+": "u+", "!": "NOT"}
_RIGHT_ASSOC = {"^"}
_KEYWORDS = {"TRUE", "FALSE", "NULL"}


def parse(source: str) -> Node:
    """Parse formula text; raise FormulaSyntaxError (with position) or FormulaTooComplex."""
    return _Parser(tokenize(source)).parse_formula()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.nesting = 0

    # -- helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def next(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind is not Tok.EOF:
            self.i += 1
        return tok

    def error(self, message: str, expected: str | None, tok: Token | None = None) -> FormulaSyntaxError:
        tok = tok or self.tok
        return FormulaSyntaxError(message, line=tok.line, column=tok.column, expected=expected)

    def _check_depth(self, node: Node) -> Node:
        if node.depth > MAX_NESTING_DEPTH:
            raise FormulaTooComplex(f"formula is nested more than {MAX_NESTING_DEPTH} levels deep",
                                    line=node.pos.line, column=node.pos.column)
        return node

    # -- grammar
    def parse_formula(self) -> Node:
        if self.tok.kind is Tok.EOF:
            raise self.error("formula is empty", "an expression")
        node = self.expression(0)
        if self.tok.kind is not Tok.EOF:
            raise self.error(f"unexpected {self.tok.describe()} after a complete expression",
                             "an operator or end of formula")
        return node

    def expression(self, min_bp: int) -> Node:
        self.nesting += 1
        if self.nesting > MAX_NESTING_DEPTH:
            tok = self.tok
            raise FormulaTooComplex(f"formula is nested more than {MAX_NESTING_DEPTH} levels deep",
                                    line=tok.line, column=tok.column)
        try:
            left = self.prefix()
            while True:
                tok = self.tok
                if tok.kind is not Tok.OP or tok.text not in _BINARY:
                    return left
                bp, key, variadic = _BINARY[tok.text]
                if bp <= min_bp:
                    return left
                self.next()
                right_bp = bp - 1 if tok.text in _RIGHT_ASSOC else bp
                if variadic:
                    args = [left, self.expression(right_bp)]
                    while self.tok.kind is Tok.OP and self.tok.text in _BINARY and \
                            _BINARY[self.tok.text][1] == key:
                        self.next()
                        args.append(self.expression(right_bp))
                    left = self._check_depth(Call.make(_pos(tok), key, tuple(args), operator=True))
                else:
                    right = self.expression(right_bp)
                    left = self._check_depth(Call.make(_pos(tok), key, (left, right), operator=True))
        finally:
            self.nesting -= 1

    def prefix(self) -> Node:
        tok = self.next()
        if tok.kind is Tok.NUMBER:
            return NumberLit(_pos(tok), tok.value)  # type: ignore[arg-type]
        if tok.kind is Tok.STRING:
            return StringLit(_pos(tok), tok.text)
        if tok.kind is Tok.LPAREN:
            inner = self.expression(0)
            if self.tok.kind is not Tok.RPAREN:
                raise self.error(f"expected ')' to close the '(' at line {tok.line}, column "
                                 f"{tok.column}, found {self.tok.describe()}", "')'")
            self.next()
            return inner
        if tok.kind is Tok.OP and tok.text in _PREFIX:
            operand = self.expression(_PREFIX_BP)
            return self._check_depth(Call.make(_pos(tok), _PREFIX[tok.text], (operand,), operator=True))
        if tok.kind is Tok.IDENT:
            path: tuple[str, ...] = tok.value  # type: ignore[assignment]
            if self.tok.kind is Tok.LPAREN:
                if len(path) > 1 or path[0].startswith("$"):
                    raise self.error(f"{tok.text} is not a function name", None, tok)
                return self.call(tok)
            if len(path) == 1 and path[0].upper() in _KEYWORDS:
                word = path[0].upper()
                if word == "NULL":
                    return NullLit(_pos(tok))
                return BoolLit(_pos(tok), word == "TRUE")
            return FieldRef(_pos(tok), path)
        if tok.kind is Tok.EOF:
            raise self.error("formula ends where an expression was expected", "an expression", tok)
        raise self.error(f"expected an expression, found {tok.describe()}", "an expression", tok)

    def call(self, name_tok: Token) -> Node:
        name = name_tok.text
        self.next()  # '('
        args: list[Node] = []
        if self.tok.kind is Tok.RPAREN:
            self.next()
            return Call.make(_pos(name_tok), name, ())
        while True:
            if self.tok.kind in (Tok.COMMA, Tok.RPAREN):
                raise self.error(f"expected an argument of {name.upper()}, found {self.tok.describe()}",
                                 "an expression")
            args.append(self.expression(0))
            if self.tok.kind is Tok.COMMA:
                self.next()
                continue
            if self.tok.kind is Tok.RPAREN:
                self.next()
                return self._check_depth(Call.make(_pos(name_tok), name, tuple(args)))
            raise self.error(f"expected ')' after arguments of {name.upper()}, found "
                             f"{self.tok.describe()}", "')'")


def _pos(tok: Token) -> Pos:
    return Pos(tok.line, tok.column)
