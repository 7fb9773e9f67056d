"""Refusals with positions: syntax errors (parse) and type errors (check)."""

from __future__ import annotations

import pytest

from metadata.formulas import (
    FormulaError,
    FormulaSyntaxError,
    FormulaType,
    FormulaTypeError,
    UnknownReference,
    check,
    parse,
)
from tests.helpers.formulas.sample import TYPES
from tests.helpers.formulas.support import DictScope

T = FormulaType


@pytest.mark.parametrize(("source", "line", "column", "expected", "message"), [
    ("IF(a, b", 1, 8, "')'", "expected ')' after arguments of IF"),
    ("IF(a,\n  b c)", 2, 5, "')'", "expected ')' after arguments of IF, found 'c'"),
    ("1 +\n  * 2", 2, 3, "an expression", "expected an expression, found '*'"),
    ("(1 + 2", 1, 7, "')'", "to close the '(' at line 1, column 1"),
    ("'abc", 1, 1, "'", "text literal is not closed"),
    ('"a\\q"', 1, 3, None, "unknown escape sequence '\\q'"),
    ("", 1, 1, "an expression", "formula is empty"),
    ("   ", 1, 4, "an expression", "formula is empty"),
    ("1 2", 1, 3, "an operator or end of formula", "unexpected '2' after a complete expression"),
    ("/* never closed", 1, 1, "'*/'", "comment is not closed"),
    ("a # b", 1, 3, None, "unexpected character '#'"),
    ("Account.", 1, 9, "name", "expected a field name after '.'"),
    ("LEFT(txt,)", 1, 10, "an expression", "expected an argument of LEFT, found ')'"),
    ("12abc", 1, 3, None, "malformed number"),
    ("Account.Name(1)", 1, 1, None, "is not a function name"),
    ('"bell\x07"', 1, 6, None, "control character"),
])
def test_syntax_errors(source: str, line: int, column: int, expected: str | None, message: str) -> None:
    with pytest.raises(FormulaSyntaxError) as info:
        parse(source)
    err = info.value
    assert (err.line, err.column, err.expected) == (line, column, expected)
    assert message in str(err)
    assert str(err).startswith(f"line {line}, column {column}: ")
    assert isinstance(err, FormulaError)


def test_comments_and_whitespace_are_ignored() -> None:
    tree = parse("/* c */ 1 /* d */ +\n\t2")
    assert tree.name == "+" and [a.value for a in tree.args] == [1, 2]
    assert (tree.pos.line, tree.pos.column) == (1, 19)


def test_format_characters_pasted_from_web_pages_are_whitespace() -> None:
    """A byte-order mark, zero-width spaces and joiners, direction marks and an ideographic space
    around tokens, as copied from a web page or a document, separate tokens like spaces."""
    pasted = "\ufeff1\u200b+\u200c\u200d2\u2060*\u200e3\u200f\u3000-\u00ad4\ufeff"
    tree = parse(pasted)
    assert tree.name == "-"
    assert parse("\ufeff\u200bLEFT(\u200btxt,\u200b1)").name == "LEFT"
    # Inside a text literal they are kept: they are part of the value.
    assert parse("'a\u200bb'").value == "a\u200bb"


@pytest.mark.parametrize(("source", "line", "column", "message"), [
    ('1 & "a"', 1, 3, "operator '&' cannot be applied to Number, Text"),
    ("LEFT(num, 1)", 1, 1, "incorrect argument types for LEFT: got (Number, Number)"),
    ("LEFT(txt)", 1, 1, "LEFT takes 2 arguments, got 1"),
    ("NOW(1)", 1, 1, "NOW takes 0 arguments, got 1"),
    ("IF(1, 2, 3)", 1, 4, "argument 1 of IF must be Checkbox, got Number"),
    ('IF(flag, 1, "a")', 1, 13, "argument 3 is Text but argument 2 is Number"),
    ("CASE(num, 1, 2)", 1, 1, "CASE takes an expression, pairs of value and result"),
    ('CASE(num, "a", 1, 2)', 1, 11, "argument 2 of CASE must be Number, got Text"),
    ("FROBNICATE(1)", 1, 1, "unknown function FROBNICATE"),
    ('pick = "Hot"', 1, 6, "operator '=' cannot be applied to Picklist, Text"),
    ('txt < "b"', 1, 5, "operator '<' cannot be applied to Text, Text"),
    ("REGEX(txt, txt)", 1, 12, "argument 2 of REGEX must be a text literal"),
    ('REGEX(txt, "(a")', 1, 12, "missing ')'"),
    ('REGEX(txt, "(a)\\\\1")', 1, 12, "escape \\1 is not supported"),
    ('REGEX(txt, "(?=a)")', 1, 12, "lookaround"),
    ('REGEX(txt, "a{1,1000}")', 1, 12, "at most 100"),
    ("d + dt", 1, 3, "operator '+' cannot be applied to Date, Date/Time"),
    ("d - dt", 1, 3, "operator '-' cannot be applied to Date, Date/Time"),
    ("pick", 1, 1, "cannot return a Picklist value; use TEXT()"),
    ("IF(flag, pick, pick)", 1, 10, "IF cannot return a Picklist value"),
    ("-txt", 1, 1, "operator '-' cannot be applied"),
    ("YEAR(dt)", 1, 1, "incorrect argument types for YEAR: got (Date/Time)"),
    ("CASE(multi, 'a', 1, 2)", 1, 6, "CASE cannot compare Multi-Select Picklist"),
    ("ISBLANK(txt, txt)", 1, 1, "ISBLANK takes 1 argument, got 2"),
    ("MAX()", 1, 1, "MAX takes at least 1 argument, got 0"),
])
def test_type_errors(source: str, line: int, column: int, message: str) -> None:
    with pytest.raises(FormulaTypeError) as info:
        check(parse(source), DictScope(TYPES))
    err = info.value
    assert (err.line, err.column) == (line, column), str(err)
    assert message in str(err)


def test_unknown_reference_has_position_and_path() -> None:
    with pytest.raises(UnknownReference) as info:
        check(parse("1 +\n  Account.Nope"), DictScope(TYPES))
    assert (info.value.line, info.value.column, info.value.path) == (2, 3, ("Account", "Nope"))
    assert isinstance(info.value, FormulaTypeError)
    assert "unknown field Account.Nope" in str(info.value)


def test_result_type_must_fit() -> None:
    with pytest.raises(FormulaTypeError, match="formula returns Text but the field expects Number"):
        check(parse("txt"), DictScope(TYPES), result_type=T.NUMBER)
    for numeric in (T.NUMBER, T.CURRENCY, T.PERCENT):
        assert check(parse("num / 3"), DictScope(TYPES), result_type=numeric).result_type is numeric
    assert check(parse("NULL"), DictScope(TYPES), result_type=T.DATE).result_type is T.DATE
    with pytest.raises(FormulaTypeError, match="cannot return"):
        check(parse("1"), DictScope(TYPES), result_type=T.PICKLIST)
    with pytest.raises(ValueError, match="blank_as"):
        check(parse("1"), DictScope(TYPES), blank_as="empty")


def test_checked_formula_metadata() -> None:
    checked = check(parse("IF(FLAG, Account.Name & TEXT(TODAY()), txt)"), DictScope(TYPES))
    assert checked.references == {("flag",), ("account", "name"), ("txt",)}
    assert checked.result_type is T.TEXT and checked.uses_now
    assert not check(parse("num + 1"), DictScope(TYPES)).uses_now
    with pytest.raises(AttributeError):
        checked.result_type = T.NUMBER  # type: ignore[misc]
