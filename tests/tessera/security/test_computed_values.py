"""Computed values follow the reader's rights: a formula or roll-up is hidden, like a hidden field,
from a reader who may not read every field it is computed from; a formula reading through a lookup
is blank where the reader may not see the record looked up. Each leak class is checked where a value
can show (detail, list, the answer to a write, expand, form, history, the tenant's OpenAPI document,
the metadata API) and where it could be probed (fields=, filters, sorts).

The organisation: `rep` (a salesperson) has a profile hiding account.secret_margin and
opportunity.cost and giving no access to the custom object payment; rep_peer is in the same role,
so rep cannot open rep_peer's records (accounts are private)."""

from __future__ import annotations

import pytest

from tests.helpers.security import field_codes

pytestmark = pytest.mark.django_db

COST, COST_VALUE = "4242", "8484"  # opportunity.cost (hidden) and cost_x2 = cost * 2
MARGIN_VALUE = "15554"  # account.secret_margin (hidden) 7777, margin_x2 = account.secret_margin * 2
OWN_REVENUE, PEER_REVENUE = "1111111", "2222222"  # annual_revenue of rep's account and of rep_peer's
PAID = "31337"  # the payment of rep's account, rolled up into account.paid_total


@pytest.fixture
def leaky(org, admin_a, make_record):
    from metadata.services import add_field, create_object
    from tessera.security.models import Profile
    from tessera.security.services import create_spec, update_user

    def field(obj, spec):
        add_field(obj, {"labels": {"en": spec["api_name"].replace("_", " ").title()}, **spec}, admin_a)

    field("account", {"api_name": "secret_margin", "type": "number", "options": {"precision": 12, "scale": 0}})
    field("opportunity", {"api_name": "cost", "type": "number", "history_tracked": True,
                          "options": {"precision": 12, "scale": 0}})
    field("opportunity", {"api_name": "cost_x2", "type": "formula",
                          "options": {"formula": "cost * 2", "result_type": "number", "scale": 0}})
    field("opportunity", {"api_name": "margin_x2", "type": "formula",
                          "options": {"formula": "account.secret_margin * 2", "result_type": "number", "scale": 0}})
    field("opportunity", {"api_name": "account_revenue", "type": "formula",
                          "options": {"formula": "account.annual_revenue", "result_type": "currency", "scale": 0}})
    create_object({"api_name": "payment", "labels": {"en": {"singular": "Payment"}}}, admin_a)
    field("payment", {"api_name": "account", "type": "lookup", "options": {"target": "account"}})
    field("payment", {"api_name": "amount", "type": "currency", "options": {"precision": 12, "scale": 0}})
    field("account", {"api_name": "paid_total", "type": "rollup", "options": {
        "child_object": "payment", "child_field": "account", "function": "sum", "value_field": "amount"}})

    spec = dict(Profile.objects.get(api_name="salesperson").spec)
    spec["objects"] = {"account": {"fields": {"secret_margin": "hidden"}},
                       "opportunity": {"fields": {"cost": "hidden"}},
                       "payment": {"create": False, "read": False, "edit": False, "delete": False}}
    create_spec("profile", {"api_name": "sales_limited", "spec": spec}, admin_a)
    update_user(org.rep.pk, {"profile": "sales_limited"}, admin_a)

    own = make_record("account", org.rep, name="Own Co", annual_revenue=OWN_REVENUE, secret_margin="7777")
    peer = make_record("account", org.rep_peer, name="Peer Co", annual_revenue=PEER_REVENUE)
    make_record("payment", admin_a, name="P1", account=own.id, amount=PAID)
    deal = make_record("opportunity", org.rep, name="Own deal", account=own.id, cost=COST, stage="prospecting",
                       close_date="2026-12-31")
    peer_deal = make_record("opportunity", org.rep, name="Deal at peer", account=peer.id, stage="prospecting",
                            close_date="2026-12-31")
    return {"client": org.client(org.rep), "admin": org.client(admin_a), "own": own, "peer": peer,
            "deal": deal, "peer_deal": peer_deal}


def _absent(response, *texts):
    body = response.content.decode()
    for text in texts:
        assert text not in body, (text, body[:800])


