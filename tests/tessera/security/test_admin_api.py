"""Managing users, roles, departments, profiles, sharing rules through the API: rights, bad input
(clear 400s with field errors, nothing changed), audit."""

from __future__ import annotations

import pytest

from tests.helpers.security import codes, field_codes

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def admin(org, admin_a):
    return org.client(admin_a)


def _audit_count(action: str) -> int:
    from tessera.security.models import AuditEntry

    return AuditEntry.objects.filter(action=action).count()


def test_unknown_role_department_profile_are_field_errors_and_change_nothing(admin, org):
    from tessera.security.models import Invitation

    before = Invitation.objects.count()
    response = admin.post("/api/v1/security/users/invite/", {
        "email": "x@alpha.test", "role": 999999, "department": 999999, "profile": "nope",
        "permission_sets": ["ghost"]}, content_type=JSON)
    assert response.status_code == 400
    assert field_codes(response) == {"role": ["unknown_role"], "department": ["unknown_department"],
                                     "profile": ["unknown_profile"], "permission_sets": ["unknown_permission_set"]}
    assert Invitation.objects.count() == before
    patched = admin.patch(f"/api/v1/security/users/{org.rep.pk}/", {"role": 999999}, content_type=JSON)
    assert patched.status_code == 400 and field_codes(patched) == {"role": ["unknown_role"]}
    org.rep.refresh_from_db()
    assert org.rep.role == org.roles["east_rep"]


def test_a_cycle_in_the_role_tree_is_refused(admin, org):
    ceo, intern = org.roles["ceo"], org.roles["east_intern"]
    audits = _audit_count("role.update")
    for parent in (intern.pk, ceo.pk):
        response = admin.patch(f"/api/v1/security/roles/{ceo.pk}/", {"parent": parent}, content_type=JSON)
        assert response.status_code == 400 and field_codes(response) == {"parent": ["cycle"]}
    ceo.refresh_from_db()
    assert ceo.parent is None and _audit_count("role.update") == audits
    moved = admin.patch(f"/api/v1/security/roles/{intern.pk}/", {"parent": org.roles["audit"].pk}, content_type=JSON)
    assert moved.status_code == 200 and moved.json()["parent"] == org.roles["audit"].pk


def test_a_cycle_in_the_department_tree_is_refused(admin, org):
    hq, rep_dept = org.departments["hq"], org.departments["d_rep"]
    response = admin.patch(f"/api/v1/security/departments/{hq.pk}/", {"parent": rep_dept.pk}, content_type=JSON)
    assert response.status_code == 400 and field_codes(response) == {"parent": ["cycle"]}


def test_roles_in_use_cannot_be_deleted(admin, org):
    response = admin.delete(f"/api/v1/security/roles/{org.roles['east_rep'].pk}/")
    assert response.status_code == 409 and codes(response) == ["in_use"]
    spare = admin.post("/api/v1/security/roles/", {"name": "Spare", "parent": org.roles["ceo"].pk}, content_type=JSON)
    assert spare.status_code == 201
    assert admin.delete(f"/api/v1/security/roles/{spare.json()['id']}/").status_code == 204
    taken = admin.post("/api/v1/security/roles/", {"name": "ceo"}, content_type=JSON)
    assert taken.status_code == 400 and field_codes(taken) == {"name": ["taken"]}


def test_reassigning_to_an_inactive_user_is_refused(admin, org, make_record):
    from tessera.records import service
    from tessera.security.access import SYSTEM

    record = make_record("account", org.rep)
    org.other.is_active = False
    org.other.save()
    for to in (org.other.pk, 999999):
        response = admin.post("/api/v1/security/reassign/", {"object": "account", "id": record.id, "to": to},
                              content_type=JSON)
        assert response.status_code == 400
        assert field_codes(response)["to"][0] in ("inactive_user", "unknown_user")
    assert service.get_record("account", record.id, SYSTEM).owner_id == org.rep.pk
    bad_child = admin.post("/api/v1/security/reassign/", {"object": "account", "id": record.id, "to": org.mgr.pk,
                                                          "children": ["lead"]}, content_type=JSON)
    assert bad_child.status_code == 400 and field_codes(bad_child) == {"children": ["invalid_child"]}


def test_deactivation_needs_an_active_receiver(admin, org):
    missing = admin.post(f"/api/v1/security/users/{org.rep.pk}/deactivate/", {}, content_type=JSON)
    assert missing.status_code == 400 and field_codes(missing) == {"transfer_to": ["required"]}
    same = admin.post(f"/api/v1/security/users/{org.rep.pk}/deactivate/", {"transfer_to": org.rep.pk},
                      content_type=JSON)
    assert same.status_code == 400 and field_codes(same) == {"transfer_to": ["same_user"]}
    org.other.is_active = False
    org.other.save()
    inactive = admin.post(f"/api/v1/security/users/{org.rep.pk}/deactivate/", {"transfer_to": org.other.pk},
                          content_type=JSON)
    assert inactive.status_code == 400 and field_codes(inactive) == {"transfer_to": ["inactive_user"]}
    org.rep.refresh_from_db()
    assert org.rep.is_active


