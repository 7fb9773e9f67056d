"""Input as people type it, read by the field types (issue 13 §1): picklist labels, lookups by a
field of their target, exact decimals, dates that exist; and the batch coercers the write path
uses, which must give what coerce() and validate() give."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from metadata.fieldtypes import FieldValueError
from metadata.fieldtypes.lookup import RecordRef
from tests.metadata.fieldtypes.test_contract import TYPES, sample_field, samples

BAD_INPUTS = ("", None, "  ", "nope", "2016-02-30", "1.005", "-1", 10**20, "x@", "Won", True, [], {"a": 1})


def _outcome(call, raw):
    try:
        return ("value", call(raw))
    except FieldValueError as exc:
        return ("error", exc.code)


def _coerce_and_validate(field):
    def call(raw):
        value = field.type.coerce(raw, field)
        if not field.type.is_blank(value):
            field.type.validate(value, field)
        return value
    return call


@pytest.mark.parametrize("key", TYPES)
def test_a_types_batch_coercer_gives_what_coerce_and_validate_give(key):
    field = sample_field(key)
    read = field.type.batch_coercer(field)
    for raw in (*samples(key).values, *BAD_INPUTS):
        assert _outcome(read, raw) == _outcome(_coerce_and_validate(field), raw), (key, raw)


def _column_outcome(call, raws):
    try:
        return ("values", call(list(raws)))
    except FieldValueError:
        return ("refused", None)


def _each_outcome(read, raws):
    try:
        return ("values", [read(raw) for raw in raws])
    except FieldValueError:
        return ("refused", None)


@pytest.mark.parametrize("key", TYPES)
def test_a_types_column_coercer_gives_what_its_batch_coercer_gives_value_by_value(key):
    """The write path reads a batch field by field: a column comes out as its values one by one
    would, in one form (API text) or another (the importer's typed values), and a column with a
    value refused is refused (its caller then reads it value by value to say which)."""
    field = sample_field(key)
    read, column = field.type.batch_coercer(field), field.type.column_coercer(field)
    given = list(samples(key).values)
    typed = [v for v in (_outcome(read, raw) for raw in given) if v[0] == "value"]
    columns = [given, given * 3, [value for _kind, value in typed], [None, *given, None]]
    bad_inputs = (*BAD_INPUTS, "x" * 300, "x" * 50_000, "20240305", " 2024-03-05", "2024-3-5  ")
    text = [raw for raw in given if isinstance(raw, str)]
    columns += [[*given, bad] for bad in bad_inputs] + [[bad, *text] for bad in bad_inputs]
    columns += [[bad, bad] for bad in bad_inputs]
    for raws in columns:
        assert _column_outcome(column, raws) == _each_outcome(read, raws), (key, raws)


def test_picklist_labels_in_any_language_keys_first():
    field = sample_field("picklist")
    with translation.override("en"):
        assert [field.type.coerce(v, field) for v in ("won", " WON ", "赢单", "Lost")] == ["won", "won", "won", "lost"]
        assert field.type.coerce("purple", field) == "purple"  # validate() refuses it, with the other checks
    multi = sample_field("multi_picklist")
    assert multi.type.coerce(["Won", "新建", "won"], multi) == ("new", "won")


def test_a_filter_by_a_label_names_the_key():
    field = sample_field("picklist")
    assert field.type.filter_value("eq", "won", field) == "won"
    with pytest.raises(FieldValueError) as refused:
        field.type.filter_value("eq", "Won", field)
    assert refused.value.code == "label_not_key" and "won" in str(refused.value.message)


def test_a_lookup_takes_an_id_or_one_field_of_its_target():
    field = sample_field("lookup")
    assert field.type.coerce({"id": "7"}, field) == 7
    assert field.type.coerce({"code": "A-1"}, field) == RecordRef("code", "A-1")
    assert field.type.coerce({"name": ""}, field) is None
    for bad in ({"a": 1, "b": 2}, {"name": [1]}, {"name": True}):
        with pytest.raises(FieldValueError):
            field.type.coerce(bad, field)
    user = sample_field("user")  # a user by e-mail or name (resolved by the write path), nothing else
    assert user.type.coerce({"email": "a@b.c"}, user) == RecordRef("email", "a@b.c")
    assert user.type.coerce({"name": "王伟"}, user) == RecordRef("name", "王伟")
    for bad in ({"phone": "1"}, {"email": 3}):
        with pytest.raises(FieldValueError):
            user.type.coerce(bad, user)


def test_numbers_are_never_rounded_silently():
    field = sample_field("currency")
    assert field.type.coerce("1,054.50", field) == Decimal("1054.50")
    assert field.type.coerce("3.500", field) == Decimal("3.50")
    with pytest.raises(FieldValueError) as refused:
        field.type.coerce("1,054.499", field)
    assert refused.value.code == "too_many_decimals"
    assert field.type.filter_value("gte", "9.995", field) == Decimal("9.995")  # a bound, not an amount


def test_dates_that_do_not_exist_and_times_of_day_are_refused():
    field = sample_field("date")
    assert field.type.coerce("2024/3/5", field) == dt.date(2024, 3, 5)
    assert field.type.coerce("2024-03-05T00:00:00", field) == dt.date(2024, 3, 5)
    for bad, words in (("2016-02-30", "is not a date"), ("2024-03-05 10:30", "time of day")):
        with translation.override("en"), pytest.raises(FieldValueError) as refused:
            field.type.coerce(bad, field)
        assert words in str(refused.value.message)