def _hidden_like_a_hidden_field(client, admin, obj, record_id, name, value):
    """`name` (with `value`) is hidden from `client` everywhere a field can show, and probing it
    answers as for a field that does not exist; the administrator sees it (so the test can fail)."""
    url = f"/api/v1/records/{obj}/"
    assert admin.get(f"{url}{record_id}/").json()[name] == value
    detail = client.get(f"{url}{record_id}/")
    assert detail.status_code == 200 and name not in detail.json()
    _absent(detail, value)
    listing = client.get(url)
    assert listing.status_code == 200 and record_id in [r["id"] for r in listing.json()["results"]]
    assert all(name not in r for r in listing.json()["results"])
    _absent(listing, value)
    written = client.patch(f"{url}{record_id}/", {"description": "seen"}, content_type="application/json")
    assert written.status_code == 200 and name not in written.json()
    _absent(written, value)
    for form in (f"{url}form/", f"{url}form/?record={record_id}"):
        response = client.get(form)
        assert response.status_code == 200
        _absent(response, name, value)
    history = client.get(f"{url}{record_id}/history/")
    assert history.status_code == 200
    _absent(history, name, value)
    _absent(client.get("/api/v1/openapi.json"), name)
    assert name in admin.get("/api/v1/openapi.json").content.decode()
    meta = client.get(f"/api/v1/meta/objects/{obj}/")
    assert meta.status_code == 200 and name not in {f["api_name"] for f in meta.json()["fields"]}
    assert client.get(f"/api/v1/meta/objects/{obj}/fields/{name}/").status_code == 404

    unknown_field = {"fields": ["unknown_field"]}
    assert field_codes(client.get(f"{url}?fields=name,{name}")) == unknown_field
    for key in (name, f"{name}__gte", f"{name}__isnull"):
        probe = client.get(f"{url}?{key}={value if 'isnull' not in key else 'false'}")
        assert probe.status_code == 400 and field_codes(probe) == {key: ["unknown_field"]}
    for sort in (name, f"-{name}"):
        probe = client.get(f"{url}?sort={sort}")
        assert probe.status_code == 400 and field_codes(probe) == {"sort": ["invalid_sort"]}
    assert admin.get(f"{url}?{name}={value}").json()["results"][0]["id"] == record_id


def test_formula_over_a_hidden_field_is_hidden(leaky):
    _hidden_like_a_hidden_field(leaky["client"], leaky["admin"], "opportunity", leaky["deal"].id, "cost_x2",
                                COST_VALUE)


def test_formula_through_a_lookup_to_a_hidden_field_is_hidden(leaky):
    _hidden_like_a_hidden_field(leaky["client"], leaky["admin"], "opportunity", leaky["deal"].id, "margin_x2",
                                MARGIN_VALUE)


def test_rollup_over_an_unreadable_object_is_hidden(leaky):
    _hidden_like_a_hidden_field(leaky["client"], leaky["admin"], "account", leaky["own"].id, "paid_total", PAID)


def test_formula_through_a_lookup_to_an_unreadable_record_is_blank(leaky):
    client, admin = leaky["client"], leaky["admin"]
    deal, peer_deal = leaky["deal"].id, leaky["peer_deal"].id
    url = "/api/v1/records/opportunity/"
    assert admin.get(f"{url}{peer_deal}/").json()["account_revenue"] == PEER_REVENUE

    detail = client.get(f"{url}{peer_deal}/?expand=account")
    assert detail.status_code == 200
    assert detail.json()["account_revenue"] is None and detail.json()["account"]["name"] is None
    _absent(detail, PEER_REVENUE, "Peer Co")
    own = client.get(f"{url}{deal}/").json()
    assert own["account_revenue"] == OWN_REVENUE  # through a record the reader may see: shown
    listing = client.get(f"{url}?fields=name,account_revenue&expand=account")
    assert {r["id"]: r["account_revenue"] for r in listing.json()["results"]} == {deal: OWN_REVENUE, peer_deal: None}
    _absent(listing, PEER_REVENUE, "Peer Co")
    written = client.patch(f"{url}{peer_deal}/", {"description": "seen"}, content_type="application/json")
    assert written.status_code == 200 and written.json()["account_revenue"] is None
    form = client.get(f"{url}form/?record={peer_deal}")
    assert form.status_code == 200
    _absent(form, PEER_REVENUE, "Peer Co")
    _absent(client.get(f"{url}{peer_deal}/history/"), PEER_REVENUE)

    # Filters and sorts see the blank, never the value behind it.
    def ids(query):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, response.json()
        return [r["id"] for r in response.json()["results"]]

    assert ids(f"account_revenue={PEER_REVENUE}") == []
    assert ids("account_revenue__gte=2000000") == []
    assert ids("account_revenue__isnull=true") == [peer_deal]
    assert ids("sort=account_revenue") == [deal, peer_deal]  # a blank sorts last, whatever is behind it
    assert ids("sort=-account_revenue") == [peer_deal, deal]
    assert [r["id"] for r in admin.get(f"{url}?account_revenue={PEER_REVENUE}").json()["results"]] == [peer_deal]


