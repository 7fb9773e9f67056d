"""Cells as people write them → values: booleans, dates, numbers, lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import MappingProxyType

import pytest

from metadata.fieldtypes import field_types
from metadata.meta import FieldMeta
from tessera.transfer.values import (
    CellError,
    ParseOptions,
    cell_parser,
    cell_reader,
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


# --- the fast paths read what the general paths read --------------------------------------------


@pytest.mark.parametrize("text, value", [("¥1,054.50", "1054.50"), ("￥12,345", "12345"), ("$0.5", "0.5"),
                                         ("(1,200)", "-1200"), ("(¥1,054.50)", "-1054.50"), ("(15%)", "-15"),
                                         ("¥-1,000", "-1000"), ("(-5)", "5"), ("1,2,3", "123"), ("5,", "5"), (",5", "5"), ("1,2.5,", "12.5"),
                                         ("-0", "-0"), ("1.", "1"), ("1e3", "1E+3"), ("1_000", "1000")])
def test_amounts_in_the_common_shapes(text, value):
    parsed = parse_number(text)
    assert parsed == Decimal(value) and parsed.as_tuple() == Decimal(value).as_tuple()


@pytest.mark.parametrize("text", ["(12.5)%", "¥(12)", "(120", "120)", "1.2.3", "--5"])
def test_amounts_of_other_shapes_are_still_refused(text):
    with pytest.raises(CellError, match="not a number"):
        parse_number(text)


def test_an_amount_of_more_digits_than_a_decimal_holds_is_read_as_before():
    digits = "1234567890" * 3 + ".5"  # 31 digits: with a mark, the general path rounds them to Decimal's 28
    assert parse_number(digits) == Decimal(digits)
    assert parse_number("¥" + digits) == parse_number("(" + digits + ")") * -1 == Decimal(digits) * 1 != Decimal(digits)


def test_wan_written_with_separators_and_currency():
    with pytest.raises(CellError, match="万") as refused:
        parse_number("¥3.5万")
    assert refused.value.code == "unit_not_allowed"
    assert parse_number("¥1,200万", options=ParseOptions(wan=True)) == Decimal("12000000")
    assert parse_number("(3.5万)", options=ParseOptions(wan=True)) == Decimal("-35000")


@pytest.mark.parametrize("text, day", [("2024年3月5日", dt.date(2024, 3, 5)), ("2024年12月31日", dt.date(2024, 12, 31)),
                                       ("2024/03/05", dt.date(2024, 3, 5)), ("0024-03-05", dt.date(2024, 3, 5)),
                                       ("2024-3-5日", dt.date(2024, 3, 5))])
def test_year_first_dates_whatever_the_order_chosen(text, day):
    for order in ("ymd", "dmy", "mdy"):
        assert parse_date(text, options=ParseOptions(date_order=order)) == day


@pytest.mark.parametrize("text", ["2016-02-30", "2024年2月30日", "2024/13/01", "2024-00-10"])
def test_a_year_first_date_that_does_not_exist(text):
    with pytest.raises(CellError, match=f"“{text}” is not a date that exists"):
        parse_date(text)


def test_serials_and_dates_with_a_time_still_take_the_general_path():
    assert parse_date("45356") == parse_date(45356) == parse_date(45356.0) == dt.date(2024, 3, 5)
    assert parse_date("2024年3月5日 10:00") == parse_date("2024-03-05T10:00") == dt.date(2024, 3, 5)
    with pytest.raises(CellError, match="is not a date"):
        parse_date(True)


def _field(type_key):
    return FieldMeta(id=990_002, object_id=1, object_api_name="sample", api_name="sample", key="f990002",
                     type=field_types.get(type_key), labels=MappingProxyType({"en": "Sample"}),
                     help_text=MappingProxyType({}), options=MappingProxyType({}))


def test_a_reader_gives_errors_and_a_parser_raises_them():
    read = cell_reader(_field("number"), ParseOptions())
    assert [read(c) for c in ("¥1,054.50", None, "  ", 3)] == [Decimal("1054.50"), None, None, Decimal(3)]
    refused = read("很多")
    assert isinstance(refused, CellError) and refused.code == "invalid_number"
    with pytest.raises(CellError, match="很多"):
        cell_parser(_field("number"), ParseOptions())("很多")


def test_a_remembered_date_column_tells_text_from_numbers_and_booleans():
    read = cell_reader(_field("date"), ParseOptions(date_order="dmy"))
    for _twice in range(2):
        assert read("05/03/2024") == dt.date(2024, 3, 5)
        assert read("1") == read(1) == dt.date(1900, 1, 1)
        assert isinstance(read(True), CellError)
        assert isinstance(read("2016-02-30"), CellError)
        assert read(" ") is None


def test_text_cells_are_trimmed_and_blank_is_none():
    read = cell_reader(_field("text"), ParseOptions())
    assert [read(c) for c in (" Acme ", "", "  ", None, 13800138000.0, dt.date(2024, 3, 5))] == [
        "Acme", None, None, None, "13800138000", "2024-03-05"]
