"""Every operator and function, with edge cases and blanks, through BOTH back ends.

Each case is (formula, expected[, options]); the record is RECORD of tests.helpers.formulas.sample. The same expectation is
checked for the Python evaluator and for the compiled SQL run on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from metadata.formulas import FormulaType, check, parse
from tests.helpers.formulas.sample import RECORD, TYPES
from tests.helpers.formulas.support import DictScope, run_python, run_sql

T = FormulaType
UTC = dt.UTC

BLANK = {"blank_as": "blank"}
ZERO = {"blank_as": "zero"}


def day(y: int, m: int, d: int) -> dt.date:
    return dt.date(y, m, d)


def moment(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


CASES: list[tuple[Any, ...]] = [
    # --- arithmetic and precedence
    ("1 + 2 * 3", D(7)), ("(1 + 2) * 3", D(9)), ("2 ^ 3 ^ 2", D(512)), ("-2 ^ 2", D(-4)),
    ("10 / 4", D("2.5")), ("1 / 3", D("0.33333333333333333333")), ("2 / 3", D("0.66666666666666666667")),
    ("1 / 0", None), ("num - neg", D("12.5")), ("+num", D(10)), ("num * pct", D("1.5")), ("cur + 1", D("101.50")),
    ("blank_num + 1", None, BLANK), ("blank_num + 1", D(1), ZERO), ("2 ^ -1", D("0.5")), ("0 ^ -1", None),
    ("(-8) ^ (1/3)", None), ("2 ^ 0.5", D("1.4142135623730950488")), ("10 ^ 1001", None),
    ("1.8 * 24 + 32", D("75.2")), ("num / 0.621371192", D("16.093440006146921597")),
    # --- text concatenation
    ('"a" & blank_txt & "b"', "ab"), ('txt + "!"', "Hello World!"), ('"50%" & " off"', "50% off"),
    ('"it\'s" & \' "q" \'', 'it\'s "q" '), ('"tab\\there"', "tab\there"), ("Account.Name & '!'", "Acme!"),
    # --- date arithmetic
    ("d + 1", day(2020, 3, 1)), ("1 + d", day(2020, 3, 1)), ("d - 366", day(2019, 2, 28)),
    ("d + 0.9", day(2020, 2, 29)), ("d - DATE(2020, 1, 1)", D(59)), ("dt + 0.5", moment(2020, 3, 10, 10, 34)),
    ("dt - DATETIMEVALUE('2020-03-09 10:34:00')", D("0.5")), ("dt - 1/86400000", moment(2020, 3, 9, 22, 33, 59, 999000)),
    ("blank_d + 1", None), ("d + 3000000", None), ("DATE(1, 1, 1) - 1", None),
    # --- comparisons and logic
    ("num > 5", True), ("blank_num > 5", False, BLANK), ("blank_num < 5", True, ZERO),
    ("blank_num = NULL", True, BLANK), ("blank_num <> 0", True, BLANK), ("blank_num == 0", True, ZERO),
    ('blank_txt = ""', True), ("empty = blank_txt", True), ('txt <> "hello world"', True),
    ("d < DATE(2021, 1, 1)", True), ("blank_d < DATE(2021, 1, 1)", False), ("blank_d = NULL", True),
    ("flag = TRUE", True), ("blank_flag = FALSE", True), ("1 == 1.0", True), ("1 != 1", False),
    ("!flag", False), ("flag && num > 1", True), ("flag || blank_flag", True), ("NOT(blank_flag)", True),
    ("AND(TRUE, FALSE)", False), ("OR(FALSE, FALSE, TRUE)", True), ("and(true, true)", True),
    # --- IF / CASE
    ('IF(flag, "y", "n")', "y"), ("IF(blank_flag, 1, 2)", D(2)), ("IF(NULL, 1, 2)", D(2)),
    ("IF(num > 100, 1, NULL)", None), ("IF(num > 1, NULL, NULL)", None),
    ('CASE(num, 10, "ten", 20, "twenty", "other")', "ten"), ('CASE(num, 1, "one", "other")', "other"),
    ('CASE(blank_txt, "", "empty", "x")', "empty"), ('CASE(blank_num, 0, "zero", "none")', "none", BLANK),
    ('CASE(blank_num, 0, "zero", "none")', "zero", ZERO), ('CASE(pick, "Hot", 1, 0)', D(1)),
    ('CASE(d, DATE(2020, 2, 29), "leap", "no")', "leap"), ("CASE(1, 1, flag, FALSE)", True),
    # --- blanks
    ("ISBLANK(blank_txt)", True), ("ISBLANK(empty)", True), ("ISBLANK(txt)", False),
    ("ISBLANK(blank_num)", True, BLANK), ("ISBLANK(blank_num)", False, ZERO), ("ISBLANK(zero)", False, BLANK),
    ("ISBLANK(blank_flag)", False), ("ISBLANK(blank_multi)", True), ("ISBLANK(multi)", False),
    ("ISBLANK(blank_pick)", True), ("ISBLANK(d)", False), ("ISBLANK(blank_d)", True), ("ISBLANK(NULL)", True),
    ("ISNULL(blank_txt)", False), ("ISNULL(blank_num)", True, BLANK), ("ISNULL(blank_num)", False, ZERO),
    ('BLANKVALUE(blank_txt, "dflt")', "dflt"), ('BLANKVALUE(empty, "dflt")', "dflt"), ('BLANKVALUE(txt, "d")', "Hello World"),
    ("BLANKVALUE(blank_num, 5)", D(5), BLANK), ("BLANKVALUE(blank_d, d)", day(2020, 2, 29)),
    ("NULLVALUE(blank_num, 7)", D(7), BLANK), ('NULLVALUE(blank_txt, "x")', None),
    ('ISPICKVAL(pick, "Hot")', True), ('ISPICKVAL(pick, "hot")', False), ('ISPICKVAL(blank_pick, "")', True),
    ('INCLUDES(multi, "a")', True), ('INCLUDES(multi, "c")', False), ('INCLUDES(blank_multi, "a")', False),
    # --- TEXT / VALUE
    ("TEXT(num)", "10"), ("TEXT(cur)", "100.5"), ("TEXT(neg)", "-2.5"), ("TEXT(pct)", "0.15"),
    ("TEXT(d)", "2020-02-29"), ("TEXT(dt)", "2020-03-09 22:34:00Z"), ("TEXT(pick)", "Hot"),
    ("TEXT(blank_num)", None, BLANK), ("TEXT(blank_pick)", ""), ("TEXT(DATE(5, 1, 2))", "0005-01-02"),
    ("TEXT(1 - 1.000)", "0"), ("TEXT(10 / 4)", "2.5"), ("TEXT(10 ^ 20)", "100000000000000000000"),
    ('VALUE("12.50")', D("12.5")), ('VALUE(" -3 ")', D(-3)), ('VALUE("+.5")', D("0.5")), ('VALUE("1e5")', None),
    ('VALUE("abc")', None), ("VALUE(blank_txt)", None), ('VALUE("1,000")', None),
    ('ISNUMBER("12")', True), ('ISNUMBER("x")', False), ("ISNUMBER(blank_txt)", False),
    # --- text functions
    ("LEN(txt)", D(11)), ("LEN(blank_txt)", D(0)), ('LEN("😀é")', D(2)),
    ("LEFT(txt, 5)", "Hello"), ("LEFT(txt, -1)", ""), ("LEFT(txt, 2.9)", "He"), ("LEFT(txt, blank_num)", None, BLANK),
    ("RIGHT(txt, 5)", "World"), ("RIGHT(txt, 0)", ""), ("RIGHT(txt, 99)", "Hello World"), ('RIGHT("000", 4)', "000"),
    ("MID(txt, 7, 3)", "Wor"), ("MID(txt, 0, 2)", "He"), ("MID(txt, 20, 2)", ""), ("MID(txt, 2, -1)", ""),
    ('FIND("o", txt)', D(5)), ('FIND("o", txt, 6)', D(8)), ('FIND("z", txt)', D(0)), ('FIND("", txt)', D(0)),
    ('FIND("o", txt, 100)', D(0)), ('FIND("o", txt, -5)', D(5)), ('FIND("o", blank_txt)', D(0)),
    ('CONTAINS(txt, "World")', True), ('CONTAINS(txt, "world")', False), ('CONTAINS(txt, "")', True),
    ('BEGINS(txt, "Hell")', True), ('BEGINS(blank_txt, "")', True), ('BEGINS(txt, "World")', False),
    ('SUBSTITUTE(txt, "o", "0")', "Hell0 W0rld"), ('SUBSTITUTE(txt, "", "x")', "Hello World"),
    ('SUBSTITUTE("aaa", "aa", "b")', "ba"), ('SUBSTITUTE("100%", "%", " percent")', "100 percent"),
    ('UPPER("straße é")', "STRAßE É"), ('LOWER("ÀB ΣΑ")', "àb σα"), ('UPPER(blank_txt)', ""),
    ('TRIM("  a b \\t")', "a b"),
    ('LPAD("7", 3, "0")', "007"), ('LPAD("hello", 3)', "hel"), ('RPAD("ab", 5, "xy")', "abxyx"),
    ('LPAD("ab", 4)', "  ab"), ('LPAD("ab", 4, "")', "ab"), ('LPAD("a", 200000)', None), ('RPAD("a", -3)', ""),
    # --- HTML
    ('HYPERLINK("http://x.com/?q=" & txt, "X")', '<a href="http://x.com/?q=Hello World">X</a>'),
    ('HYPERLINK("u", "n", "_blank")', '<a href="u" target="_blank">n</a>'),
    ("HYPERLINK('say\"hi<', \"n\")", '<a href="say&quot;hi&lt;">n</a>'),
    ('IMAGE("/i.gif", "alt")', '<img src="/i.gif" alt="alt"/>'),
    ('IMAGE("/i.gif", "a", 10, 20.50)', '<img src="/i.gif" alt="a" height="10" width="20.5"/>'),
    ("BR()", "<br>"),
    # --- REGEX
    ('REGEX("555-1234", "[0-9]{3}-[0-9]{4}")', True), ('REGEX("5555-1234", "[0-9]{3}-[0-9]{4}")', False),
    ('REGEX(blank_txt, "")', True), ('REGEX("abc", "a.c")', True), ('REGEX("a\\nc", "a.c")', False),
    ('REGEX("x@y.com", "^\\\\w+@\\\\w+\\\\.com$")', True), ('REGEX("AB", "[a-z]+")', False),
    ('REGEX("a.b", "a\\\\.b")', True), ('REGEX("axb", "a\\\\.b")', False), ('REGEX("50%", "\\\\d+%")', True),
    # --- math
    ("ROUND(2.5, 0)", D(3)), ("ROUND(-2.5, 0)", D(-3)), ("ROUND(1234.5678, 2)", D("1234.57")),
    ("ROUND(1234.5678, -2)", D(1200)), ("ROUND(1.005, 2)", D("1.01")), ("ROUND(2.5, 0.9)", D(3)),
    ("FLOOR(2.5)", D(2)), ("FLOOR(-2.5)", D(-2)), ("CEILING(2.1)", D(3)), ("CEILING(-2.1)", D(-3)),
    ("CEILING(3)", D(3)), ("ABS(neg)", D("2.5")),
    ("MAX(1, 5, 3)", D(5)), ("MIN(1, 5, 3)", D(1)), ("MAX(1, blank_num)", None, BLANK), ("MAX(1, blank_num)", D(1), ZERO),
    ("MAX(neg)", D("-2.5")),
    ("MOD(10, 3)", D(1)), ("MOD(-10, 3)", D(-1)), ("MOD(10, -3)", D(1)), ("MOD(5.5, 2)", D("1.5")), ("MOD(1, 0)", None),
    ("SQRT(16)", D(4)), ("SQRT(2)", D("1.4142135623730950488")), ("SQRT(-1)", None),
    ("EXP(1)", D("2.7182818284590452354")), ("LN(EXP(2))", D(2)), ("LOG(1000)", D(3)), ("LN(0)", None),
    ("EXP(5000)", None),
    # --- dates
    ("DATE(2020, 2, 29)", day(2020, 2, 29)), ("DATE(2021, 2, 29)", None), ("DATE(2020, 13, 1)", None),
    ("DATE(0, 1, 1)", None), ("DATE(2020.9, 1.9, 1.9)", day(2020, 1, 1)), ("DATE(2020, 1, blank_num)", None, BLANK),
    ('DATEVALUE("2020-01-31")', day(2020, 1, 31)), ('DATEVALUE("2020-1-31")', None), ('DATEVALUE("2020-02-30")', None),
    ("DATEVALUE(dt)", day(2020, 3, 9)), ('DATEVALUE(DATETIMEVALUE("2020-03-09 23:59:59"))', day(2020, 3, 9)),
    ('DATETIMEVALUE("2020-03-09 22:34:00")', moment(2020, 3, 9, 22, 34)),
    ('DATETIMEVALUE("2020-03-09T22:34:00Z")', moment(2020, 3, 9, 22, 34)),
    ('DATETIMEVALUE("2020-03-09")', moment(2020, 3, 9)), ('DATETIMEVALUE("2020-03-09 24:00:00")', None),
    ("DATETIMEVALUE(d)", moment(2020, 2, 29)),
    ("YEAR(d)", D(2020)), ("MONTH(d)", D(2)), ("DAY(d)", D(29)), ("WEEKDAY(d)", D(7)),
    ("WEEKDAY(DATE(2020, 3, 1))", D(1)), ("YEAR(blank_d)", None), ("DAYOFYEAR(d)", D(60)),
    ("ISOWEEK(DATE(2021, 1, 3))", D(53)), ("ISOYEAR(DATE(2021, 1, 3))", D(2020)), ("ISOWEEK(d)", D(9)),
    ("ADDMONTHS(d, 12)", day(2021, 2, 28)), ("ADDMONTHS(DATE(2021, 1, 31), 1)", day(2021, 2, 28)),
    ("ADDMONTHS(DATE(2021, 2, 28), 1)", day(2021, 3, 31)), ("ADDMONTHS(DATE(2020, 1, 15), -1)", day(2019, 12, 15)),
    ("ADDMONTHS(DATE(9999, 12, 1), 1)", None), ("ADDMONTHS(DATE(2020, 5, 31), 1.7)", day(2020, 6, 30)),
    # NOW is 2020-01-01T03:00Z; in America/Los_Angeles that is still 2019-12-31.
    ("TODAY()", day(2019, 12, 31)), ("NOW()", moment(2020, 1, 1, 3)), ("TODAY() - DATEVALUE(NOW())", D(-1)),
    # --- names are case-insensitive
    ("if(FLAG, Num, 0)", D(10)), ("Len(TXT)", D(11)),
]


def _id(case: tuple[Any, ...]) -> str:
    return case[0] + (f" [{case[2]['blank_as']}]" if len(case) > 2 else "")


@pytest.fixture(params=CASES, ids=[_id(c) for c in CASES])
def case(request: pytest.FixtureRequest) -> tuple[Any, ...]:
    return request.param


def _check(case: tuple[Any, ...]) -> Any:
    options = case[2] if len(case) > 2 else {"blank_as": "blank"}
    return check(parse(case[0]), DictScope(TYPES), **options)


def _same(got: Any, expected: Any) -> None:
    assert got == expected
    assert type(got) is type(expected) or isinstance(got, dt.datetime) and isinstance(expected, dt.datetime)


def test_python(case: tuple[Any, ...]) -> None:
    _same(run_python(_check(case), RECORD), case[1])


def test_sql(case: tuple[Any, ...], formula_db: Any) -> None:
    _same(run_sql(formula_db, _check(case), TYPES, RECORD), case[1])


def test_percent_result_is_returned_as_stored(formula_db: Any) -> None:
    """A PERCENT formula computing 0.3 returns 30, the way percent fields are stored."""
    checked = check(parse("pct * 2"), DictScope(TYPES), result_type=T.PERCENT)
    assert run_python(checked, RECORD) == D(30)
    assert run_sql(formula_db, checked, TYPES, RECORD) == D(30)


def test_checkbox_result_is_never_blank(formula_db: Any) -> None:
    checked = check(parse("NULL"), DictScope(TYPES), result_type=T.BOOLEAN)
    assert run_python(checked, RECORD) is False
    assert run_sql(formula_db, checked, TYPES, RECORD) is False


def test_today_and_now_without_parameters(formula_db: Any) -> None:
    """compile_sql(now_param=False) uses the database clock and the tenant time zone."""
    from psycopg2 import sql

    from metadata.formulas import compile_sql
    from tests.helpers.formulas.support import JsonbRefs

    checked = check(parse("TEXT(TODAY()) & '|' & TEXT(NOW())"), DictScope(TYPES))
    assert checked.uses_now
    with pytest.raises(ValueError, match="tz"):
        compile_sql(checked, JsonbRefs(TYPES), now_param=False)
    expr = compile_sql(checked, JsonbRefs(TYPES), now_param=False, tz="Pacific/Kiritimati")
    with formula_db.cursor() as cur:
        cur.execute(sql.SQL("SELECT {}, (now() AT TIME ZONE 'Pacific/Kiritimati')::date, now() "
                            "FROM (SELECT '{{}}'::jsonb AS data) AS r").format(expr))
        text, today, now = cur.fetchone()
    assert text.split("|")[0] == today.isoformat()
    assert text.split("|")[1] == now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
