"""The record-level security matrix, through the HTTP API.

Four users with the four standard profiles, each in the middle of a role hierarchy, act on Account
records (org-wide default: private) in five situations:

- own:     the actor owns the record;
- sub:     someone in a role below the actor's owns it (the role hierarchy shows it to the actor);
- peer:    someone in the actor's own role owns it (peers do not see each other's records);
- shared:  a peer owns it and shared it by hand with the actor, with edit access;
- rule:    a peer owns it and a sharing rule (rating = C → the actor's department, read) matches it.

Operations: list (is it in the actor's list?), read, create (a contact linked to it: a lookup must
point at a record the writer may see), edit, delete, reassign. A record the actor may not see is a 404
(its existence is not revealed); one they see but may not change is a 403; an object right they lack
altogether is a 403 whatever the record.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

#: actor → (profile, whose record is "own", "sub", "peer")
ACTORS = {
    "administrator": ("boss", "mgr", "ceo2"),
    "sales_manager": ("mgr", "rep", "mgr_peer"),
    "salesperson": ("rep", "intern", "rep_peer"),
    "read_only": ("reader", "reader_sub", "reader_peer"),
}

OPS = ("list", "read", "create", "edit", "delete", "reassign")
Y = True
N = False

#: The spec: (actor's profile, situation) → outcome of each operation in OPS.
EXPECTED = {
    ("administrator", "own"): (Y, 200, 201, 200, 204, 200),
    ("administrator", "sub"): (Y, 200, 201, 200, 204, 200),
    ("administrator", "peer"): (Y, 200, 201, 200, 204, 200),
    ("administrator", "shared"): (Y, 200, 201, 200, 204, 200),
    ("administrator", "rule"): (Y, 200, 201, 200, 204, 200),

    ("sales_manager", "own"): (Y, 200, 201, 200, 204, 200),
    ("sales_manager", "sub"): (Y, 200, 201, 200, 204, 200),
    ("sales_manager", "peer"): (N, 404, 400, 404, 404, 404),
    ("sales_manager", "shared"): (Y, 200, 201, 200, 403, 403),
    ("sales_manager", "rule"): (Y, 200, 201, 403, 403, 403),

    ("salesperson", "own"): (Y, 200, 201, 200, 204, 200),
    ("salesperson", "sub"): (Y, 200, 201, 200, 204, 200),
    ("salesperson", "peer"): (N, 404, 400, 404, 404, 404),
    ("salesperson", "shared"): (Y, 200, 201, 200, 403, 403),
    ("salesperson", "rule"): (Y, 200, 201, 403, 403, 403),

    ("read_only", "own"): (Y, 200, 403, 403, 403, 403),
    ("read_only", "sub"): (Y, 200, 403, 403, 403, 403),
    ("read_only", "peer"): (N, 404, 403, 403, 403, 403),
    ("read_only", "shared"): (Y, 200, 403, 403, 403, 403),
    ("read_only", "rule"): (Y, 200, 403, 403, 403, 403),
}

CASES = [pytest.param(profile, situation, op, outcome, id=f"{profile}-{situation}-{op}")
         for (profile, situation), outcomes in EXPECTED.items() for op, outcome in zip(OPS, outcomes, strict=True)]


@pytest.fixture
def situation_record(org, make_record):
    """The actor (a User) and the Account record of a situation, set up as the module docstring says."""
    from tessera.security.models import RecordShare, SharingRule

    def build(profile: str, situation: str):
        own, sub, peer = (getattr(org, name) for name in ACTORS[profile])
        owner = {"own": own, "sub": sub}.get(situation, peer)
        record = make_record("account", owner, rating="c" if situation == "rule" else "a")
        if situation == "shared":
            RecordShare.objects.create(object_id=record.object.id, record_id=record.id, user=own, access="edit")
        # The rule exists in every situation (it matches only rating C): it must not widen the others.
        SharingRule.objects.create(name="C accounts", object_id=record.object.id, filters=[["rating", "c"]],
                                   department=own.department, access="read")
        return own, record

    return build


@pytest.mark.parametrize(("profile", "situation", "op", "expected"), CASES)
def test_matrix(org, situation_record, profile, situation, op, expected):
    actor, record = situation_record(profile, situation)
    client = org.client(actor)
    url = f"/api/v1/records/account/{record.id}/"
    if op == "list":
        response = client.get("/api/v1/records/account/?limit=200")
        assert response.status_code == 200, response.content
        assert (record.id in [r["id"] for r in response.json()["results"]]) is expected
        return
    if op == "read":
        response = client.get(url)
    elif op == "create":
        response = client.post("/api/v1/records/contact/", {"name": "Zhang San", "account": record.id},
                               content_type="application/json")
    elif op == "edit":
        response = client.patch(url, {"phone": "+86 10 1234 5678"}, content_type="application/json")
    elif op == "delete":
        response = client.delete(url)
    else:
        response = client.post("/api/v1/security/reassign/", {"object": "account", "id": record.id,
                                                               "to": org.other.pk},
                               content_type="application/json")
    assert response.status_code == expected, response.content
    if expected == 400:
        assert response.json()["errors"]["account"][0]["code"] == "invalid_reference"
    if expected == 404:
        assert record.name not in response.content.decode()


def test_the_table_covers_every_profile_and_situation():
    assert {p for p, _s in EXPECTED} == set(ACTORS)
    assert {s for _p, s in EXPECTED} == {"own", "sub", "peer", "shared", "rule"}
