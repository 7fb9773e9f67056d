"""Ownership: the creator owns; reassign one record or many (with children); deactivation gives
everything a user owns to someone else and deletes nothing; every owner change is in the history."""

from __future__ import annotations

import pytest

from tessera.errors import PermissionDenied
from tests.helpers.security import field_codes

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _owner(object_api_name, record_id):
    from tessera.records import service
    from tessera.security.access import SYSTEM

    return service.get_record(object_api_name, record_id, SYSTEM, include_deleted=True).owner_id


def _owner_history(object_api_name, record_id):
    from tessera.records import service
    from tessera.security.access import SYSTEM

    return [(e["action"], [c["old"], c["new"]]) for e in service.record_history(object_api_name, record_id, SYSTEM)
            for c in e["changes"] if c["field"] == "owner" and e["action"] != "create"]


def test_the_creator_owns_a_new_record(org):
    rep = org.client(org.rep)
    created = rep.post("/api/v1/records/account/", {"name": "First Come Ltd"}, content_type=JSON)
    assert created.status_code == 201 and created.json()["owner"] == org.rep.pk
    for_intern = rep.post("/api/v1/records/account/", {"name": "Intern Co", "owner": org.intern.pk},
                          content_type=JSON)
    assert for_intern.status_code == 201 and for_intern.json()["owner"] == org.intern.pk  # their team
    for_peer = rep.post("/api/v1/records/account/", {"name": "Peer Co", "owner": org.rep_peer.pk}, content_type=JSON)
    assert for_peer.status_code == 400 and field_codes(for_peer) == {"owner": ["read_only"]}


def test_owner_change_through_an_update_needs_the_reassign_right(org, make_record):
    from tessera.security.models import RecordShare

    own = make_record("account", org.rep)
    shared = make_record("account", org.rep_peer)
    RecordShare.objects.create(object_id=shared.object.id, record_id=shared.id, user=org.rep, access="edit")
    rep = org.client(org.rep)
    handed = rep.patch(f"/api/v1/records/account/{own.id}/", {"owner": org.rep_peer.pk}, content_type=JSON)
    assert handed.status_code == 200 and handed.json()["owner"] == org.rep_peer.pk
    assert _owner_history("account", own.id) == [("owner", [org.rep.pk, org.rep_peer.pk])]
    taken = rep.patch(f"/api/v1/records/account/{shared.id}/", {"owner": org.rep.pk}, content_type=JSON)
    assert taken.status_code == 400 and field_codes(taken) == {"owner": ["read_only"]}
    assert _owner("account", shared.id) == org.rep_peer.pk


@pytest.fixture
def customer(org, make_record):
    """An account of rep's with contacts (rep's and intern's), an opportunity, open and done activities."""
    account = make_record("account", org.rep, name="Big Customer Ltd")
    mine = make_record("contact", org.rep, name="Wang Wu", account=account.id)
    interns = make_record("contact", org.intern, name="Zhao Liu", account=account.id)
    deal = make_record("opportunity", org.rep, name="Big deal", account=account.id, stage="prospecting",
                       close_date="2027-03-31")
    open_call = make_record("activity", org.rep, name="Call back", account=account.id, status="planned")
    done_call = make_record("activity", org.rep, name="First call", account=account.id, status="done")
    return {"account": account, "mine": mine, "interns": interns, "deal": deal, "open": open_call, "done": done_call}


