"""Gap-free auto-numbers (option `gap_free`): a write that fails after taking its number gives it
back, in bulk (all-or-nothing and per row) as in a single write; a sequence (the default) still
leaves the gap. Switching a field to gap-free continues its sequence; it never switches back."""

from __future__ import annotations

import pytest
from django.db import transaction

from metadata.services import update_field
from tessera.errors import ValidationFailed
from tessera.records import pipeline, service
from tessera.records.autonumbers import take_numbers

pytestmark = pytest.mark.django_db

CONTRACT_FIELDS = [
    {"api_name": "number", "type": "auto_number", "options": {"format": "C-{0000}", "gap_free": True}},
    {"api_name": "serial", "type": "auto_number", "options": {"format": "S-{0000}"}},
    {"api_name": "code", "type": "text", "unique": True},
]


@pytest.fixture
def contract(make_object):
    return make_object("contract", fields=CONTRACT_FIELDS)


def _numbers(admin, name="number") -> list[int]:
    page = service.list_records("contract", admin, sort=["created_at"], limit=200)
    return sorted(int(r.values[name].split("-")[1]) for r in page.records)


@pytest.fixture
def unique_race(monkeypatch):
    """Skip the unique pre-check, as when a concurrent writer commits the same value between the
    check and the insert: the unique index refuses the insert, after the numbers were taken."""
    monkeypatch.setattr(pipeline, "check_unique", lambda tenant, obj, drafts: None)


def test_failed_writes_give_their_numbers_back(contract, admin_a, unique_race):
    first = service.create_records("contract", [{"name": "a", "code": "A"}, {"name": "b", "code": "B"}], admin_a)
    assert [r.record.values["number"] for r in first] == ["C-0001", "C-0002"]

    # All-or-nothing bulk failing at the insert (a unique collision inside the batch).
    with pytest.raises(ValidationFailed) as refused:
        service.create_records("contract", [{"name": "c", "code": "X"}, {"name": "d", "code": "X"}], admin_a)
    assert "code" in refused.value.field_errors
    # Per row: the invalid row is left out before numbering; a collision at the insert fails the call.
    results = service.create_records("contract", [{"name": "e", "code": "E"}, {"code": "no name"}, {"name": "f"}],
                                     admin_a, all_or_nothing=False)
    assert [r.record.values["number"] if r.record else None for r in results] == ["C-0003", None, "C-0004"]
    with pytest.raises(ValidationFailed):
        service.create_records("contract", [{"name": "g", "code": "Y"}, {"name": "h", "code": "Y"}], admin_a,
                               all_or_nothing=False)
    # A use case failing after the create, in the same transaction.
    with pytest.raises(RuntimeError), transaction.atomic():
        service.create_record("contract", {"name": "i"}, admin_a)
        raise RuntimeError("a later step failed")

    assert service.create_record("contract", {"name": "j"}, admin_a).values["number"] == "C-0005"
    assert _numbers(admin_a) == [1, 2, 3, 4, 5]
    # The sequence beside it kept going through the failures: gaps, as documented.
    serials = _numbers(admin_a, "serial")
    assert len(serials) == 5 and serials[-1] > 5


def test_a_field_switched_to_gap_free_continues_its_sequence_and_stays_gap_free(contract, admin_a):
    for name in "abc":
        service.create_record("contract", {"name": name}, admin_a)
    update_field("contract", "serial", {"options": {"format": "S-{0000}", "gap_free": True}}, admin_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        service.create_record("contract", {"name": "rolled back"}, admin_a)
        raise RuntimeError
    assert service.create_record("contract", {"name": "d"}, admin_a).values["serial"] == "S-0004"
    with pytest.raises(ValidationFailed) as refused:
        update_field("contract", "serial", {"options": {"format": "S-{0000}", "gap_free": False}}, admin_a)
    assert [d.code for d in refused.value.field_errors["options"]] == ["gap_free_permanent"]


def test_a_gap_free_field_starts_at_its_start(make_object, admin_a):
    make_object("invoice", fields=[{"api_name": "number", "type": "auto_number",
                                    "options": {"format": "INV{000000}", "start": 1000, "gap_free": True}}])
    made = service.create_records("invoice", [{"name": str(i)} for i in range(3)], admin_a)
    assert [r.record.values["number"] for r in made] == ["INV001000", "INV001001", "INV001002"]


def test_counters_are_taken_in_field_id_order_whatever_the_order_asked(contract, admin_a):
    from metadata.cache import get_meta

    obj = get_meta().objects["contract"]
    number, serial = obj.fields_by_name["number"], obj.fields_by_name["serial"]
    update_field("contract", "serial", {"options": {"format": "S-{0000}", "gap_free": True}}, admin_a)
    serial = get_meta().objects["contract"].fields_by_name["serial"]
    taken = take_numbers([(serial, 2), (number, 3)])
    assert taken == {number.id: [1, 2, 3], serial.id: [1, 2]}
