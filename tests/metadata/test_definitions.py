"""Categories, layouts and list views through the API, with their rules enforced by the records
service and their validation (unknown fields, related lists, personal views)."""

from __future__ import annotations

import pytest

from metadata.cache import get_meta
from tessera.errors import ValidationFailed
from tessera.records import service
from tests.helpers.metadata_api import errors_of, labels, non_field_codes

pytestmark = pytest.mark.django_db

VIP_PLUS = {"api_name": "vip_plus", "labels": labels("VIP plus", "超级会员"), "required_fields": ["phone"],
            "picklist_values": {"rating": ["a"]}}


def _codes(exc_info, field):
    return [d.code for d in exc_info.value.field_errors.get(field, [])]


# --- categories ---------------------------------------------------------------------------------


def test_category_rules_are_enforced_by_the_records_service(api, admin_a):
    response = api.post("objects/account/categories/", VIP_PLUS)
    assert response.status_code == 201, response.json()
    assert response.json() == {**VIP_PLUS, "active": True, "fields": [], "edit_layout": None, "view_layout": None}
    assert "vip_plus" in {c["api_name"] for c in api.get("objects/account/categories/").json()}

    with pytest.raises(ValidationFailed) as refused:
        service.create_record("account", {"name": "Cat 1", "category": "vip_plus", "rating": "b"}, admin_a)
    assert _codes(refused, "phone") == ["required"] and _codes(refused, "rating") == ["invalid_choice"]
    ok = service.create_record("account", {"name": "Cat 2", "category": "vip_plus", "rating": "a",
                                           "phone": "+86 21 5555 0000"}, admin_a)
    assert ok.category == "vip_plus"
    plain = service.create_record("account", {"name": "Cat 3", "rating": "b"}, admin_a)  # no category: no rule
    # moving a record into the category applies its rules
    with pytest.raises(ValidationFailed) as refused:
        service.update_record("account", plain.id, {"category": "vip_plus"}, admin_a)
    assert _codes(refused, "phone") == ["required"] and _codes(refused, "rating") == ["invalid_choice"]
    with pytest.raises(ValidationFailed) as refused:
        service.create_record("account", {"name": "Cat 4", "category": "nope"}, admin_a)
    assert _codes(refused, "category") == ["invalid_choice"]

    # a deactivated category cannot be chosen any more; its records keep it
    assert api.patch("objects/account/categories/vip_plus/", {"active": False}).json()["active"] is False
    with pytest.raises(ValidationFailed) as refused:
        service.create_record("account", {"name": "Cat 5", "category": "vip_plus"}, admin_a)
    assert _codes(refused, "category") == ["invalid_choice"]
    assert service.update_record("account", ok.id, {"name": "Cat 2b"}, admin_a).category == "vip_plus"

    # deleting it: records keep their category key, its rules no longer apply
    assert api.delete("objects/account/categories/vip_plus/").status_code == 204
    assert api.get("objects/account/categories/vip_plus/").status_code == 404
    kept = service.get_record("account", ok.id, admin_a)
    assert kept.category == "vip_plus"
    assert service.update_record("account", ok.id, {"rating": "c"}, admin_a).values["rating"] == "c"


def test_layouts_per_category(api):
    api.post("objects/account/categories/", VIP_PLUS)
    layout = {"api_name": "vip_edit", "kind": "edit", "labels": labels("VIP edit"), "category": "vip_plus",
              "sections": [{"labels": labels("VIP"), "columns": 1, "items": [
                  {"field": "name", "required": True}, {"field": "phone", "required": True}, {"field": "rating"}]}]}
    created = api.post("objects/account/layouts/", layout)
    assert created.status_code == 201, created.json()
    assert created.json()["sections"][0]["items"][2] == {"field": "rating", "required": False, "read_only": False}

    response = api.patch("objects/account/categories/vip_plus/", {"edit_layout": "vip_edit"})
    assert response.status_code == 200 and response.json()["edit_layout"] == "vip_edit"
    account = get_meta().objects["account"]
    assert account.default_layout("edit", "vip_plus").api_name == "vip_edit"
    assert account.default_layout("edit", "retail").api_name == "default_edit"
    assert account.default_layout("edit").api_name == "default_edit"

    detail = api.get("objects/account/").json()
    assert {c["api_name"]: c["edit_layout"] for c in detail["categories"]}["vip_plus"] == "vip_edit"
    assert "vip_edit" in {layout["api_name"] for layout in detail["layouts"]}

    wrong_kind = api.patch("objects/account/categories/vip_plus/", {"view_layout": "vip_edit"})
    assert errors_of(wrong_kind) == {"view_layout": ["unknown_layout"]}


