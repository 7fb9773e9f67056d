"""The field designer edits a lookup's filter with the CRM's filter builder (on the target's fields)
or as a comparison with this record's field; a filter that does not fit is shown in place; the rules
designer sets a duplicate rule's field to compare exactly."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from metadata.cache import get_meta
from tests.helpers.tenants import host_of

pytestmark = pytest.mark.django_db
URL = "/setup/objects/contact/fields/account/"


@pytest.fixture
def admin_client(in_tenant_a, admin_a):
    client = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_a)
    return client


def form(**extra) -> dict:
    """The account lookup's designer form as the browser posts it."""
    return {"type": "lookup", "labels.zh-hans": "客户", "labels.en": "Account", "options.target": "account",
            "options.on_delete": "set_null", **extra}


def test_a_condition_is_added_with_the_filter_builder_then_saved(admin_client):
    page = admin_client.get(URL).content.decode()
    assert "Which records may be chosen" in page and "No condition: any record of Account." in page
    added = admin_client.post(URL + "?options=1", form(**{
        "filter.op": "add", "fb_field": "rating", "fb_op": "in", "fb_value": ["a", "b"]})).content.decode()
    assert "Credit grade is one of “A”, “B”" in added
    assert 'name="options.filter.json" value="{&quot;rating__in&quot;: &quot;a,b&quot;}"' in added
    compared = admin_client.post(URL + "?options=1", form(**{
        "options.filter.json": json.dumps({"rating__in": "a,b"}), "filter.op": "compare",
        "filter.target_field": "owner", "filter.own_field": "owner"})).content.decode()
    assert "Owner is this record&#x27;s Owner" in compared
    saved = admin_client.post(URL, form(**{"options.filter.json": json.dumps(
        {"rating__in": "a,b", "owner": {"field": "owner"}})}))
    assert saved.status_code == 302, saved.content.decode()[:3000]
    account = get_meta().objects["contact"].fields_by_name["account"]
    assert dict(account.options["filter"]) == {"rating__in": "a,b", "owner": {"field": "owner"}}
    removed = admin_client.post(URL + "?options=1", form(**{
        "options.filter.json": json.dumps({"rating__in": "a,b", "owner": {"field": "owner"}}),
        "filter.remove": "owner"})).content.decode()
    assert "Credit grade is one of" in removed and "this record&#x27;s Owner" not in removed


def test_a_condition_that_does_not_fit_is_shown_in_place(admin_client):
    page = admin_client.post(URL, form(**{"options.filter.json": json.dumps({"employees__gte": "many"})}))
    assert page.status_code == 400
    html = page.content.decode()
    option = html[html.index('data-option="filter"'):]
    assert "Enter a number." in option[:option.index("</fieldset>") + 200]
    assert '<div class="errors" role="alert">' not in html  # in place, not at the top


def test_a_duplicate_rule_field_is_compared_exactly(admin_client):
    url = "/setup/objects/account/rules/"
    assert admin_client.post(url, {"kind": "duplicate", "labels.en": "Same site", "fields": ["website", "name"],
                                   "exact": ["website", "phone"], "on_match": "warn"}).status_code == 302
    [rule] = [r for r in get_meta().objects["account"].spec["duplicate_rules"] if r["api_name"] == "same_site"]
    assert dict(rule["match"]) == {"website": "exact"}
    page = admin_client.get(url).content.decode()
    assert 'name="field" value="website" class="link small"' in page
    assert admin_client.post(url, {"kind": "duplicate", "rule": "same_site", "action": "match",
                                   "field": "name"}).status_code == 302
    [rule] = [r for r in get_meta().objects["account"].spec["duplicate_rules"] if r["api_name"] == "same_site"]
    assert dict(rule["match"]) == {"website": "exact", "name": "exact"}
    for name in ("website", "name"):  # back to normalised: the option goes
        admin_client.post(url, {"kind": "duplicate", "rule": "same_site", "action": "match", "field": name})
    [rule] = [r for r in get_meta().objects["account"].spec["duplicate_rules"] if r["api_name"] == "same_site"]
    assert "match" not in rule