def test_a_readable_rollup_totals_every_child(leaky, org, make_record, admin_a):
    """As in Salesforce: a reader who may read the child object and the summarised field sees the
    total over every child, records they may not open included."""
    from metadata.services import add_field

    add_field("account", {"api_name": "deal_count", "type": "rollup", "labels": {"en": "Deals"}, "options": {
        "child_object": "opportunity", "child_field": "account", "function": "count"}}, admin_a)
    make_record("opportunity", org.rep_peer, name="Peer's deal", account=leaky["own"].id, stage="prospecting",
                close_date="2026-12-31")
    client = leaky["client"]
    seen = client.get(f"/api/v1/records/opportunity/?account={leaky['own'].id}").json()["results"]
    assert [r["id"] for r in seen] == [leaky["deal"].id]
    assert client.get(f"/api/v1/records/account/{leaky['own'].id}/").json()["deal_count"] == "2"


def test_an_administrator_may_opt_a_field_out(leaky, admin_a):
    """"visibility": "field" shows the value to everyone who may read the field; the change is in the
    metadata history; the formula's text still shows only to readers of every field it names."""
    from metadata.models import MetadataChange
    from metadata.services import update_field

    client, admin = leaky["client"], leaky["admin"]
    for name in ("cost_x2", "account_revenue"):
        update_field("opportunity", name, {}, admin_a, options_patch={"visibility": "field"})
    change = MetadataChange.objects.filter(entity="field").order_by("-id").first()
    assert change.changed_by_id == admin_a.pk
    assert change.before["options"].get("visibility") is None and change.after["options"]["visibility"] == "field"

    deal = client.get(f"/api/v1/records/opportunity/{leaky['deal'].id}/").json()
    assert deal["cost_x2"] == COST_VALUE
    assert client.get(f"/api/v1/records/opportunity/{leaky['peer_deal'].id}/").json()["account_revenue"] == \
        PEER_REVENUE
    assert "cost" not in deal  # the field it reads stays hidden

    fields = {f["api_name"]: f for f in client.get("/api/v1/meta/objects/opportunity/fields/").json()}
    assert "formula" not in fields["cost_x2"]["options"] and fields["cost_x2"]["options"]["result_type"] == "number"
    assert fields["account_revenue"]["options"]["formula"] == "account.annual_revenue"  # every field readable
    single = client.get("/api/v1/meta/objects/opportunity/fields/cost_x2/").json()
    assert "formula" not in single["options"]
    _absent(client.get("/api/v1/meta/objects/opportunity/"), "cost * 2")
    assert {f["api_name"]: f for f in admin.get("/api/v1/meta/objects/opportunity/fields/").json()}[
        "cost_x2"]["options"]["formula"] == "cost * 2"


def test_rights_from_a_permission_set_open_computed_values(leaky, org, admin_a):
    """The reader's effective rights count: a permission set granting the hidden field opens the
    formula over it."""
    from tessera.security.services import create_spec, update_user

    create_spec("permission_set", {"api_name": "costs", "spec": {
        "objects": {"opportunity": {"read": True, "fields": {"cost": "read_only"}}}}}, admin_a)
    update_user(org.rep.pk, {"permission_sets": ["costs"]}, admin_a)
    deal = org.client(org.rep).get(f"/api/v1/records/opportunity/{leaky['deal'].id}/").json()
    assert deal["cost"] == COST and deal["cost_x2"] == COST_VALUE


def test_a_validation_rule_shows_only_to_readers_of_every_field_it_names(leaky, admin_a):
    from metadata.services import update_object

    update_object("opportunity", {"validation_rules": [
        {"api_name": "cost_cap", "formula": "cost > 1000000", "message": {"en": "Too costly."}},
        {"api_name": "amount_positive", "formula": "amount < 0", "message": {"en": "Give a positive amount."}},
    ]}, admin_a)
    seen = leaky["client"].get("/api/v1/meta/objects/opportunity/").json()["validation_rules"]
    assert [r["api_name"] for r in seen] == ["amount_positive"]
    every = leaky["admin"].get("/api/v1/meta/objects/opportunity/").json()["validation_rules"]
    assert [r["api_name"] for r in every] == ["cost_cap", "amount_positive"]
