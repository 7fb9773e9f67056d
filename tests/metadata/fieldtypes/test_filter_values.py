"""Filter values parsed by the field types (FieldType.filter_value): what the contract tests found."""

import datetime as dt

import pytest
from django.utils import timezone

from metadata.fieldtypes import FieldValueError, field_types
from tests.metadata.fieldtypes.test_contract import sample_field


def test_a_multi_select_contains_one_key_never_a_list():
    """`tags__contains=a;b` was a list handed to the `?` operator: a SQL error (500), now a 400."""
    field = sample_field("multi_picklist")
    assert field.type.filter_value("contains", "won", field) == "won"
    with pytest.raises(FieldValueError) as refused:
        field.type.filter_value("contains", "won;new", field)
    assert refused.value.code == "invalid"


def test_a_multi_select_in_takes_keys_however_grouped():
    """A list view saved with a list value (`["won", "new"]`) filters by those keys, not by a list."""
    field = sample_field("multi_picklist")
    assert field.type.filter_value("in", "won,new", field) == ["won", "new"]
    assert field.type.filter_value("in", [["won", "new"], "lost"], field) == ["new", "won", "lost"]


def test_date_ranges_take_periods_and_datetime_ranges_whole_days():
    today = timezone.localdate()
    date_field, datetime_field = sample_field("date"), sample_field("datetime")
    assert date_field.type.filter_value("range", "today", date_field) == (today, today)
    start, end = datetime_field.type.filter_value("range", "last_n_days:0", datetime_field)
    assert (start.time(), end.time()) == (dt.time.min, dt.time(23, 59, 59))
    with pytest.raises(FieldValueError):
        date_field.type.filter_value("range", "next_n_days:99999", date_field)
    assert field_types.get("number").filter_value("range", ",5", sample_field("number")) == (None, 5)