def test_profile_specs_are_validated(admin):
    bad = admin.post("/api/v1/security/profiles/", {"api_name": "field_sales", "spec": {
        "admin": {"customise": True},
        "objects": {"account": {"read": "yes", "fields": {"nope": "hidden", "phone": "secret"}}, "ghost": {}},
    }}, content_type=JSON)
    assert bad.status_code == 400
    errors = field_codes(bad)
    assert errors["spec.admin"] == ["schema_additionalProperties"]
    assert errors["spec.objects.account.read"] == ["schema_type"]
    assert errors["spec.objects.account.fields.phone"] == ["schema_enum"]
    good = admin.post("/api/v1/security/profiles/", {"api_name": "field_sales", "spec": {
        "default_object": {"read": True}, "objects": {"account": {"fields": {"phone": "read_only"}}}}},
        content_type=JSON)
    assert good.status_code == 201
    unknown = admin.patch("/api/v1/security/profiles/field_sales/", {"spec": {
        "objects": {"ghost": {"read": True}, "account": {"fields": {"nope": "hidden"}}}}}, content_type=JSON)
    assert unknown.status_code == 400
    assert field_codes(unknown) == {"spec.objects.ghost": ["unknown_object"],
                                    "spec.objects.account.fields.nope": ["unknown_field"]}
    locked = admin.patch("/api/v1/security/profiles/administrator/", {"spec": {}}, content_type=JSON)
    assert locked.status_code == 403
    standard = admin.delete("/api/v1/security/profiles/salesperson/")
    assert standard.status_code == 409
    assert admin.get("/api/v1/security/schemas/profile.json").json()["title"].startswith("Permission profile")


def test_sharing_rule_input_is_validated(admin, org):
    bad = admin.post("/api/v1/security/sharing-rules/", {
        "name": "Big", "object": "account", "filters": {"nope__gte": "1", "employees__gte": "many"},
        "role": org.roles["east_rep"].pk, "department": org.departments["hq"].pk, "access": "all"},
        content_type=JSON)
    assert bad.status_code == 400
    body = bad.json()
    assert set(body["errors"]) == {"filters.nope__gte", "filters.employees__gte", "access"}
    assert [e["code"] for e in body["non_field_errors"]] == ["one_target"]
    good = admin.post("/api/v1/security/sharing-rules/", {
        "name": "Big", "object": "account", "filters": {"employees__gte": "1000"},
        "role": org.roles["east_rep"].pk, "include_sub": True, "access": "edit"}, content_type=JSON)
    assert good.status_code == 201 and good.json()["filters"] == [["employees__gte", "1000"]]
    assert admin.get("/api/v1/security/sharing-rules/?object=account").json()["results"][0]["name"] == "Big"


def test_only_user_managers_manage_security(org):
    client = org.client(org.mgr)
    assert client.get("/api/v1/security/roles/").status_code == 200  # anyone may read the tree
    for method, url, body in (
        ("post", "/api/v1/security/roles/", {"name": "x"}),
        ("patch", f"/api/v1/security/users/{org.rep.pk}/", {"profile": "administrator"}),
        ("post", "/api/v1/security/profiles/", {"api_name": "x", "spec": {}}),
        ("post", "/api/v1/security/sharing-rules/", {}),
        ("get", "/api/v1/security/audit/", None),
        ("post", "/api/v1/security/support-grants/", {"hours": 1}),
    ):
        response = getattr(client, method)(url, body, content_type=JSON) if body is not None else client.get(url)
        assert response.status_code == 403, url
    own = client.patch(f"/api/v1/security/users/{org.mgr.pk}/", {"full_name": "Manager Wang", "language": "en"},
                       content_type=JSON)
    assert own.status_code == 200 and own.json()["full_name"] == "Manager Wang"


def test_user_changes_take_effect_at_once_and_are_audited(admin, org, make_record):
    record = make_record("account", org.rep_peer)
    rep = org.client(org.rep)
    assert rep.get(f"/api/v1/records/account/{record.id}/").status_code == 404
    response = admin.patch(f"/api/v1/security/users/{org.rep.pk}/", {"role": org.roles["east_mgr"].pk},
                           content_type=JSON)
    assert response.status_code == 200
    assert rep.get(f"/api/v1/records/account/{record.id}/").status_code == 200  # rep_peer is below now
    from tessera.security.models import AuditEntry

    entry = AuditEntry.objects.filter(action="user.update").latest("id")
    assert entry.detail["before"]["role"] == org.roles["east_rep"].pk
    assert entry.detail["after"]["role"] == org.roles["east_mgr"].pk


def test_metadata_changes_need_the_customize_right(org):
    gadget = {"api_name": "gadget", "labels": {"en": {"singular": "Gadget"}}}
    assert org.client(org.mgr).post("/api/v1/meta/objects/", gadget, content_type=JSON).status_code == 403
    assert org.client(org.boss).post("/api/v1/meta/objects/", gadget, content_type=JSON).status_code == 201
    from tessera.security.models import AuditEntry

    entry = AuditEntry.objects.filter(action="metadata.object.create").latest("id")
    assert entry.actor_id == org.boss.pk and entry.detail["metadata_change"]
