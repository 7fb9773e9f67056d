"""User fields (the owner, custom user fields) given by e-mail or full name, as lookups are given
by a field of their target: `{"email": …}` or `{"name": …}`, resolved in one query per batch by the
function the importer uses for its owner column."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from metadata.services import add_field
from tessera.records import service
from tessera.security.models import Profile
from tests.helpers.records_api import send

pytestmark = pytest.mark.django_db

URL = "/api/v1/records/account/"


@pytest.fixture
def people(in_tenant_a):
    User = get_user_model()
    salesperson = Profile.objects.get(api_name="salesperson")
    return {
        "li": User.objects.create_user("Li.Na@alpha.test", None, full_name="李娜", profile=salesperson),
        "wang1": User.objects.create_user("wang1@alpha.test", None, full_name="王伟", profile=salesperson),
        "wang2": User.objects.create_user("wang2@alpha.test", None, full_name="王伟", profile=salesperson),
        "gone": User.objects.create_user("gone@alpha.test", None, full_name="Gone", is_active=False),
    }


def test_the_owner_by_email_or_name_in_single_and_bulk_writes(api, admin_a, people):
    by_email = send(api, "post", URL, {"name": "A", "owner": {"email": "li.na@ALPHA.test"}})
    assert by_email.status_code == 201, by_email.json()
    assert by_email.json()["owner"] == people["li"].pk
    by_name = send(api, "patch", f"{URL}{by_email.json()['id']}/", {"owner": {"name": " 李娜 "}})
    assert by_name.status_code == 200 and by_name.json()["owner"] == people["li"].pk
    bulk = send(api, "post", f"{URL}bulk/?mode=per_row", [
        {"name": "B", "owner": {"name": "李娜"}},
        {"name": "C", "owner": {"name": "王伟"}},
        {"name": "D", "owner": {"email": "nobody@alpha.test"}},
        {"name": "E", "owner": {"email": "gone@alpha.test"}},
        {"name": "F", "owner": {"phone": "123"}},
        {"name": "G", "owner": {"id": people["wang2"].pk}},
    ])
    results = bulk.json()["results"]
    assert [r["status"] for r in results] == ["created", "error", "error", "error", "error", "created"]
    assert results[0]["record"]["owner"] == people["li"].pk and results[5]["record"]["owner"] == people["wang2"].pk
    assert [results[i]["errors"]["owner"][0]["code"] for i in (1, 2, 3, 4)] == [
        "invalid_user", "invalid_user", "invalid_user", "invalid_user"]
    assert "王伟" in results[1]["errors"]["owner"][0]["message"]
    history = service.record_history("account", by_email.json()["id"], admin_a)
    assert [e["action"] for e in history] == ["create"]  # given the same owner again: no change


def test_a_custom_user_field_by_email(api, admin_a, people):
    add_field("account", {"api_name": "account_manager", "type": "user", "labels": {"en": "Account manager"}},
              admin_a)
    created = send(api, "post", URL, {"name": "A", "account_manager": {"email": "wang1@alpha.test"}})
    assert created.status_code == 201, created.json()
    assert created.json()["account_manager"] == people["wang1"].pk
    refused = send(api, "post", URL, {"name": "B", "account_manager": {"name": "王伟"}})
    assert refused.status_code == 400 and refused.json()["errors"]["account_manager"][0]["code"] == "invalid_user"


def test_an_owner_given_by_email_is_checked_as_an_id_would_be(admin_a, people):
    rep = people["li"]
    client = Client(HTTP_HOST="alpha.localhost")
    client.force_login(rep)
    someone_else = send(client, "post", URL, {"name": "Mine?", "owner": {"email": "wang1@alpha.test"}})
    assert someone_else.status_code == 400
    assert someone_else.json()["errors"]["owner"][0]["code"] == "read_only"
    themselves = send(client, "post", URL, {"name": "Mine", "owner": {"email": "li.na@alpha.test"}})
    assert themselves.status_code == 201 and themselves.json()["owner"] == rep.pk
