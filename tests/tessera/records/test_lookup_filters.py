"""Lookup filters: a lookup accepts only the records its filter allows, on every write (one record,
a bulk call, an update that changes the record's own field the filter compares with), checked in
one statement per batch; the picker offers only allowed records the user may read; a filter that
does not compile over the target is a 400 with its path; where_used and deletes know about it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metadata.cache import get_meta
from metadata.services import add_field, delete_field
from metadata.services.fields import where_used
from tessera.errors import ValidationFailed
from tessera.records import service
from tessera.records.errors import BulkRejected
from tessera.records.search import lookup_choices
from tessera.security.access import SYSTEM
from tessera.security.models import Profile
from tests.helpers.lookup_filters import set_filter

pytestmark = pytest.mark.django_db

DEAL = {"close_date": "2027-01-31", "stage": "prospecting"}
NOT_ALLOWED = "is not allowed for Account: Credit grade is “A”"


@pytest.fixture
def rep(in_tenant_a):
    return get_user_model().objects.create_user("filter-rep@alpha.test", None, full_name="Rep",
                                                profile=Profile.objects.get(api_name="salesperson"))


@pytest.fixture
def accounts(admin_a, rep):
    """Two A-rated accounts (one the rep owns, one they may not read), a B-rated one the rep owns."""
    made = {name: service.create_record("account", {"name": name, "rating": rating, "owner": owner.pk}, SYSTEM)
            for name, rating, owner in (("Alpha Co", "a", rep), ("Hidden Co", "a", admin_a), ("Beta Co", "b", rep))}
    set_filter(admin_a, "contact", "account", {"rating": "a"})
    return made


def errors_of(exc: ValidationFailed) -> dict[str, list[tuple[str, str]]]:
    return {k: [(d.code, str(d.message)) for d in v] for k, v in exc.field_errors.items()}


def test_a_single_write_refuses_a_record_the_filter_does_not_allow(accounts, rep):
    with pytest.raises(ValidationFailed) as caught:
        service.create_record("contact", {"name": "Ann", "account": accounts["Beta Co"].id}, rep)
    [(code, message)] = errors_of(caught.value)["account"]
    assert code == "not_allowed"
    assert message.startswith(f"“Beta Co” {NOT_ALLOWED}")
    contact = service.create_record("contact", {"name": "Bob", "account": accounts["Alpha Co"].id}, rep)
    assert contact.get("account") == accounts["Alpha Co"].id
    with pytest.raises(ValidationFailed):  # an update is checked too
        service.update_record("contact", contact.id, {"account": accounts["Beta Co"].id}, rep)


def test_a_bulk_write_is_checked_in_one_statement_per_batch(accounts, rep):
    payloads = [{"name": f"C{i}", "account": accounts["Alpha Co" if i % 2 else "Beta Co"].id} for i in range(20)]
    with CaptureQueriesContext(connection) as queries:
        results = service.create_records("contact", payloads, rep, all_or_nothing=False)
    assert [r.record is not None for r in results] == [i % 2 == 1 for i in range(20)]
    assert all(r.errors.field_errors["account"][0].code == "not_allowed" for r in results if r.record is None)
    assert len([q for q in queries.captured_queries if 'AS k ("n", "ref")' in q["sql"]]) == 1
    with pytest.raises(BulkRejected):
        service.create_records("contact", payloads[:2], rep)


def test_records_written_before_the_filter_keep_their_value_until_it_changes(admin_a, rep):
    beta = service.create_record("account", {"name": "Old Beta", "rating": "b", "owner": rep.pk}, SYSTEM)
    contact = service.create_record("contact", {"name": "Old", "account": beta.id}, rep)
    set_filter(admin_a, "contact", "account", {"rating": "a"})
    assert service.update_record("contact", contact.id, {"title": "CEO"}, rep).get("title") == "CEO"


def test_a_filter_comparing_with_this_records_field(accounts, admin_a, rep):
    """An opportunity's contact must belong to the opportunity's account: checked when either changes."""
    add_field("opportunity", {"api_name": "contact", "type": "lookup", "labels": {"en": "Contact"},
                              "options": {"target": "contact", "filter": {"account": {"field": "account"}}}}, admin_a)
    alpha, beta = accounts["Alpha Co"], service.create_record("account", {"name": "Alpha Two", "rating": "a"}, rep)
    ann = service.create_record("contact", {"name": "Ann", "account": alpha.id}, rep)
    bob = service.create_record("contact", {"name": "Bob", "account": beta.id}, rep)
    with pytest.raises(ValidationFailed) as caught:
        service.create_record("opportunity", {"name": "Deal", "account": alpha.id, "contact": bob.id, **DEAL}, rep)
    assert errors_of(caught.value)["contact"][0][1].startswith(
        "“Bob” is not allowed for Contact: Account is this record's Account")
    deal = service.create_record("opportunity", {"name": "Deal", "account": alpha.id, "contact": ann.id, **DEAL}, rep)
    with pytest.raises(ValidationFailed) as caught:  # the account moves, the contact no longer fits
        service.update_record("opportunity", deal.id, {"account": beta.id}, rep)
    assert list(errors_of(caught.value)) == ["contact"]
    moved = service.update_record("opportunity", deal.id, {"account": beta.id, "contact": bob.id}, rep)
    assert moved.get("contact") == bob.id
    # the picker: the contacts of the account the form holds; without it, the constant part only
    assert [r.name for r in lookup_choices("opportunity", "contact", rep, "", {"account": str(alpha.id)},
                                           limit=20)] == ["Ann"]
    assert [r.name for r in lookup_choices("opportunity", "contact", rep, "b", {"account": str(beta.id)},
                                           limit=20)] == ["Bob"]
    assert {r.name for r in lookup_choices("opportunity", "contact", rep, "", {}, limit=20)} >= {"Ann", "Bob"}


def test_the_picker_offers_only_allowed_records_the_user_may_read(accounts, rep, admin_a):
    assert [r.name for r in lookup_choices("contact", "account", rep, "", {}, limit=20)] == ["Alpha Co"]
    assert [r.name for r in lookup_choices("contact", "account", rep, "be", {}, limit=20)] == []
    assert sorted(r.name for r in lookup_choices("contact", "account", admin_a, "", {}, limit=20)
                  if r.name.endswith(" Co")) == ["Alpha Co", "Hidden Co"]


def test_the_picker_endpoint_uses_the_filter(accounts, rep, client_a):
    client_a.force_login(rep)
    body = client_a.get("/app/search/lookup/account/", {"for": "contact.account"}).json()
    assert [r["text"] for r in body["results"]] == ["Alpha Co"]
    everything = client_a.get("/app/search/lookup/account/").json()
    assert {"Alpha Co", "Beta Co"} <= {r["text"] for r in everything["results"]}


@pytest.mark.parametrize(("filters", "path", "code"), [
    ({"nowhere": "x"}, "options.filter.nowhere", "unknown_field"),
    ({"employees__gte": "many"}, "options.filter.employees__gte", "invalid_number"),
    ({"rating__near": "a"}, "options.filter.rating__near", "invalid_operator"),
    ({"rating__gte": {"field": "title"}}, "options.filter.rating__gte", "invalid_operator"),
    ({"rating": {"field": "nowhere"}}, "options.filter.rating", "unknown_field"),
    ({"rating": {"field": "birthday"}}, "options.filter.rating", "incompatible"),
])
def test_a_filter_that_does_not_fit_the_target_is_refused_with_its_path(admin_a, filters, path, code):
    with pytest.raises(ValidationFailed) as caught:
        set_filter(admin_a, "contact", "account", filters)
    assert code in [c for c, _m in errors_of(caught.value).get(path, [])], errors_of(caught.value)


def test_where_used_lists_the_filter_and_the_field_cannot_be_deleted(admin_a):
    add_field("account", {"api_name": "tier", "type": "text", "labels": {"en": "Tier"}}, admin_a)
    set_filter(admin_a, "contact", "account", {"tier__startswith": "gold"})
    account = get_meta().objects["account"]
    assert "the filter of the lookup “contact.account”" in where_used(get_meta(), account, account.fields_by_name["tier"])
    assert "the filter of the lookup “contact.account”" not in where_used(
        get_meta(), account, account.fields_by_name["rating"])
    with pytest.raises(ValidationFailed):
        delete_field("account", "tier", admin_a)
    set_filter(admin_a, "contact", "account", None)
    delete_field("account", "tier", admin_a)


def test_through_the_apis(accounts, rep, admin_a, client_a):
    """The metadata API refuses a bad filter with its path; the records API refuses a disallowed
    record in the one error shape and lists the records a lookup may point at."""
    client_a.force_login(admin_a)
    bad = client_a.patch("/api/v1/meta/objects/contact/fields/account/",
                         {"options": {"target": "account", "filter": {"nowhere__eq": "x"}}}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["errors"]["options.filter.nowhere__eq"][0]["code"] == "unknown_field"
    client_a.force_login(rep)
    refused = client_a.post("/api/v1/records/contact/", {"name": "Cy", "account": accounts["Beta Co"].id},
                            content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["account"][0]["code"] == "not_allowed"
    choices = client_a.get("/api/v1/records/contact/lookup/account/", {"limit": 5}).json()
    assert choices == {"results": [{"id": accounts["Alpha Co"].id, "name": "Alpha Co"}]}
    assert client_a.get("/api/v1/records/contact/lookup/title/").status_code == 404