@pytest.mark.parametrize(("spec", "expected"), [
    ({"required_fields": ["nope"]}, {"required_fields.0": ["unknown_field"]}),
    ({"fields": ["name", "nope"]}, {"fields.1": ["unknown_field"]}),
    ({"picklist_values": {"phone": ["a"]}}, {"picklist_values.phone": ["invalid_field"]}),
    ({"picklist_values": {"rating": ["a", "z"]}}, {"picklist_values.rating": ["unknown_value"]}),
    ({"edit_layout": "nope"}, {"edit_layout": ["unknown_layout"]}),
    ({"api_name": "Bad"}, {"api_name": ["schema_pattern"]}),
    ({"api_name": "vip"}, {"api_name": ["taken"]}),  # a standard category of account
])
def test_invalid_categories_are_refused(api, spec, expected):
    response = api.post("objects/account/categories/", {**VIP_PLUS, **spec})
    assert response.status_code == 400 and errors_of(response) == expected


def test_category_changes_need_the_customise_right(api, user_api):
    assert user_api.get("objects/account/categories/vip/").status_code == 200
    assert user_api.post("objects/account/categories/", VIP_PLUS).status_code == 403
    assert user_api.patch("objects/account/categories/vip/", {"active": False}).status_code == 403
    assert user_api.delete("objects/account/categories/vip/").status_code == 403
    assert api.get("objects/account/categories/vip/").json()["active"] is True
    assert errors_of(api.patch("objects/account/categories/vip/", {"api_name": "vip2"})) == {"api_name": ["immutable"]}


# --- layouts ------------------------------------------------------------------------------------


def test_layouts_are_validated(api):
    def post(**spec):
        return api.post("objects/account/layouts/", {"api_name": "custom", "kind": "view", **spec})

    unknown = post(sections=[{"items": [{"field": "name"}, {"field": "nope"}]}])
    assert errors_of(unknown) == {"sections.0.items.1.field": ["unknown_field"]}
    twice = post(sections=[{"items": [{"field": "name"}]}, {"items": [{"field": "name"}]}])
    assert errors_of(twice) == {"sections.1.items.0.field": ["duplicate_field"]}
    assert errors_of(post(sections=[], category="nope")) == {"category": ["unknown_category"]}
    assert errors_of(post(sections=[{"columns": 4, "items": []}])) == {"sections.0.columns": ["schema_enum"]}
    # an edit layout keeps the fields a user must fill in (the account's name)
    no_name = post(kind="edit", sections=[{"columns": 3, "items": [{"field": "phone"}]}])
    assert errors_of(no_name) == {"sections": ["required_field_missing"]}
    assert errors_of(post(kind="print", sections=[])) == {"kind": ["schema_enum"]}
    # a related list must come through a lookup from the other object to this one
    not_lookup = post(sections=[], related_lists=[{"object": "contact", "field": "email"}])
    assert errors_of(not_lookup) == {"related_lists.0.field": ["invalid_relation"]}
    unknown_object = post(sections=[], related_lists=[{"object": "nothing", "field": "account"}])
    assert errors_of(unknown_object) == {"related_lists.0.field": ["invalid_relation"]}
    to_other = api.post("objects/opportunity/layouts/", {"api_name": "custom", "kind": "view", "sections": [],
                                                         "related_lists": [{"object": "contact", "field": "account"}]})
    assert errors_of(to_other) == {"related_lists.0.field": ["invalid_relation"]}  # contact.account → account
    bad_columns = post(sections=[], related_lists=[{"object": "contact", "field": "account", "columns": ["name", "x"],
                                                    "sort": ["-nope"]}])
    assert errors_of(bad_columns) == {"related_lists.0.columns.1": ["unknown_field"],
                                      "related_lists.0.sort.0": ["unknown_field"]}
    assert "custom" not in {layout["api_name"] for layout in api.get("objects/account/layouts/").json()}

    good = post(labels=labels("Compact"), sections=[{"items": [{"field": "name"}, {"field": "phone"}]}],
                related_lists=[{"object": "contact", "field": "account", "columns": ["name", "email"],
                                "sort": ["name"]}])
    assert good.status_code == 201, good.json()
    assert good.json()["related_lists"] == [{"object": "contact", "field": "account", "columns": ["name", "email"],
                                             "sort": ["name"]}]


