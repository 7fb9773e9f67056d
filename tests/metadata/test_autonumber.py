"""Auto-numbers: format tokens, growth past the padding, never writable, new formats for new
records only, and unique increasing numbers under concurrent inserts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.utils import timezone

from metadata.cache import get_meta
from metadata.fieldtypes.autonumber import render
from tessera.errors import ValidationFailed
from tessera.records import service
from tests.helpers.metadata_api import errors_of, labels

pytestmark = pytest.mark.django_db


def _object_with_counter(api, fmt: str, start: int | None = None) -> None:
    assert api.post("objects/", {"api_name": "invoice", "labels": {"en": {"singular": "Invoice"}}}).status_code == 201
    options = {"format": fmt} | ({"start": start} if start is not None else {})
    response = api.post("objects/invoice/fields/", {"api_name": "number", "type": "auto_number",
                                                    "labels": labels("Number", "编号"), "options": options})
    assert response.status_code == 201, response.json()


def _new(admin, name="I", **values):
    return service.create_record("invoice", {"name": name, **values}, admin)


def test_render_fills_every_token():
    day = dt.date(2026, 3, 4)
    assert render("A{YYYY}-{YY}{MM}{DD}-{000}", 7, day) == "A2026-260304-007"
    assert render("{0}", 12345, day) == "12345"
    assert render("客户{0000000000}", 42, day) == "客户0000000042"


def test_date_tokens_and_counter_in_records(api, admin_a):
    _object_with_counter(api, "INV-{YYYY}{MM}{DD}-{YY}-{0000}")
    today = timezone.localdate()
    first, second = _new(admin_a), _new(admin_a)
    prefix = f"INV-{today:%Y%m%d}-{today:%y}-"
    assert (first.values["number"], second.values["number"]) == (prefix + "0001", prefix + "0002")


def test_numbers_grow_past_the_padding(api, admin_a):
    _object_with_counter(api, "N{00}", start=98)
    assert [_new(admin_a).values["number"] for _ in range(4)] == ["N98", "N99", "N100", "N101"]


def test_auto_numbers_are_never_writable(api, admin_a):
    _object_with_counter(api, "N-{0000}")
    with pytest.raises(ValidationFailed) as refused:
        _new(admin_a, number="N-9999")
    assert [d.code for d in refused.value.field_errors["number"]] == ["read_only"]
    record = _new(admin_a)
    with pytest.raises(ValidationFailed) as refused:
        service.update_record("invoice", record.id, {"number": "N-0000"}, admin_a)
    assert [d.code for d in refused.value.field_errors["number"]] == ["read_only"]
    # sending the record back unchanged is fine
    assert service.update_record("invoice", record.id, {"number": "N-0001", "name": "J"}, admin_a).values[
        "number"] == "N-0001"
    # nor through the records API
    response = api.client.post("/api/v1/records/invoice/", json.dumps({"name": "K", "number": "N-7777"}),
                               content_type="application/json")
    connection.set_tenant(api.tenant)
    assert response.status_code == 400 and "number" in response.json()["errors"]
    # nor can the field be made required or given a default
    assert errors_of(api.patch("objects/invoice/fields/number/", {"default": "X"})) == {"default": ["unsupported"]}
    assert errors_of(api.patch("objects/invoice/fields/number/", {"required": True})) == {"required": ["unsupported"]}


def test_a_new_format_applies_to_new_records_only(api, admin_a):
    _object_with_counter(api, "OLD-{0000}")
    old = _new(admin_a)
    response = api.patch("objects/invoice/fields/number/", {"options": {"format": "NEW-{YY}-{000}"}})
    assert response.status_code == 200, response.json()
    new = _new(admin_a)
    assert service.get_record("invoice", old.id, admin_a).values["number"] == "OLD-0001"
    assert new.values["number"] == f"NEW-{timezone.localdate():%y}-002"  # the counter goes on
    bad = api.patch("objects/invoice/fields/number/", {"options": {"format": "NO-COUNTER"}})
    assert errors_of(bad) == {"options": ["invalid_format"]}


def test_an_auto_number_can_name_the_records(api, admin_a):
    response = api.post("objects/", {"api_name": "ticket", "labels": {"en": {"singular": "Ticket"}}, "name_field": {
        "api_name": "ticket_no", "type": "auto_number", "labels": labels("Ticket number"),
        "options": {"format": "T-{000}"}}})
    assert response.status_code == 201, response.json()
    assert get_meta().objects["ticket"].name_field == "ticket_no"
    first = service.create_record("ticket", {}, admin_a)
    second = service.create_record("ticket", {}, admin_a)
    assert (first.name, second.name) == ("T-001", "T-002")
