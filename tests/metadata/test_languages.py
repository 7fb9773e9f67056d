"""Adding a UI language is adding its .po file and a line in LANGUAGES. A language whose catalogue is
still empty falls back cleanly to the default language (LANGUAGE_CODE, zh-hans): UI strings and
built-in labels as Django's gettext does, tenant labels likewise; the label schema accepts the new
language; nothing errors."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext_lazy

from metadata.labels import in_every_language
from metadata.meta import pick_label
from tests.helpers.locale import write_catalogue
from tests.helpers.metadata_api import errors_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def german(tmp_path, settings):
    """German added as a third UI language, with an empty catalogue."""
    write_catalogue(tmp_path, "de")
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    settings.LANGUAGES = [*settings.LANGUAGES, ("de", "Deutsch")]
    return "de"


def test_built_in_labels_are_served_in_every_language_the_new_one_as_the_default(german, api):
    served = {t["key"]: t["labels"] for t in api.get("field-types/", HTTP_ACCEPT_LANGUAGE="de").json()}

    assert served["text"] == {"zh-hans": "文本", "en": "Text", "de": "文本"}
    assert served["multi_picklist"]["de"] == "多选列表"
    assert in_every_language(gettext_lazy("Log in")) == {"zh-hans": "登录", "en": "Log in", "de": "登录"}


def test_a_translated_message_of_the_new_language_is_used(tmp_path, settings):
    write_catalogue(tmp_path, "de", {"Log in": "Anmelden"})
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    settings.LANGUAGES = [*settings.LANGUAGES, ("de", "Deutsch")]

    assert in_every_language(gettext_lazy("Log in")) == {"zh-hans": "登录", "en": "Log in", "de": "Anmelden"}


def test_the_label_schema_is_built_from_languages(german, api):
    common = api.get("schemas/common/").json()
    assert set(common["$defs"]["labels"]["properties"]) == {"zh-hans", "en", "de"}

    created = api.post("objects/", {"api_name": "gadget", "labels": {"de": {"singular": "Gerät"},
                                                                     "en": {"singular": "Gadget"}}})
    assert created.status_code == 201, created.json()
    refused = api.post("objects/", {"api_name": "widget", "labels": {"fr": {"singular": "Machin"}}})
    assert refused.status_code == 400 and "labels" in errors_of(refused)


def test_tenant_labels_fall_back_to_the_default_language_then_any(german):
    assert pick_label({"zh-hans": "客户", "en": "Account", "de": "Konto"}, "de") == "Konto"
    assert pick_label({"zh-hans": "客户", "en": "Account"}, "de") == "客户"
    assert pick_label({"en": "Account"}, "de") == "Account"


def test_pages_and_the_records_api_answer_in_the_new_language(german, api, client_a):
    api.post("objects/", {"api_name": "gadget", "labels": {"de": {"singular": "Gerät"}, "en": {"singular": "Gadget"}}})
    form = client_a.get("/api/v1/records/gadget/form/", HTTP_ACCEPT_LANGUAGE="de")
    assert form.status_code == 200, form.json()
    assert form["Content-Language"] == "de"
    body = form.json()
    assert body["object"]["label"] == "Gerät"
    assert body["language"] == "de" and body["sections"][0]["label"] == "基本信息"
    labels = {item["api_name"]: item["label"] for section in body["sections"] for item in section["fields"]}
    assert labels["owner"] == "所有者"  # a built-in label, stored in every language when the object was made
    assert labels["name"] == "名称"

    client_a.logout()
    page = client_a.get("/login/", HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 200 and page["Content-Language"] == "de"
    assert "<h1>登录</h1>" in page.content.decode()
