"""The function registry and the SQL helper file stay complete and consistent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from metadata.formulas import FUNCTIONS, SQL_FUNCTIONS, DuplicateKey, UnknownKey, casemap
from metadata.formulas.functions.base import FormulaFunction
from tessera.registry import Registry

PACKAGE = Path(__file__).parents[3] / "metadata" / "formulas"
REQUIRED = """IF CASE AND OR NOT ISBLANK ISNULL BLANKVALUE NULLVALUE ISPICKVAL INCLUDES TEXT VALUE LEN LEFT
RIGHT MID FIND CONTAINS BEGINS SUBSTITUTE UPPER LOWER TRIM LPAD RPAD ROUND FLOOR CEILING ABS MAX MIN
MOD SQRT EXP LN LOG DATE DATEVALUE DATETIMEVALUE TODAY NOW YEAR MONTH DAY WEEKDAY ADDMONTHS HYPERLINK
IMAGE REGEX BR ISNUMBER + - * / ^ & = != < <= > >= U- U+""".split()


def test_generic_registry() -> None:
    reg: Registry[int] = Registry("thing", normalize=str.upper)  # as the formula functions' registry
    reg.register("one", 1)
    assert reg.get("ONE") == 1 and "One" in reg and len(reg) == 1 and reg.all() == {"ONE": 1}
    with pytest.raises(DuplicateKey, match="thing 'ONE' is already registered"):
        reg.register("One", 2)
    with pytest.raises(UnknownKey, match="unknown thing 'two'"):
        reg.get("two")


def test_every_required_function_is_registered_once() -> None:
    assert set(REQUIRED) <= set(FUNCTIONS.all())
    with pytest.raises(DuplicateKey):
        FUNCTIONS.register("IF", FUNCTIONS.get("IF"))


@pytest.mark.parametrize("name", sorted(FUNCTIONS.all()))
def test_each_entry_has_both_back_ends(name: str) -> None:
    fn = type(FUNCTIONS.get(name))
    has_python = fn.py is not FormulaFunction.py or fn.evaluate is not FormulaFunction.evaluate
    has_sql = fn.sql is not FormulaFunction.sql or fn.compile is not FormulaFunction.compile
    assert has_python and has_sql, f"{name} lacks a Python or a SQL implementation"


def test_sql_helper_file() -> None:
    assert "%" not in SQL_FUNCTIONS
    assert not re.search(r"\bEXECUTE\b|\bSECURITY DEFINER\b", SQL_FUNCTIONS, re.IGNORECASE)
    defined = set(re.findall(r"CREATE OR REPLACE FUNCTION (tessera_f_\w+)\(", SQL_FUNCTIONS))
    used: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(re.findall(r"tessera_f_\w*[a-z0-9]\b(?!\*)", path.read_text(encoding="utf-8")))
    used |= set(re.findall(r"tessera_f_\w*[a-z0-9]\b(?!\*)", SQL_FUNCTIONS))
    assert used <= defined, f"used but not defined: {sorted(used - defined)}"
    for header in re.findall(r"CREATE OR REPLACE FUNCTION[^$]*\$\$", SQL_FUNCTIONS):
        assert "PARALLEL SAFE" in header and re.search(r"\b(IMMUTABLE|STABLE)\b", header), header
        assert "LANGUAGE sql" in header or "LANGUAGE plpgsql" in header, header


def test_case_tables_in_sql_match_python() -> None:
    upper = re.search(r"tessera_f_upper.*?translate\(t, '([^']*)', '([^']*)'\)", SQL_FUNCTIONS, re.S)
    lower = re.search(r"tessera_f_lower.*?translate\(t, '([^']*)', '([^']*)'\)", SQL_FUNCTIONS, re.S)
    assert upper and upper.groups() == (casemap.UPPER_FROM, casemap.UPPER_TO)
    assert lower and lower.groups() == (casemap.LOWER_FROM, casemap.LOWER_TO)


def test_no_django_in_the_language_core() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+django", text, re.M), path


def test_checked_formulas_pickle_back_to_registry_entries() -> None:
    """The runtime may cache CheckedFormula objects (pickled); they must come back equal."""
    import pickle

    from metadata.formulas import check, parse
    from tests.helpers.formulas.sample import TYPES
    from tests.helpers.formulas.support import DictScope

    checked = check(parse('IF(REGEX(txt, "[a-z ]+"), UPPER(txt), LEFT(txt, num))'), DictScope(TYPES))
    clone = pickle.loads(pickle.dumps(checked))
    assert clone == checked and clone.tree.fn is FUNCTIONS.get("IF")
