"""Changing a field's type: dry run, refusal while values would not convert, the real run rewriting
the values, unsafe conversions refused, and big objects converted by a background job."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from metadata.cache import get_meta
from metadata.models import MetadataChange
from tessera.core.jobs import run_job
from tessera.core.models import Job
from tessera.records import indexing, service
from tests.helpers.metadata_api import errors_of, labels, non_field_codes, picklist_values

pytestmark = pytest.mark.django_db

URL = "objects/gadget/fields/qty/change-type/"


@pytest.fixture
def gadget(api, admin_a):
    assert api.post("objects/", {"api_name": "gadget", "labels": {"en": {"singular": "Gadget"}}}).status_code == 201
    for spec in ({"api_name": "qty", "type": "text"}, {"api_name": "size", "type": "picklist",
                                                      "options": {"values": picklist_values("s", "m")}},
                 {"api_name": "weight", "type": "number"},
                 {"api_name": "doubled", "type": "formula", "options": {"formula": "weight * 2",
                                                                        "result_type": "number"}}):
        assert api.post("objects/gadget/fields/", {"labels": labels(spec["api_name"]), **spec}).status_code == 201
    records = {text: service.create_record("gadget", {"name": f"G {text}", "qty": text}, admin_a).id
               for text in ("12", "abc", "7.25", "1,000")}
    records[None] = service.create_record("gadget", {"name": "G blank"}, admin_a).id
    return api, records


def _raw(record_id: int, field_api_name: str = "qty"):
    obj = get_meta().objects["gadget"]
    key = obj.field(field_api_name).key
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT jsonb_typeof(data -> %s), data ->> %s FROM "{obj.table}" WHERE id = %s',
                       [key, key, record_id])
        return cursor.fetchone()


def test_dry_run_lists_the_values_that_would_not_convert_and_changes_nothing(gadget):
    api, records = gadget
    version = get_meta().version

    response = api.post(URL, {"type": "number", "options": {"scale": 2}, "dry_run": True})

    assert response.status_code == 200, response.json()
    report = response.json()
    assert report == {"total": 4, "convertible": 3, "failure_count": 1, "applied": False, "job_id": None,
                      "failures": [{"id": records["abc"], "value": "abc", "code": "invalid_number",
                                    "message": report["failures"][0]["message"]}]}
    assert report["failures"][0]["message"]
    assert api.post(URL, {"type": "number", "options": {"scale": 2}}).json()["applied"] is False  # dry by default
    assert api.get("objects/gadget/fields/qty/").json()["type"] == "text"
    assert get_meta().version == version
    assert _raw(records["12"]) == ("string", "12")


def test_real_run_is_refused_while_any_value_would_not_convert_then_succeeds(gadget, admin_a):
    api, records = gadget
    refused = api.post(URL, {"type": "number", "options": {"scale": 2}, "dry_run": False})
    assert refused.status_code == 400 and errors_of(refused) == {"type": ["values_not_convertible"]}
    assert "1" in refused.json()["errors"]["type"][0]["message"]
    assert api.get("objects/gadget/fields/qty/").json()["type"] == "text"
    assert _raw(records["12"]) == ("string", "12")

    service.update_record("gadget", records["abc"], {"qty": "3"}, admin_a)  # fix the bad value
    version = get_meta().version
    done = api.post(URL, {"type": "number", "options": {"scale": 2}, "dry_run": False})

    assert done.status_code == 200, done.json()
    assert done.json() == {"total": 4, "convertible": 4, "failure_count": 0, "failures": [], "applied": True,
                           "job_id": None}
    field = api.get("objects/gadget/fields/qty/").json()
    assert field["type"] == "number" and field["options"] == {"scale": 2}
    # every value rewritten as a JSON number, exactly
    assert _raw(records["12"]) == ("number", "12.00")
    assert _raw(records["7.25"]) == ("number", "7.25")
    assert _raw(records["1,000"]) == ("number", "1000.00")
    assert _raw(records[None]) == (None, None)
    assert service.get_record("gadget", records["abc"], admin_a).values["qty"] == Decimal("3.00")
    # and the field now behaves as a number
    page = service.list_records("gadget", admin_a, filters=[("qty__gte", "10")], sort=["qty"])
    assert [r.id for r in page.records] == [records["12"], records["1,000"]]
    assert get_meta().version == version + 1
    change = MetadataChange.objects.order_by("-id").first()
    assert (change.action, change.before["type"], change.after["type"]) == ("change_type", "text", "number")


def test_picklist_becomes_multi_select_keeping_values(gadget, admin_a):
    api, _records = gadget
    record = service.create_record("gadget", {"name": "P", "size": "m"}, admin_a)
    response = api.post("objects/gadget/fields/size/change-type/", {
        "type": "multi_picklist", "options": {"values": picklist_values("s", "m")}, "dry_run": False})
    assert response.status_code == 200 and response.json()["applied"] is True
    assert service.get_record("gadget", record.id, admin_a).values["size"] == ("m",)
    assert _raw(record.id, "size") == ("array", '["m"]')


def test_text_to_picklist_lists_texts_that_are_not_values(gadget):
    api, records = gadget
    report = api.post(URL, {"type": "picklist", "options": {"values": picklist_values("12", "abc")}}).json()
    assert report["total"] == 4 and report["convertible"] == 2
    assert sorted(f["value"] for f in report["failures"]) == ["1,000", "7.25"]
    assert {f["code"] for f in report["failures"]} == {"invalid_choice"}


@pytest.mark.parametrize(("field", "body", "expected"), [
    ("weight", {"type": "date"}, {"type": ["unsafe_conversion"]}),
    ("weight", {"type": "boolean"}, {"type": ["unsafe_conversion"]}),
    ("qty", {"type": "rainbow"}, {"type": ["unsafe_conversion"]}),
    ("qty", {"type": "lookup", "options": {"target": "account"}}, {"type": ["unsafe_conversion"]}),
    ("name", {"type": "number"}, {"type": ["not_convertible"]}),  # a system field
    ("created_at", {"type": "date"}, {"type": ["not_convertible"]}),
    ("doubled", {"type": "number"}, {"type": ["not_convertible"]}),  # computed
    ("qty", {"type": "picklist"}, {"options.values": ["schema_required"]}),  # the target's options are checked
    ("qty", {"type": "number", "options": {"scale": 99}}, {"options.scale": ["schema_maximum"]}),
])
def test_unsafe_or_invalid_conversions_are_refused(gadget, field, body, expected):
    api, _records = gadget
    version = get_meta().version
    for dry_run in (True, False):
        response = api.post(f"objects/gadget/fields/{field}/change-type/", {**body, "dry_run": dry_run})
        assert response.status_code == 400 and errors_of(response) == expected
    assert get_meta().version == version


def test_change_type_body_shape_is_checked(gadget):
    api, _records = gadget
    assert errors_of(api.post(URL, {})) == {"type": ["required"]}
    assert errors_of(api.post(URL, {"type": 3, "options": [], "dry_run": "no"})) == {
        "type": ["invalid"], "options": ["invalid"], "dry_run": ["invalid"]}
    assert non_field_codes(api.post(URL, ["number"])) == ["invalid"]


def test_a_big_conversion_runs_as_a_background_job(gadget, admin_a, monkeypatch):
    api, records = gadget
    service.update_record("gadget", records["abc"], {"qty": "3"}, admin_a)
    monkeypatch.setattr(indexing, "INLINE_LIMIT", 2)  # "big": more values than converted inline

    response = api.post(URL, {"type": "number", "options": {"scale": 2}, "dry_run": False})

    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["applied"] is False and body["job_id"]
    job = Job.objects.get(pk=body["job_id"])
    assert job.kind == "metadata.convert_field" and job.status == Job.Status.QUEUED
    assert api.get("objects/gadget/fields/qty/").json()["type"] == "text"  # not yet

    finished = run_job(job.pk)  # what the worker does

    assert finished.status == Job.Status.DONE, finished.message
    assert finished.result == {"converted": 4}
    assert api.get("objects/gadget/fields/qty/").json()["type"] == "number"
    assert _raw(records["7.25"]) == ("number", "7.25")
    assert MetadataChange.objects.order_by("-id").first().action == "change_type"


def test_a_field_others_depend_on_keeps_its_type(gadget, admin_a):
    """A formula (or rule, cascade, roll-up) was checked against the field's type: changing the type
    under it would break every read of the records."""
    api, _records = gadget
    record = service.create_record("gadget", {"name": "W", "weight": "2"}, admin_a)
    for dry_run in (True, False):
        response = api.post("objects/gadget/fields/weight/change-type/", {"type": "text", "dry_run": dry_run})
        assert response.status_code == 400 and errors_of(response) == {"type": ["in_use"]}
        assert "doubled" in response.json()["errors"]["type"][0]["message"]
    assert service.get_record("gadget", record.id, admin_a).values["doubled"] == Decimal("4")

    # a picklist controlling a cascade stays a picklist
    api.post("objects/gadget/fields/", {"api_name": "grade", "type": "picklist", "labels": labels("Grade"), "options": {
        "values": picklist_values("a", "b"), "controlling_field": "size", "dependency": {"s": ["a"], "m": ["b"]}}})
    response = api.post("objects/gadget/fields/size/change-type/", {
        "type": "multi_picklist", "options": {"values": picklist_values("s", "m")}})
    assert errors_of(response) == {"type": ["in_use"]}

    # once the formula is gone, the conversion goes through
    assert api.delete("objects/gadget/fields/doubled/").status_code == 204
    done = api.post("objects/gadget/fields/weight/change-type/", {"type": "text", "dry_run": False})
    assert done.status_code == 200 and done.json()["applied"] is True


def test_a_value_written_after_the_check_is_converted_as_it_is_then(gadget, admin_a, monkeypatch):
    """A record changed between the check of the values and the switch of the type (another user
    saving it) keeps its new value: the switch converts the values as they are, under its lock."""
    from metadata.services import conversion

    api, records = gadget
    service.update_record("gadget", records["abc"], {"qty": "5"}, admin_a)
    counted = conversion._stored_count

    def check_then_someone_saves(field):
        count = counted(field)  # the checks, before the switch
        service.update_record("gadget", records["12"], {"qty": "13"}, admin_a)
        return count

    monkeypatch.setattr(conversion, "_stored_count", check_then_someone_saves)
    response = api.post(URL, {"type": "number", "options": {"scale": 2}, "dry_run": False})

    assert response.status_code == 200, response.json()
    assert response.json()["applied"] is True
    assert _raw(records["12"]) == ("number", "13.00")
    assert service.get_record("gadget", records["12"], admin_a).values["qty"] == Decimal("13")