def test_reassign_one_record_with_its_contacts_opportunities_and_open_activities(org, customer):
    response = org.client(org.mgr).post("/api/v1/security/reassign/", {
        "object": "account", "id": customer["account"].id, "to": org.rep_peer.pk,
        "children": ["contact", "opportunity", "activity"]}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["counts"] == {"account": 1, "contact": 1, "opportunity": 1, "activity": 1}
    moved = {"account": customer["account"], "contact": customer["mine"], "opportunity": customer["deal"],
             "activity": customer["open"]}
    for object_api_name, record in moved.items():
        assert _owner(object_api_name, record.id) == org.rep_peer.pk
        assert _owner_history(object_api_name, record.id) == [("owner", [org.rep.pk, org.rep_peer.pk])]
    assert _owner("contact", customer["interns"].id) == org.intern.pk  # another owner: stays
    assert _owner("activity", customer["done"].id) == org.rep.pk  # done: stays with who did it
    from tessera.security.models import AuditEntry

    entry = AuditEntry.objects.get(action="records.reassign")
    assert entry.actor_id == org.mgr.pk and entry.detail["counts"]["contact"] == 1


def test_reassign_without_children_moves_only_the_record(org, customer):
    response = org.client(org.rep).post("/api/v1/security/reassign/", {
        "object": "account", "id": customer["account"].id, "to": org.rep_peer.pk}, content_type=JSON)
    assert response.status_code == 200 and response.json()["counts"] == {"account": 1}
    assert _owner("contact", customer["mine"].id) == org.rep.pk


def test_reassign_by_filter_moves_only_what_the_actor_may_reassign(org, make_record):
    mine = make_record("account", org.mgr, rating="b")
    subordinates = make_record("account", org.intern, rating="b")
    other_rating = make_record("account", org.rep, rating="a")
    peers = make_record("account", org.mgr_peer, rating="b")
    response = org.client(org.mgr).post("/api/v1/security/reassign/", {
        "object": "account", "filters": {"rating": "b"}, "to": org.other.pk}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert sorted(response.json()["ids"]["account"]) == sorted([mine.id, subordinates.id])
    assert _owner("account", mine.id) == _owner("account", subordinates.id) == org.other.pk
    assert _owner("account", other_rating.id) == org.rep.pk
    assert _owner("account", peers.id) == org.mgr_peer.pk
    assert _owner_history("account", subordinates.id) == [("owner", [org.intern.pk, org.other.pk])]
    bad = org.client(org.mgr).post("/api/v1/security/reassign/", {
        "object": "account", "filters": {"nope": "b"}, "to": org.other.pk}, content_type=JSON)
    assert bad.status_code == 400 and field_codes(bad) == {"nope": ["unknown_field"]}


def test_deactivation_transfers_every_record_and_deletes_nothing(org, admin_a, customer, make_record):
    from django.db import connection

    from tessera.records import service
    from tessera.security.access import SYSTEM

    trashed = make_record("account", org.rep, name="In the bin Ltd")
    service.delete_record("account", trashed.id, SYSTEM)

    def counts():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), count(*) FILTER (WHERE deleted_at IS NOT NULL) FROM record")
            return cursor.fetchone()

    before = counts()
    rep_client = org.client(org.rep)
    response = org.client(admin_a).post(f"/api/v1/security/users/{org.rep.pk}/deactivate/",
                                        {"transfer_to": org.mgr.pk}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["transferred"] == {"account": 2, "contact": 1, "opportunity": 1, "activity": 2}
    assert counts() == before
    for key in ("account", "mine", "deal", "open", "done"):
        object_api_name = {"mine": "contact", "deal": "opportunity", "open": "activity", "done": "activity"}.get(
            key, "account")
        assert _owner(object_api_name, customer[key].id) == org.mgr.pk
    assert _owner("account", trashed.id) == org.mgr.pk
    assert _owner("contact", customer["interns"].id) == org.intern.pk
    assert _owner_history("account", customer["account"].id) == [("owner", [org.rep.pk, org.mgr.pk])]
    org.rep.refresh_from_db()
    assert not org.rep.is_active and org.rep.deactivated_at is not None
    assert rep_client.get("/api/v1/records/account/").status_code == 403  # the session is over
    from tessera.security.models import AuditEntry

    assert AuditEntry.objects.get(action="user.deactivate").detail["records"]["account"] == 2
    assert org.client(admin_a).post(f"/api/v1/security/users/{org.rep.pk}/reactivate/").status_code == 200


def test_the_counts_shown_before_a_deactivation_are_what_moves(org, admin_a, customer, make_record):
    """The deactivation wizard shows `owned_records` and confirms with those counts: they are what
    moved, and when records changed hands meanwhile nothing moves until they are shown again."""
    from tessera.errors import Conflict
    from tessera.security.services import deactivate_user, owned_records

    shown = owned_records(org.rep, admin_a)
    assert shown == {"account": 1, "contact": 1, "opportunity": 1, "activity": 2}
    make_record("account", org.rep, name="Created meanwhile Ltd")
    with pytest.raises(Conflict):
        deactivate_user(org.rep.pk, admin_a, transfer_to=org.mgr.pk, expected_counts=shown)
    org.rep.refresh_from_db()
    assert org.rep.is_active and _owner("account", customer["account"].id) == org.rep.pk

    shown = owned_records(org.rep, admin_a)
    moved = deactivate_user(org.rep.pk, admin_a, transfer_to=org.mgr.pk, expected_counts=shown)
    assert moved == shown == {"account": 2, "contact": 1, "opportunity": 1, "activity": 2}
    assert owned_records(org.rep, admin_a) == {}
    assert _owner("opportunity", customer["deal"].id) == org.mgr.pk
    with pytest.raises(PermissionDenied):
        owned_records(org.mgr, org.rep_peer)