def test_layout_read_back_can_be_sent_back(api):
    """What GET answers is valid input for PATCH (sections and related lists as a whole)."""
    layout = api.get("objects/account/layouts/default_view/").json()
    assert layout["related_lists"] and layout["sections"]
    response = api.patch("objects/account/layouts/default_view/", {
        "sections": list(reversed(layout["sections"])), "related_lists": layout["related_lists"]})
    assert response.status_code == 200, response.json()
    assert response.json()["sections"] == list(reversed(layout["sections"]))
    assert errors_of(api.patch("objects/account/layouts/default_view/", {"kind": "edit"})) == {"kind": ["immutable"]}


def test_layout_lifecycle_and_rights(api, user_api):
    spec = {"api_name": "mini", "kind": "edit", "sections": [{"items": [{"field": "name"}]}]}
    assert user_api.post("objects/account/layouts/", spec).status_code == 403
    assert api.post("objects/account/layouts/", spec).status_code == 201
    assert user_api.get("objects/account/layouts/mini/").json()["kind"] == "edit"
    assert api.post("objects/account/layouts/", spec).status_code == 400  # taken
    assert user_api.delete("objects/account/layouts/mini/").status_code == 403
    assert api.delete("objects/account/layouts/mini/").status_code == 204
    missing = api.get("objects/account/layouts/mini/")
    assert missing.status_code == 404 and non_field_codes(missing) == ["unknown_layout"]


# --- list views ---------------------------------------------------------------------------------


BIG = {"api_name": "big_accounts", "labels": labels("Big accounts", "大客户"), "shared": True,
       "columns": ["name", "annual_revenue", "owner"], "filters": {"annual_revenue__gte": "1000000"},
       "sort": ["-annual_revenue"]}


def test_shared_list_view_lifecycle(api, user_api):
    created = api.post("objects/account/list-views/", BIG)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body == {"api_name": "big_accounts", "labels": BIG["labels"], "shared": True, "owner": None,
                    "columns": BIG["columns"], "filters": BIG["filters"], "sort": BIG["sort"]}
    assert "big_accounts" in {v["api_name"] for v in user_api.get("objects/account/list-views/").json()}
    assert user_api.patch("objects/account/list-views/big_accounts/", {"columns": ["name"]}).status_code == 403
    changed = api.patch("objects/account/list-views/big_accounts/", {"columns": ["name", "city"]})
    assert changed.status_code == 200 and changed.json()["columns"] == ["name", "city"]
    assert errors_of(api.patch("objects/account/list-views/big_accounts/", {"shared": False})) == {
        "shared": ["immutable"]}
    assert user_api.delete("objects/account/list-views/big_accounts/").status_code == 403
    assert api.delete("objects/account/list-views/big_accounts/").status_code == 204
    assert user_api.get("objects/account/list-views/big_accounts/").status_code == 404


