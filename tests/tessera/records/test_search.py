"""Global search finds a Chinese name by its pinyin and its initials, a phone number in any format,
and never a record the searcher may not read; the keys follow the name through updates and are
filled for records written before they existed."""

from __future__ import annotations

import random

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT

from metadata.cache import get_meta
from tessera.records import indexing, service
from tessera.records.search import search_names, search_records
from tessera.records.search_keys import compact, has_han, name_keys
from tessera.security.access import SYSTEM
from tessera.security.models import Profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(in_tenant_a):
    return get_user_model().objects.create_user("search-rep@alpha.test", None, full_name="Rep",
                                                profile=Profile.objects.get(api_name="salesperson"))


def found(actor, text: str, object_name: str = "contact") -> list[str]:
    return [r.name for group in search_records(actor, text) if group.object.api_name == object_name
            for r in group.records]


def test_name_keys():
    assert name_keys("王建国") == ("wangjianguo", "wjg")
    assert name_keys("重庆 Renewal #12") == ("chongqingrenewal12", "cqrenewal12")
    assert name_keys("Acme Inc") == (None, None)
    assert name_keys(None) == (None, None)


def test_name_keys_converted_run_by_run_equal_the_whole_name_converted_at_once():
    """name_keys converts each run of Chinese characters once (remembered): the keys are those of
    the whole name given to pypinyin, phrases (重庆, 银行, 长城), full-width letters, 〇 and
    characters beyond the basic block included."""
    rng = random.Random(13)
    pool = [chr(c) for c in range(0x4E00, 0xA000, 7)] + list("〇Ａ abc12#、，。·-_ ") + ["重庆", "银行", "长城", "𠀀"]
    names = ["".join(rng.choice(pool) for _ in range(rng.randrange(1, 12))) for _ in range(3000)]
    phrases = rng.sample(sorted(PHRASES_DICT), 3000)  # pypinyin's own phrases, read as phrases
    for name in [*names, *phrases, "重庆银行长城分行 #7", "Ａ公司", "订单 0000123"]:
        expected = (compact("".join(lazy_pinyin(name))) or None,
                    compact("".join(lazy_pinyin(name, style=Style.FIRST_LETTER))) or None) if has_han(name) \
            else (None, None)
        assert name_keys(name) == expected, name


def test_pinyin_initials_and_full_pinyin_find_a_chinese_name(rep):
    service.create_record("contact", {"name": "王建国", "owner": rep.pk}, SYSTEM)
    service.create_record("contact", {"name": "汪洋", "owner": rep.pk}, SYSTEM)
    assert found(rep, "wjg") == ["王建国"]
    assert found(rep, "WJ") == ["王建国"]
    assert found(rep, "wangjianguo") == ["王建国"]
    assert found(rep, "wang jian") == ["王建国"]
    assert sorted(found(rep, "w")) == ["汪洋", "王建国"]
    assert found(rep, "王建") == ["王建国"]
    assert found(rep, "jianguo") == []  # a prefix, not a part
    assert [r.name for r in search_names("contact", rep, "wy", limit=20)] == ["汪洋"]


def test_names_match_without_case(rep):
    service.create_record("account", {"name": "Acme Trading", "owner": rep.pk}, SYSTEM)
    assert found(rep, "acme t", "account") == ["Acme Trading"]
    assert found(rep, "ACME", "account") == ["Acme Trading"]
    assert found(rep, "a%", "account") == []  # LIKE's wildcards are text


def test_a_renamed_record_is_found_by_its_new_name(rep):
    record = service.create_record("contact", {"name": "李雷", "owner": rep.pk}, SYSTEM)
    service.update_record("contact", record.id, {"name": "韩梅梅"}, SYSTEM)
    assert found(rep, "ll") == []
    assert found(rep, "hmm") == ["韩梅梅"]


@pytest.mark.parametrize("typed", ["138 1234 5678", "138-1234-5678", "(138)1234.5678", "13812345678"])
def test_a_phone_number_is_found_in_any_format(rep, typed):
    service.create_record("contact", {"name": "Phone Person", "owner": rep.pk, "mobile": "138-1234 5678"}, SYSTEM)
    assert found(rep, typed) == ["Phone Person"]


def test_phone_fields_have_their_normalised_index(in_tenant_a):
    contact = get_meta().objects["contact"]
    mobile = contact.fields_by_name["mobile"]
    assert indexing.needs_normalized_index(mobile) and indexing.indexes_complete(mobile)


def test_records_the_searcher_may_not_read_are_never_returned(rep, admin_a):
    service.create_record("contact", {"name": "王建国", "owner": admin_a.pk, "mobile": "13900001111"}, SYSTEM)
    service.create_record("contact", {"name": "王建刚", "owner": rep.pk}, SYSTEM)
    assert found(rep, "wjg") == ["王建刚"]
    assert found(rep, "13900001111") == []
    assert [r.name for r in search_names("contact", rep, "wj", limit=20)] == ["王建刚"]
    assert sorted(found(admin_a, "wjg")) == ["王建刚", "王建国"]


def test_a_hidden_phone_field_finds_nothing(rep, admin_a):
    from tessera.security.services import create_spec

    spec = dict(Profile.objects.get(api_name="salesperson").spec)
    spec["objects"] = {"contact": {"fields": {"mobile": "hidden"}}}
    create_spec("profile", {"api_name": "no_mobile", "spec": spec}, admin_a)
    rep.profile = Profile.objects.get(api_name="no_mobile")
    rep.save()
    service.create_record("contact", {"name": "Hidden Mobile", "owner": rep.pk, "mobile": "13700001111"}, SYSTEM)
    assert found(rep, "13700001111") == []


def test_records_written_before_the_keys_get_them(rep):
    record = service.create_record("contact", {"name": "张三丰", "owner": rep.pk}, SYSTEM)
    obj = get_meta().objects["contact"]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {obj.table} SET name_pinyin = NULL, name_initials = NULL WHERE id = %s", [record.id])
    assert found(rep, "zsf") == []
    indexing.ensure_search_keys(obj.id)
    assert found(rep, "zsf") == ["张三丰"]


def test_a_list_search_box_finds_by_pinyin_too(rep, in_tenant_a):
    from django.test import Client

    from tests.helpers.tenants import host_of

    service.create_record("contact", {"name": "王建国", "owner": rep.pk}, SYSTEM)
    service.create_record("contact", {"name": "Wang Lei", "owner": rep.pk}, SYSTEM)
    assert [r.name for r in service.list_records("contact", rep, name_prefix="wjg").records] == ["王建国"]
    assert sorted(r.name for r in service.list_records("contact", rep, name_prefix="wang").records) == \
        ["Wang Lei", "王建国"]
    client = Client(HTTP_HOST=host_of(in_tenant_a))
    client.force_login(rep)
    body = client.get("/app/contact/?q=wjg").content.decode()
    assert "王建国" in body and "Wang Lei" not in body
