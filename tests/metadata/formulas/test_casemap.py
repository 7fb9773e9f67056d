"""casemap.py and the SQL translate() tables are exactly what their generator writes."""

from __future__ import annotations

import unicodedata

import pytest

from metadata.formulas import casemap_generate

pytestmark = pytest.mark.skipif(
    f"unicodedata {unicodedata.unidata_version})" not in casemap_generate.CASEMAP.read_text(encoding="utf-8"),
    reason="the committed tables come from another Unicode version than this Python's")


def test_casemap_is_generated():
    assert casemap_generate.CASEMAP.read_text(encoding="utf-8") == casemap_generate.casemap_source()


def test_sql_tables_are_generated():
    text = casemap_generate.SQL_FUNCTIONS.read_text(encoding="utf-8")
    assert casemap_generate.sql_functions_source(text) == text
