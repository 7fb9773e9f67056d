"""The object and field designers over their services: create an object from labels only, add
fields of several kinds with their options, see the preview and the errors in place, delete."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.helpers.tenants import host_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(in_tenant_a, admin_a):
    client = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_a)
    return client


def _meta():
    from metadata.cache import get_meta

    return get_meta()


def test_an_object_is_created_from_its_labels_with_an_auto_number_name(admin_client):
    page = admin_client.post("/setup/objects/new/", {
        "labels.zh-hans.singular": "项目", "labels.zh-hans.plural": "项目", "labels.en.singular": "Project",
        "labels.en.plural": "Projects", "sharing_model": "public_read_write", "in_navigation": "on",
        "in_search": "on", "name_type": "auto_number", "name_format": "PRJ-{YYYY}-{0000}", "name_start": "1",
        "name_labels.zh-hans": "项目编号", "name_labels.en": "Project number", "color": "#0e9384"})
    assert page.status_code == 302, page.content.decode()[:2000]
    assert page["Location"] == "/setup/objects/project/fields/"
    project = _meta().objects["project"]
    name = project.field(project.name_field)
    assert name.options["format"] == "PRJ-{YYYY}-{0000}" and name.label("zh-hans") == "项目编号"
    assert admin_client.get("/setup/objects/").status_code == 200
    assert admin_client.get("/setup/objects/project/").status_code == 200


def test_object_errors_are_shown_in_place(admin_client):
    page = admin_client.post("/setup/objects/new/", {"labels.zh-hans.singular": "", "sharing_model": "private",
                                                     "name_type": "text"})
    assert page.status_code == 400
    assert 'class="labels-grid has-error"' in page.content.decode()
    page = admin_client.post("/setup/objects/new/", {"labels.zh-hans.singular": "仪器", "sharing_model": "private",
                                                     "name_type": "auto_number", "name_format": "NO-COUNTER"})
    assert page.status_code == 400
    assert "exactly one counter" in page.content.decode()
    assert 'value="仪器"' in page.content.decode()


def test_a_picklist_is_added_with_keys_made_from_its_labels(admin_client, make_object):
    make_object("gadget")
    data = {"type": "picklist", "labels.zh-hans": "信用度等级", "labels.en": "Credit grade",
            "values.uid": ["a", "b"], "values.key": ["", ""], "values.label.zh-hans": ["甲等", "乙等"],
            "values.label.en": ["Grade A", ""], "values.color": ["#22aa55", ""], "values.active": ["a", "b"]}
    preview = admin_client.post("/setup/objects/gadget/fields/new/?preview=1&type=picklist", data)
    assert preview.status_code == 200 and "Grade A" in preview.content.decode()
    saved = admin_client.post("/setup/objects/gadget/fields/new/?type=picklist", data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    field = _meta().objects["gadget"].field("credit_grade")
    assert [v["key"] for v in field.options["values"]] == ["grade_a", "yi_deng"]
    assert admin_client.get("/setup/objects/gadget/fields/credit_grade/").status_code == 200


def test_a_label_two_fields_share_is_refused_next_to_the_label(admin_client, make_object):
    make_object("gadget", fields=[{"api_name": "grade", "type": "text", "labels": {"zh-hans": "等级", "en": "Grade"}}])
    page = admin_client.post("/setup/objects/gadget/fields/new/?type=text",
                             {"type": "text", "labels.zh-hans": "等级", "labels.en": "Level"})
    assert page.status_code == 400
    assert "has this label already" in page.content.decode()


def test_formula_check_answers_with_the_error_position(admin_client, make_object):
    make_object("gadget", fields=[{"api_name": "price", "type": "number"}])
    ok = admin_client.post("/setup/formulas/check/", {"object": "gadget", "formula": "price * 2"}).json()
    assert ok == {"ok": True, "type": "Number"}
    bad = admin_client.post("/setup/formulas/check/", {"object": "gadget", "formula": "price *\n nope"}).json()
    assert bad["ok"] is False and bad["line"] == 2 and bad["column"] == 2
    catalogue = admin_client.get("/setup/formulas/catalogue/?object=gadget&path=").json()
    assert any(f["name"] == "price" for f in catalogue["fields"])
    assert any(f["name"] == "IF" for f in catalogue["functions"])


def test_a_cascade_is_pasted_and_shown_as_a_matrix(admin_client, make_object):
    make_object("gadget", fields=[{"api_name": "province", "type": "picklist", "labels": {"en": "Province"},
                                   "options": {"values": [{"key": "gd", "labels": {"en": "Guangdong"}},
                                                          {"key": "js", "labels": {"en": "Jiangsu"}}]}}])
    data = {"type": "picklist", "labels.en": "City", "options.controlling_field": "province",
            "dependency.paste": "Guangdong\tShenzhen\nGuangdong\tGuangzhou\nJiangsu\tSuzhou"}
    saved = admin_client.post("/setup/objects/gadget/fields/new/?type=picklist", data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    city = _meta().objects["gadget"].field("city")
    assert {k: sorted(v) for k, v in city.options["dependency"].items()} == {
        "gd": ["guangzhou", "shenzhen"], "js": ["suzhou"]}
    page = admin_client.get("/setup/objects/gadget/fields/city/").content.decode()
    assert 'name="dependency.gd" value="shenzhen" data-column="shenzhen" checked' in page


def test_deleting_a_field_lists_what_uses_it(admin_client, make_object):
    make_object("gadget", fields=[{"api_name": "price", "type": "number"},
                                  {"api_name": "double", "type": "formula", "labels": {"en": "Double"},
                                   "options": {"formula": "price * 2", "result_type": "number"}}])
    page = admin_client.get("/setup/objects/gadget/fields/price/delete/").content.decode()
    assert "double" in page and "disabled" in page
    assert admin_client.post("/setup/objects/gadget/fields/double/delete/").status_code == 302
    assert _meta().objects["gadget"].field("double") is None


def test_setup_home_finds_a_field_by_its_chinese_label_or_its_pinyin(admin_client, make_object):
    make_object("gadget", fields=[{"api_name": "credit", "type": "text", "labels": {"zh-hans": "信用度等级", "en": "Credit"}}])
    for query in ("信用度", "xyddj", "credit"):
        page = admin_client.get("/setup/", {"q": query}).content.decode()
        assert 'href="/setup/objects/gadget/fields/credit/"' in page, query
    partial = admin_client.get("/setup/", {"q": "信用度"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and ">Credit<" in partial
    assert "Recent changes" in admin_client.get("/setup/").content.decode()


def test_a_type_change_shows_the_dry_run_before_it_is_confirmed(admin_client, make_object, admin_a):
    from tessera.records import service

    make_object("gadget", fields=[{"api_name": "code", "type": "text", "labels": {"en": "Code"}}])
    service.create_record("gadget", {"name": "A", "code": "12"}, admin_a)
    service.create_record("gadget", {"name": "B", "code": "twelve"}, admin_a)
    url = "/setup/objects/gadget/fields/code/type/"
    page = admin_client.post(url, {"new_type": "number"}).content.decode()
    assert "1 of 2 values convert" in page and "twelve" in page
    assert _meta().objects["gadget"].field("code").type.key == "text"


def test_field_level_security_is_set_for_every_profile_at_once(admin_client, make_object):
    from tessera.security.models import Profile

    make_object("gadget", fields=[{"api_name": "cost", "type": "number", "labels": {"en": "Cost"}}])
    url = "/setup/objects/gadget/fields/cost/security/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"level.salesperson": "hidden", "level.read_only": "read_only",
                                   "level.administrator": "hidden"}).status_code == 302
    assert Profile.objects.get(api_name="salesperson").spec["objects"]["gadget"]["fields"] == {"cost": "hidden"}
    assert "gadget" not in (Profile.objects.get(api_name="administrator").spec.get("objects") or {})


def test_validation_and_duplicate_rules_are_added_switched_off_and_deleted(admin_client, make_object):
    make_object("gadget", fields=[{"api_name": "price", "type": "number", "labels": {"en": "Price"}},
                                  {"api_name": "code", "type": "text", "labels": {"en": "Code"}}])
    url = "/setup/objects/gadget/rules/"
    assert admin_client.post(url, {"kind": "validation", "formula": "price < 0", "message.en": "No negative price",
                                   "field": "price"}).status_code == 302
    assert admin_client.post(url, {"kind": "duplicate", "labels.en": "Same code", "fields": ["code"],
                                   "on_match": "block"}).status_code == 302
    spec = _meta().objects["gadget"].spec
    assert spec["validation_rules"][0]["api_name"] == "no_negative_price"
    assert spec["duplicate_rules"][0]["fields"] == ("code",)
    bad = admin_client.post(url, {"kind": "validation", "formula": "price <", "message.en": "Broken"})
    assert bad.status_code == 400
    admin_client.post(url, {"kind": "validation", "rule": "no_negative_price", "action": "toggle"})
    assert _meta().objects["gadget"].spec["validation_rules"][0]["active"] is False
    admin_client.post(url, {"kind": "duplicate", "rule": "same_code", "action": "delete"})
    assert not _meta().objects["gadget"].spec.get("duplicate_rules")
    assert "No negative price" in admin_client.get(url).content.decode()


def test_the_china_preset_adds_a_three_level_cascade_with_official_codes(admin_client, make_object):
    make_object("gadget")
    assert admin_client.post("/setup/objects/gadget/fields/presets/china-divisions/").status_code == 302
    obj = _meta().objects["gadget"]
    province, city, district = obj.field("province"), obj.field("city"), obj.field("district")
    assert len(province.options["values"]) == 31 and len(district.options["values"]) > 3000
    assert "4403" in city.options["dependency"]["44"]  # 广东省 → 深圳市
    assert "440305" in district.options["dependency"]["4403"]  # 深圳市 → 南山区
    page = admin_client.get("/setup/objects/gadget/fields/district/")
    assert page.status_code == 200 and len(page.content) < 1_500_000
    resave = admin_client.post("/setup/objects/gadget/fields/district/", {
        "type": "picklist", "labels.zh-hans": "区县", "labels.en": "District", "options.controlling_field": "city",
        "values.json": page.context["options"][0]["json"], "dependency.json": page.context["options"][2]["json"]})
    assert resave.status_code == 302, resave.content.decode()[:2000]
    assert len(_meta().objects["gadget"].field("district").options["values"]) > 3000


def test_deleting_a_field_names_the_reports_that_use_it(admin_client, make_object, admin_a):
    from reports_engine import services as reports

    make_object("gadget", fields=[{"api_name": "price", "type": "number", "labels": {"en": "Price"}},
                                  {"api_name": "kind", "type": "text", "labels": {"en": "Kind"}}])
    reports.create_report({"api_name": "by_kind", "object": "gadget", "shape": "summary", "labels": {"en": "By kind"},
                           "groups": [{"field": "kind"}],
                           "aggregates": [{"key": "total", "function": "sum", "of": "price"}]}, admin_a)
    page = admin_client.get("/setup/objects/gadget/fields/price/delete/").content.decode()
    assert "by_kind" in page and "missing column" in page


def test_a_deleted_object_is_restored_from_the_history_page(admin_client, make_object, admin_a, settings):
    from metadata.models import MetadataChange
    from tessera.records import service

    settings.TESSERA_DELETED_OBJECT_DAYS = 14
    make_object("gadget", fields=[{"api_name": "code", "type": "text"}])
    service.create_record("gadget", {"name": "G1", "code": "A-1"}, admin_a)
    confirm = admin_client.get("/setup/objects/gadget/delete/").content.decode()
    assert "kept 14 days" in confirm and "Revert this change" in confirm
    response = admin_client.post("/setup/objects/gadget/delete/", {"confirm_name": "Gadget"})
    assert response.status_code == 302
    assert "restored from the history for 14 days" in admin_client.get(response["Location"]).content.decode()
    deletion = MetadataChange.objects.order_by("-id").first()

    page = admin_client.get("/setup/history/?entity=object").content.decode()
    assert f"/setup/history/{deletion.pk}/revert/" in page
    assert "fields (1), layouts (2), categories (0), list views (1) and records (1)" in page
    assert admin_client.post(f"/setup/history/{deletion.pk}/revert/").status_code == 302

    assert _meta().objects["gadget"].fields_by_name["code"]
    page = admin_client.get("/setup/history/?entity=object").content.decode()
    assert f"/setup/history/{deletion.pk}/revert/" not in page and "Reverts change #" in page
    assert admin_client.get("/app/gadget/").status_code == 200
