"""The permission service itself: predicates (shape and meaning), org-wide defaults, permission
sets, department and role reach of shares and rules, lookups, the rights cache."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _sql(composable) -> str | None:
    return None if composable is None else composable.as_string(connection.connection)


def _account():
    from metadata.cache import get_meta

    return get_meta().objects["account"]


def _visible(user, object_api_name="account") -> set[int]:
    from tessera.records import service

    return {r.id for r in service.list_records(object_api_name, user, limit=200).records}


def test_a_salespersons_predicate_is_one_indexable_equality(org):
    from tessera.security.access import access_for

    assert _sql(access_for(org.intern).row_predicate(_account(), "read")) == f'"r".owner_id = {org.intern.pk}'
    manager = _sql(access_for(org.mgr).row_predicate(_account(), "read"))
    assert manager.startswith('"r".owner_id = ANY(')
    for user in ("mgr", "rep", "intern"):
        assert str(getattr(org, user).pk) in manager
    assert str(org.mgr_peer.pk) not in manager and "security_recordshare" not in manager


def test_share_and_rule_branches_appear_only_when_there_are_some(org, make_record):
    from tessera.security.access import access_for
    from tessera.security.models import RecordShare, SharingRule

    record = make_record("account", org.rep_peer)
    RecordShare.objects.create(object_id=record.object.id, record_id=record.id, user=org.intern, access="read")
    read = _sql(access_for(org.intern).row_predicate(_account(), "read"))
    assert "security_recordshare" in read
    assert "security_recordshare" not in _sql(access_for(org.intern).row_predicate(_account(), "edit"))
    contact = _sql(access_for(org.intern).row_predicate(_contact(), "read"))
    assert "security_recordshare" not in contact
    SharingRule.objects.create(name="r", object_id=record.object.id, filters=[["rating", "c"]],
                               role=org.roles["east_intern"], access="read")
    assert "security_recordshare" in _sql(access_for(org.intern).row_predicate(_account(), "read"))
    assert " OR " in _sql(access_for(org.intern).row_predicate(_account(), "read"))


def _contact():
    from metadata.cache import get_meta

    return get_meta().objects["contact"]


def test_administrators_and_view_all_have_no_predicate(org, admin_a):
    from tessera.security.access import SYSTEM, access_for

    for actor in (SYSTEM, admin_a, org.boss):
        assert access_for(actor).row_predicate(_account(), "read") is None
        assert access_for(actor).row_predicate(_account(), "delete") is None


def test_org_wide_defaults(org, admin_a, make_object, make_record):
    from metadata.services import update_object
    from tessera.security.access import access_for, sharing_model

    gadget = make_object("gadget")
    assert sharing_model(gadget) == "public_read_write" and gadget.spec["sharing_model"] == "public_read_write"
    assert sharing_model(_account()) == "private"
    rep = access_for(org.rep)
    assert rep.row_predicate(gadget, "read") is None and rep.row_predicate(gadget, "edit") is None
    assert rep.row_predicate(gadget, "delete") is not None  # deleting follows ownership only
    update_object("gadget", {"sharing_model": "public_read"}, admin_a)
    from metadata.cache import get_meta

    gadget = get_meta().objects["gadget"]
    rep = access_for(org.rep)
    assert rep.row_predicate(gadget, "read") is None and rep.row_predicate(gadget, "edit") is not None
    peers = make_record("gadget", org.rep_peer)
    client = org.client(org.rep)
    assert client.get(f"/api/v1/records/gadget/{peers.id}/").status_code == 200
    assert client.patch(f"/api/v1/records/gadget/{peers.id}/", {"name": "x"}, content_type=JSON).status_code == 403
    from tessera.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        update_object("gadget", {"sharing_model": "everyone"}, admin_a)


def test_permission_sets_add_rights_and_fields(org, admin_a):
    from tessera.security.access import access_for
    from tessera.security.services import create_spec, update_user

    create_spec("profile", {"api_name": "narrow", "spec": {
        "default_object": {"read": True}, "objects": {"account": {"fields": {"phone": "hidden", "email": "hidden"}}}}},
        admin_a)
    update_user(org.reader.pk, {"profile": "narrow"}, admin_a)
    access = access_for(org.reader)
    account = _account()
    assert not access.can(account, "create") and access.field_access(account, account.field("phone")) == "hidden"
    create_spec("permission_set", {"api_name": "account_creators", "spec": {
        "objects": {"account": {"create": True, "fields": {"phone": "read_only"}}}, "admin": {"export": True}}}, admin_a)
    update_user(org.reader.pk, {"permission_sets": ["account_creators"]}, admin_a)
    access = access_for(org.reader)
    assert access.can(account, "create") and access.can(account, "read") and not access.can(account, "edit")
    assert access.field_access(account, account.field("phone")) == "read"  # the strongest wins
    assert access.field_access(account, account.field("email")) == "hidden"  # a set grants only what it lists
    assert access.has_right("export") and not access.has_right("manage_users")
    assert not access.can(_contact(), "create")


def test_department_shares_reach_sub_departments_when_asked(org, make_record):
    from tessera.security.models import RecordShare

    record = make_record("account", org.rep_peer)
    share = RecordShare.objects.create(object_id=record.object.id, record_id=record.id,
                                       department=org.departments["d_mgr"], access="read")
    assert record.id in _visible(org.mgr) and record.id not in _visible(org.rep)  # rep is in d_rep, below d_mgr
    share.include_sub = True
    share.save()
    assert record.id in _visible(org.rep)


def test_role_rules_reach_subordinates_when_asked(org, make_record):
    from tessera.security.models import SharingRule

    record = make_record("account", org.reader_peer, rating="b")
    rule = SharingRule.objects.create(name="B", object_id=record.object.id, filters=[["rating", "b"]],
                                      role=org.roles["east_mgr"], access="edit")
    assert record.id in _visible(org.mgr) and record.id in _visible(org.mgr_peer)
    assert record.id not in _visible(org.rep)
    rule.include_sub = True
    rule.save()
    assert record.id in _visible(org.rep) and record.id in _visible(org.intern)
    client = org.client(org.intern)
    edited = client.patch(f"/api/v1/records/account/{record.id}/", {"phone": "+86 10 1234 5678"}, content_type=JSON)
    assert edited.status_code == 200, edited.content


def test_rules_through_lookups_and_on_deleted_fields(org, admin_a, make_record):
    from metadata.services import add_field, delete_field
    from tessera.security.models import SharingRule

    add_field("account", {"api_name": "tier", "type": "text", "labels": {"en": "Tier"}}, admin_a)
    parent = make_record("account", org.rep_peer, tier="gold")
    contact = make_record("contact", org.rep_peer, account=parent.id)
    other = make_record("contact", org.rep_peer)
    SharingRule.objects.create(name="Gold customers' contacts", object_id=contact.object.id,
                               filters=[["account.tier", "gold"]], department=org.departments["d_rep"], access="read")
    assert contact.id in _visible(org.rep, "contact") and other.id not in _visible(org.rep, "contact")
    delete_field("account", "tier", admin_a)
    assert contact.id not in _visible(org.rep, "contact")  # a rule that no longer compiles matches nothing


def test_lookups_show_nothing_of_records_one_may_not_see(org, make_record):
    from tessera.security.models import RecordShare

    parent = make_record("account", org.rep_peer, name="Invisible Parent Ltd", rating="c")
    contact = make_record("contact", org.rep_peer, name="Visible Contact", account=parent.id)
    RecordShare.objects.create(object_id=contact.object.id, record_id=contact.id, user=org.rep, access="read")
    client = org.client(org.rep)
    detail = client.get(f"/api/v1/records/contact/{contact.id}/?expand=account")
    assert detail.status_code == 200 and "Invisible Parent" not in detail.content.decode()
    listing = client.get("/api/v1/records/contact/?expand=account")
    assert "Invisible Parent" not in listing.content.decode()
    probe = client.get("/api/v1/records/contact/?account.rating=c")
    assert probe.status_code == 200 and probe.json()["results"] == []  # no probing through hidden parents
    assert org.client(org.boss).get("/api/v1/records/contact/?account.rating=c").json()["results"]


def test_duplicates_one_may_not_see_are_not_named(org, make_record):
    make_record("account", org.rep_peer, name="Stolen Customer Ltd")
    response = org.client(org.rep).post("/api/v1/records/account/", {"name": "Stolen Customer Ltd"},
                                        content_type=JSON)
    assert response.status_code == 409
    [match] = response.json()["duplicates"]
    assert match["name"] is None and match["id"]


def test_rights_are_cached_until_something_changes(org, admin_a):
    from tessera.security import rights
    from tessera.security.services import update_user

    first = rights.rights_for(org.rep.pk)
    assert rights.rights_for(org.rep.pk) is first
    update_user(org.rep.pk, {"profile": "read_only"}, admin_a)
    second = rights.rights_for(org.rep.pk)
    assert second is not first and not second.object_actions("account") >= {"edit"}


def test_one_request_checks_the_rights_version_once(org):
    from django.test.utils import CaptureQueriesContext

    client = org.client(org.rep)
    client.get("/api/v1/records/account/")  # warm the caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/records/account/").status_code == 200
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]
    # tenant by host, session, user, metadata version, security version, the page
    assert len(statements) == 6, statements
    assert sum("security_securityversion" in s for s in statements) == 1


def test_pages_merge_own_shared_and_rule_records_in_order(org, make_record):
    """Several branches (own, shared, rule) are read one by one and merged: every page is what the
    OR of them gives, in order, without duplicates, across keyset pages."""
    from tessera.records import service
    from tessera.security.models import RecordShare, SharingRule

    records = []
    for n in range(4):
        records.append(make_record("account", org.rep, name=f"own {n}", employees=n * 10))
    for n in range(3):
        shared = make_record("account", org.rep_peer, name=f"shared {n}", employees=n * 10 + 5)
        RecordShare.objects.create(object_id=shared.object.id, record_id=shared.id, user=org.rep, access="read")
        records.append(shared)
    for n in range(3):
        records.append(make_record("account", org.mgr_peer, name=f"rule {n}", rating="c", employees=n * 10 + 7))
    both = make_record("account", org.rep, name="own and rule", rating="c", employees=1)
    records.append(both)
    hidden = make_record("account", org.rep_peer, name="not mine", employees=3)
    SharingRule.objects.create(name="C", object_id=both.object.id, filters=[["rating", "c"]],
                               department=org.departments["d_rep"], access="read")
    expected = [r.id for r in sorted(records, key=lambda r: (-r.values["employees"], -r.id))]
    seen, cursor = [], None
    while True:
        page = service.list_records("account", org.rep, sort=["-employees"], limit=3, cursor=cursor, count=True)
        assert page.total == len(expected)
        seen += [r.id for r in page.records]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected and hidden.id not in seen
