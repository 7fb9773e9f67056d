"""The people-and-rights pages and the object designers of /setup/ (layouts, categories, list
views, custom links, history): each a form over its service, errors in place, nothing typed lost."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from metadata.cache import get_meta
from tests.helpers.tenants import host_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(in_tenant_a, admin_a):
    client = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_a)
    return client


@pytest.fixture
def staff(in_tenant_a):
    from django.contrib.auth import get_user_model

    from tessera.security.models import Profile

    User = get_user_model()
    sales = Profile.objects.get(api_name="salesperson")
    return {"rep": User.objects.create_user("leaving@alpha.test", None, full_name="Leaving Rep", profile=sales),
            "heir": User.objects.create_user("heir@alpha.test", None, full_name="Heir Rep", profile=sales)}


def test_every_people_page_opens_in_both_languages(admin_client, staff):
    pages = ["/setup/users/", f"/setup/users/{staff['rep'].pk}/", f"/setup/users/{staff['rep'].pk}/deactivate/",
             "/setup/departments/", "/setup/roles/", "/setup/profiles/", "/setup/profiles/profile/salesperson/",
             "/setup/sharing/", "/setup/audit-log/", "/setup/history/", "/setup/objects/account/layouts/",
             "/setup/objects/account/layouts/default_edit/", "/setup/objects/account/layouts/default_view/",
             "/setup/objects/account/categories/", "/setup/objects/account/list-views/",
             "/setup/objects/account/list-views/new/", "/setup/objects/account/links/"]
    for language in ("en", "zh-hans"):
        for url in pages:
            response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (url, language)


def test_a_salesperson_opens_none_of_them(in_tenant_a, staff):
    client = Client(HTTP_HOST=host_of(in_tenant_a))
    client.force_login(staff["rep"])
    for url in ("/setup/users/", "/setup/history/", "/setup/objects/account/layouts/default_edit/"):
        assert client.get(url).status_code == 403


def test_people_pages_need_the_manage_users_right_and_answer_404_for_what_is_not_there(admin_client, in_tenant_a,
                                                                                      staff):
    from tessera.security.models import Profile

    assert admin_client.get("/setup/users/999999/").status_code == 404
    assert admin_client.get("/setup/users/999999/deactivate/").status_code == 404
    assert admin_client.get("/setup/profiles/profile/nope/").status_code == 404
    customiser = Profile.objects.create(api_name="customiser", spec={"admin": {"customize": True}})
    staff["rep"].profile = customiser
    staff["rep"].save()
    client = Client(HTTP_HOST=host_of(in_tenant_a))
    client.force_login(staff["rep"])
    assert client.get("/setup/objects/account/layouts/").status_code == 200
    for url in ("/setup/users/", "/setup/departments/", "/setup/profiles/", "/setup/sharing/"):
        assert client.get(url).status_code == 403


def test_invite_keeps_what_was_typed_on_an_error(admin_client, staff):
    response = admin_client.post("/setup/users/", {"email": "not-an-address", "full_name": "Zhang San",
                                                   "profile": "salesperson"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address." in page and 'value="Zhang San"' in page
    done = admin_client.post("/setup/users/", {"email": "zhang@alpha.test", "full_name": "Zhang San",
                                               "profile": "salesperson"})
    assert done.status_code == 302
    assert "zhang@alpha.test" in admin_client.get("/setup/users/").content.decode()


def test_the_deactivation_wizard_moves_what_it_showed(admin_client, staff):
    from tessera.records import service
    from tessera.security.access import SYSTEM

    rep, heir = staff["rep"], staff["heir"]
    account = service.create_record("account", {"name": "Leaving Co", "owner": rep.pk}, SYSTEM)
    service.create_record("contact", {"name": "Li Si", "account": account.id, "owner": rep.pk}, SYSTEM)
    wizard = admin_client.get(f"/setup/users/{rep.pk}/deactivate/").content.decode()
    assert 'name="count_account" value="1"' in wizard and 'name="count_contact" value="1"' in wizard
    missing = admin_client.post(f"/setup/users/{rep.pk}/deactivate/", {"confirm": "1", "count_account": "1",
                                                                        "count_contact": "1"})
    assert missing.status_code == 400 and "Choose who receives" in missing.content.decode()
    stale = admin_client.post(f"/setup/users/{rep.pk}/deactivate/", {"confirm": "1", "transfer_to": heir.pk,
                                                                      "count_account": "2", "count_contact": "1"})
    assert stale.status_code == 400 and service.get_record("account", account.id, SYSTEM).owner_id == rep.pk
    done = admin_client.post(f"/setup/users/{rep.pk}/deactivate/", {"confirm": "1", "transfer_to": heir.pk,
                                                                     "count_account": "1", "count_contact": "1"})
    assert done.status_code == 302
    assert service.get_record("account", account.id, SYSTEM).owner_id == heir.pk
    rep.refresh_from_db()
    assert not rep.is_active


def test_the_layout_designer_moves_fields_with_buttons_and_saves_through_the_service(admin_client, make_object):
    make_object("gadget", fields=[{"api_name": "code", "type": "text", "required": True},
                                  {"api_name": "colour", "type": "text"}])
    url = "/setup/objects/gadget/layouts/default_edit/"
    form = {"label_en": "Default edit", "section": ["0"], "s0_columns": "2", "s0_label_en": "Details",
            "s0_item": ["name", "owner", "code", "colour"]}
    up = admin_client.post(url, {**form, "op": "up:colour"})
    assert up.status_code == 200
    page = up.content.decode()
    assert page.index('value="colour" data-item') < page.index('value="code" data-item')  # moved, not saved
    assert [i.field for i in get_meta().objects["gadget"].layouts["default_edit"].sections[0].items][-1] == "colour"
    section = admin_client.post(url, {**form, "op": "add_section"}).content.decode()
    assert 'name="section" value="1"' in section

    without_required = admin_client.post(url, {**form, "s0_item": ["name", "owner", "colour"], "op": "save"})
    assert without_required.status_code == 400 and "must stay on the edit layout" in without_required.content.decode()
    saved = admin_client.post(url, {**form, "section": ["0", "1"], "s0_item": ["name", "code"], "s1_columns": "3",
                                    "s1_label_en": "More", "s1_item": ["colour"], "op": "save"})
    assert saved.status_code == 302
    layout = get_meta().objects["gadget"].layouts["default_edit"]
    assert [[i.field for i in s.items] for s in layout.sections] == [["name", "code"], ["colour"]]
    assert layout.sections[1].columns == 3


def test_view_layouts_take_related_lists_compact_fields_and_a_preview(admin_client):
    url = "/setup/objects/account/layouts/default_view/"
    page = admin_client.get(url).content.decode()
    assert "contact.account" in page  # offered as a related list
    layout = get_meta().objects["account"].layouts["default_view"]
    form = {"label_en": "Account", "section": [str(k) for k in range(len(layout.sections))], "compact": ["phone"],
            "rl": ["0"], "rl0_relation": "contact.account", "rl0_columns": ["name", "email"]}
    for k, section in enumerate(layout.sections):
        form[f"s{k}_columns"] = str(section.columns)
        form[f"s{k}_item"] = [i.field for i in section.items]
    preview = admin_client.post(url, {**form, "op": "preview", "preview_profile": "salesperson"}).content.decode()
    assert 'id="layout-preview"' in preview
    saved = admin_client.post(url, {**form, "op": "save"})
    assert saved.status_code == 302, saved.content.decode().split('id="designer-errors"')[-1][:600]
    layout = get_meta().objects["account"].layouts["default_view"]
    assert layout.compact_fields == ("phone",)
    assert [(r.object, r.field, r.columns) for r in layout.related_lists] == [("contact", "account", ("name", "email"))]


def test_categories_with_their_own_layouts(admin_client):
    created = admin_client.post("/setup/objects/account/layouts/", {"label_en": "VIP form", "kind": "edit"})
    assert created.status_code == 302
    vip_layout = next(la for la in get_meta().objects["account"].layouts.values() if la.labels.get("en") == "VIP form")
    made = admin_client.post("/setup/objects/account/categories/", {"label_en": "VIP", "label_zh-hans": "贵宾"})
    assert made.status_code == 302
    category = next(c for c in get_meta().objects["account"].categories.values() if c.labels.get("en") == "VIP")
    saved = admin_client.post(made["Location"], {"label_en": "VIP", "label_zh-hans": "贵宾", "active": "on",
                                                 "edit_layout": vip_layout.api_name, "required": ["phone"]})
    assert saved.status_code == 302
    category = get_meta().objects["account"].categories[category.api_name]
    assert category.edit_layout == vip_layout.api_name and category.required_fields == {"phone"}


def test_a_shared_list_view_with_a_filter_from_the_builder(admin_client):
    url = "/setup/objects/account/list-views/new/"
    form = {"label_en": "Big accounts", "columns": ["name", "phone"], "sort_field": "name", "sort_dir": ""}
    added = admin_client.post(url, {**form, "op": "add_filter", "fb_field": "owner", "fb_op": "in", "fb_value": "me"})
    assert added.status_code == 200 and 'name="filter_key" value="owner__in"' in added.content.decode()
    saved = admin_client.post(url, {**form, "filter_key": "owner__in", "filter_owner__in": "me", "op": "save"})
    assert saved.status_code == 302
    view = next(v for v in get_meta().objects["account"].list_views if v.labels.get("en") == "Big accounts")
    assert view.columns == ("name", "phone") and dict(view.filters) == {"owner__in": "me"} and view.owner_id is None


def test_history_reverts_a_change_from_the_page(admin_client, admin_a):
    from metadata.models import MetadataChange
    from metadata.services import update_field

    update_field("account", "phone", {"labels": {"en": "Switchboard"}}, admin_a)
    change = MetadataChange.objects.order_by("-id").first()
    page = admin_client.get("/setup/history/?object=account").content.decode()
    assert "Switchboard" in page and f"/setup/history/{change.pk}/revert/" in page
    assert admin_client.post(f"/setup/history/{change.pk}/revert/").status_code == 302
    assert get_meta().objects["account"].fields_by_name["phone"].label("en") != "Switchboard"
    assert MetadataChange.objects.order_by("-id").first().reverts == change.pk


def test_departments_roles_profiles_and_sharing_rules(admin_client):
    from tessera.security.models import Department, Profile, SharingRule

    assert admin_client.post("/setup/departments/", {"action": "create", "name": "Sales"}).status_code == 302
    sales = Department.objects.get(name="Sales")
    assert admin_client.post("/setup/departments/", {"action": "create", "name": "East", "parent": sales.pk}).status_code == 302
    east = Department.objects.get(name="East")
    cycle = admin_client.post("/setup/departments/", {"action": "move", "node": sales.pk, "parent": east.pk})
    assert cycle.status_code == 400
    assert admin_client.post("/setup/departments/", {"action": "move", "node": east.pk, "parent": ""}).status_code == 302
    assert Department.objects.get(pk=east.pk).parent_id is None

    matrix = admin_client.post("/setup/profiles/profile/salesperson/?object=account", {
        "object": "account", "account__read": "on", "account__create": "on", "level_phone": "read_only"})
    assert matrix.status_code == 302
    spec = Profile.objects.get(api_name="salesperson").spec
    assert spec["objects"]["account"]["create"] and not spec["objects"]["account"]["delete"]
    assert spec["objects"]["account"]["fields"] == {"phone": "read_only"}

    rule = admin_client.post("/setup/sharing/", {"object": "account", "name": "East sees IT", "target": f"department:{east.pk}",
                                                 "access": "read", "filter_key": ["industry"], "filter_0": "it", "op": "save"})
    assert rule.status_code == 302
    assert SharingRule.objects.get(name="East sees IT").filters == [["industry", "it"]]
    assert "East sees IT" in admin_client.get("/setup/sharing/").content.decode()
    assert admin_client.get("/setup/audit-log/?action=sharing_rule.*").content.decode().count("sharing_rule.create") == 1


def _radios(page: str, field: str) -> dict[str, str]:
    """value → the rest of the tag, of the field-level radios of one field."""
    return {m.group(1): m.group(2) for m in re.finditer(
        rf'<input type="radio" name="level_{field}" value="([a-z_]*)"([^>]*)>', page)}


def test_the_field_levels_show_what_each_profile_and_permission_set_grants(admin_client, admin_a):
    """Each field's row: a profile's three levels (its level checked, editable when unset), a
    permission set's "not granted" first, the administrator's disabled; labelled by field and level."""
    from tessera.security.services import create_spec

    assert admin_client.post("/setup/profiles/profile/salesperson/?object=account", {
        "object": "account", "account__read": "on", "level_phone": "read_only"}).status_code == 302
    page = admin_client.get("/setup/profiles/profile/salesperson/?object=account").content.decode()
    phone, name = _radios(page, "phone"), _radios(page, "name")
    assert list(phone) == ["hidden", "read_only", "editable"]
    assert [v for v, rest in phone.items() if " checked" in rest] == ["read_only"]
    assert [v for v, rest in name.items() if " checked" in rest] == ["editable"]
    assert 'aria-label="Phone: Read-only"' in phone["read_only"] and "disabled" not in phone["read_only"]
    assert "Fields of Account" in page  # in the page's language

    create_spec("permission_set", {"api_name": "phones", "spec": {"objects": {"account": {
        "read": True, "fields": {"phone": "hidden"}}}}}, admin_a)
    page = admin_client.get("/setup/profiles/permission_set/phones/?object=account").content.decode()
    phone, name = _radios(page, "phone"), _radios(page, "name")
    assert list(phone) == ["", "hidden", "read_only", "editable"]
    assert [v for v, rest in phone.items() if " checked" in rest] == ["hidden"]
    assert [v for v, rest in name.items() if " checked" in rest] == [""]  # not granted
    assert 'aria-label="Phone: —"' in phone[""]

    page = admin_client.get("/setup/profiles/profile/administrator/?object=account").content.decode()
    assert all(rest.endswith(" disabled") for rest in _radios(page, "phone").values())