@pytest.mark.parametrize(("spec", "expected"), [
    ({"columns": ["name", "nope"]}, {"columns.1": ["unknown_field"]}),
    ({"columns": []}, {"columns": ["schema_minItems"]}),
    ({"sort": ["-description"]}, {"sort.0": ["invalid_sort"]}),  # long text cannot sort
    ({"sort": ["nope"]}, {"sort.0": ["invalid_sort"]}),
    ({"filters": {"nope": "x"}}, {"filters.nope": ["unknown_field"]}),
    ({"filters": {"rating__contains": "a"}}, {"filters.rating__contains": ["invalid_operator"]}),
    ({"filters": {"annual_revenue__gte": "lots"}}, {"filters.annual_revenue__gte": ["invalid_number"]}),
])
def test_invalid_list_views_are_refused(api, spec, expected):
    response = api.post("objects/account/list-views/", {**BIG, **spec})
    assert response.status_code == 400 and errors_of(response) == expected


def test_personal_list_views_are_visible_only_to_their_owner(api, user_api, other_user_api, user_a):
    mine = {"api_name": "my_accounts", "labels": labels("Mine"), "columns": ["name", "city"],
            "filters": {"owner": user_a.pk}}
    created = user_api.post("objects/account/list-views/", mine)
    assert created.status_code == 201, created.json()
    assert created.json()["shared"] is False and created.json()["owner"] == user_a.pk
    # an ordinary user may not share a view
    assert user_api.post("objects/account/list-views/", {**mine, "api_name": "for_all", "shared": True}).status_code == 403

    def names(client):
        return {v["api_name"] for v in client.get("objects/account/list-views/").json()}

    assert {"all", "my_accounts"} <= names(user_api)
    assert "my_accounts" not in names(other_user_api) and "all" in names(other_user_api)
    assert "my_accounts" not in names(api)  # administrators do not see others' personal views either
    assert "my_accounts" not in {v["api_name"] for v in api.get("objects/account/").json()["list_views"]}
    assert "my_accounts" in {v["api_name"] for v in user_api.get("objects/account/").json()["list_views"]}
    for client in (other_user_api, api):
        assert client.get("objects/account/list-views/my_accounts/").status_code == 404
        assert client.patch("objects/account/list-views/my_accounts/", {"columns": ["name"]}).status_code == 404
        assert client.delete("objects/account/list-views/my_accounts/").status_code == 404

    # the owner changes and deletes it; a personal view may reuse a shared view's name
    changed = user_api.patch("objects/account/list-views/my_accounts/", {"columns": ["name"]})
    assert changed.status_code == 200 and changed.json()["columns"] == ["name"]
    own_all = user_api.post("objects/account/list-views/", {"api_name": "all", "columns": ["name"]})
    assert own_all.status_code == 201
    assert user_api.get("objects/account/list-views/all/").json()["shared"] is False  # one's own comes first
    assert other_user_api.get("objects/account/list-views/all/").json()["shared"] is True
    assert user_api.delete("objects/account/list-views/all/").status_code == 204
    assert user_api.get("objects/account/list-views/all/").json()["shared"] is True  # the shared one is untouched
    assert user_api.delete("objects/account/list-views/my_accounts/").status_code == 204
    assert "my_accounts" not in names(user_api)


def test_personal_list_views_change_no_tenant_metadata(api, user_api, user_a):
    """Saving one's own list view is a preference, not a metadata change: the tenant's metadata
    version (which every process's cache follows) stays, and nothing enters the change history;
    a shared view is metadata and is versioned as before."""
    from metadata.models import MetadataChange

    version, changes = get_meta().version, MetadataChange.objects.count()
    mine = {"api_name": "my_accounts", "labels": labels("Mine"), "columns": ["name"]}
    assert user_api.post("objects/account/list-views/", mine).status_code == 201
    assert user_api.patch("objects/account/list-views/my_accounts/", {"columns": ["name", "city"]}).status_code == 200
    assert user_api.get("objects/account/list-views/my_accounts/").json()["columns"] == ["name", "city"]
    assert user_api.delete("objects/account/list-views/my_accounts/").status_code == 204
    assert (get_meta().version, MetadataChange.objects.count()) == (version, changes)

    shared = {"api_name": "everyone", "labels": labels("Everyone"), "columns": ["name"], "shared": True}
    assert api.post("objects/account/list-views/", shared).status_code == 201
    assert get_meta().version == version + 1 and MetadataChange.objects.count() == changes + 1
