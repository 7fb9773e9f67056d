"""Custom links: placeholders filled URL-encoded, only safe schemes, checked when saved."""

import pytest

from metadata import custom_links
from tessera.errors import ValidationFailed


def test_values_are_url_encoded_where_they_are_put():
    values = {"city": "深圳 南山", "q": "a&b=c#d"}
    url = custom_links.fill("https://map.example.com/?city={city}&q={q}", values.get)
    assert url == "https://map.example.com/?city=%E6%B7%B1%E5%9C%B3%20%E5%8D%97%E5%B1%B1&q=a%26b%3Dc%23d"


@pytest.mark.parametrize("template", ["javascript:alert(1)//{name}", "{name}", "data:text/html,{name}",
                                      "JaVaScRiPt:{name}", "//evil.example/{name}", "vbscript:{name}"])
def test_unsafe_templates_never_give_a_link(template):
    assert custom_links.fill(template, lambda name: "x") is None


def test_a_missing_value_gives_no_link():
    assert custom_links.fill("tel:{mobile}", lambda name: None) is None
    assert custom_links.fill("tel:{mobile}", {"mobile": "13800138000"}.get) == "tel:13800138000"


@pytest.mark.django_db
def test_the_object_refuses_unknown_fields_and_unsafe_schemes(in_tenant_a, admin_a):
    from metadata.services import update_object

    with pytest.raises(ValidationFailed) as caught:
        update_object("account", {"custom_links": [
            {"api_name": "map", "labels": {"en": "Map"}, "template": "https://map.example.com/?q={nope}"},
            {"api_name": "bad", "labels": {"en": "Bad"}, "template": "javascript:alert({name})"}]}, admin_a)
    errors = caught.value.field_errors
    assert [d.code for d in errors["custom_links.0.template"]] == ["unknown_field"]
    assert [d.code for d in errors["custom_links.1.template"]] == ["unsafe_scheme"]
    obj = update_object("account", {"custom_links": [
        {"api_name": "map", "labels": {"en": "Map"}, "template": "https://map.example.com/?q={city}"}]}, admin_a)
    assert obj.spec["custom_links"][0]["template"] == "https://map.example.com/?q={city}"
