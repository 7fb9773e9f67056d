"""What the setup designers rely on from the metadata services: names from labels, one label per
language per object, a field checked without saving, where a field or object is used, deleting a
custom object."""

from __future__ import annotations

import pytest

from metadata.services import add_field, check_field, create_object, delete_object
from metadata.services.naming import key_from_label, name_from_labels, slug_from
from metadata.services.usage import field_usage, object_usage
from tessera.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_names_come_from_labels_in_pinyin_or_english():
    assert slug_from("信用度等级") == "xin_yong_du_deng_ji"
    assert name_from_labels({"zh-hans": "信用度等级"}, set()) == "xin_yong_du_deng_ji"
    assert name_from_labels({"zh-hans": "项目", "en": "Project"}, {"project"}) == "project_2"
    assert name_from_labels({"zh-hans": "2024 目标"}, set()) == "field_2024_mu_biao"
    assert name_from_labels({"en": "!!"}, set()) == "field"
    assert key_from_label({"zh-hans": "广东省"}, {"guang_dong_sheng"}) == "guang_dong_sheng_2"


def test_two_fields_may_not_share_a_label_in_one_language(make_object, admin_a):
    make_object("gadget", fields=[{"api_name": "grade", "type": "text", "labels": {"zh-hans": "等级", "en": "Grade"}}])
    with pytest.raises(ValidationFailed) as caught:
        add_field("gadget", {"api_name": "grade2", "type": "text", "labels": {"zh-hans": " 等级 ", "en": "Other"}},
                  admin_a)
    assert "labels.zh-hans" in caught.value.field_errors
    add_field("gadget", {"api_name": "grade3", "type": "text", "labels": {"zh-hans": "等级二", "en": "Grade 2"}}, admin_a)


def test_a_field_is_checked_without_being_saved(make_object, admin_a):
    obj = make_object("gadget")
    compiled, errors = check_field("gadget", {"api_name": "code", "type": "auto_number", "labels": {"en": "Code"},
                                              "options": {"format": "G-{0000}"}}, admin_a)
    assert compiled is not None and not errors
    _compiled, errors = check_field("gadget", {"api_name": "code", "type": "auto_number", "labels": {"en": "Code"},
                                               "options": {"format": "G-{YYYY}"}}, admin_a)
    assert errors.has("options")
    from metadata.cache import get_meta

    assert get_meta().objects["gadget"].field("code") is None and obj.field("code") is None


def test_usage_lists_what_blocks_and_what_a_delete_takes_the_field_off(make_object, admin_a):
    make_object("gadget", fields=[{"api_name": "price", "type": "number"},
                                  {"api_name": "double", "type": "formula",
                                   "options": {"formula": "price * 2", "result_type": "number"}}])
    usage = field_usage("gadget", "price", admin_a, language="en")
    assert any("double" in where for where in usage.blocking)
    assert any("Default edit" in where for where in usage.removed_from)


def test_deleting_a_custom_object_needs_its_name_and_no_lookup_to_it(make_object, admin_a, in_tenant_a):
    from django.db import connection

    from metadata.cache import get_meta

    make_object("gadget", labels={"en": {"singular": "Gadget"}})
    make_object("part", fields=[{"api_name": "gadget", "type": "lookup", "options": {"target": "gadget"}}])
    assert object_usage("gadget", admin_a, language="en").blocking
    with pytest.raises(ValidationFailed) as caught:
        delete_object("gadget", admin_a, confirm_name="Gadget")
    assert caught.value.non_field_errors
    delete_object("part", admin_a, confirm_name="Part")
    with pytest.raises(ValidationFailed) as caught:
        delete_object("gadget", admin_a, confirm_name="gizmo")
    assert "confirm_name" in caught.value.field_errors
    gadget_id = get_meta().objects["gadget"].id
    delete_object("gadget", admin_a, confirm_name="Gadget")
    assert "gadget" not in get_meta().objects
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"record_o{gadget_id}"])
        assert cursor.fetchone()[0] is not None  # kept for a restore (tests/metadata/test_object_restore.py)
    with pytest.raises(ValidationFailed):
        delete_object("account", admin_a, confirm_name="account")
    create_object({"api_name": "gadget", "labels": {"en": {"singular": "Gadget again"}}}, admin_a)


def test_fiscal_periods_follow_the_organisations_fiscal_year(in_tenant_a):
    import datetime as dt

    from metadata.fieldtypes.dates import relative_period

    day = dt.date(2026, 2, 10)
    assert relative_period("this_fiscal_year", day) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    in_tenant_a.fiscal_year_start_month = 4
    assert relative_period("this_fiscal_year", day) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert relative_period("this_fiscal_quarter", day) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert relative_period("next_fiscal_quarter", day) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert relative_period("last_fiscal_year", day) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    assert relative_period("this_quarter", day) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))  # calendar
