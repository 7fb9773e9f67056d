"""Cells as people write them → values: booleans, dates, numbers, lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tessera.transfer.values import (
    CellError,
    ParseOptions,
    excel_serial,
    parse_boolean,
    parse_date,
    parse_datetime,
    parse_number,
    split_list,
)


@pytest.mark.parametrize("text", ["是", "Y", "yes", "TRUE", "1", "✓", "√", 1, True])
def test_true(text):
    assert parse_boolean(text) is True


@pytest.mark.parametrize("text", ["否", "N", "no", "false", "0", "✗", 0])
def test_false(text):
    assert parse_boolean(text) is False


def test_a_word_that_is_neither_says_what_to_write():
    with pytest.raises(CellError, match="是/否"):
        parse_boolean("maybe")


@pytest.mark.parametrize("text", ["2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "20240305",
                                  "2024-03-05 00:00:00", 45356, "45356", dt.datetime(2024, 3, 5, 10, 0)])
def test_dates_in_common_forms(text):
    assert parse_date(text) == dt.date(2024, 3, 5)


def test_numeric_dates_follow_the_chosen_order():
    assert parse_date("05/03/2024", options=ParseOptions(date_order="dmy")) == dt.date(2024, 3, 5)
    assert parse_date("03/05/2024", options=ParseOptions(date_order="mdy")) == dt.date(2024, 3, 5)


def test_a_date_that_does_not_exist_is_not_called_a_wrong_format():
    with pytest.raises(CellError, match="not a date that exists"):
        parse_date("2016-02-30")
    with pytest.raises(CellError, match="not a date"):
        parse_date("next tuesday")


def test_excel_serials_around_its_leap_year_bug():
    assert excel_serial(1) == dt.date(1900, 1, 1)
    assert excel_serial(60 + 1) == dt.date(1900, 3, 1)
    assert excel_serial(45356.75) == dt.date(2024, 3, 5)


def test_date_times():
    assert parse_datetime("2024年3月5日 9:30") == dt.datetime(2024, 3, 5, 9, 30)
    assert parse_datetime("2024/3/5 09:30:15") == dt.datetime(2024, 3, 5, 9, 30, 15)
    assert parse_datetime(45356.5) == dt.datetime(2024, 3, 5, 12, 0)


@pytest.mark.parametrize("text, value", [("1,054.50", "1054.50"), ("¥1,054.50", "1054.50"), ("$3.2", "3.2"),
                                         ("100元", "100"), ("(120)", "-120"), ("1 234", "1234"), ("15%", "15"),
                                         (1200, "1200"), (3.25, "3.25")])
def test_numbers_with_separators_and_currency(text, value):
    assert parse_number(text) == Decimal(value)


def test_wan_only_when_the_importer_says_so():
    with pytest.raises(CellError, match="万"):
        parse_number("3.5万")
    assert parse_number("3.5万", options=ParseOptions(wan=True)) == Decimal("35000")
    assert parse_number("2亿", options=ParseOptions(wan=True)) == Decimal("200000000")


def test_lists_split_on_semicolons_and_enumeration_commas():
    assert split_list("红色;蓝色、绿色；黄色") == ["红色", "蓝色", "绿色", "黄色"]
    assert split_list("a|b", ParseOptions(list_separators="|")) == ["a", "b"]
