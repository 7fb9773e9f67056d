import pytest

pytestmark = pytest.mark.django_db


def test_smoke(api, user_api):
    r = api.get("objects/")
    print(r.status_code, r.json()[:2])
    r = api.get("objects/account/")
    print(r.status_code, str(r.json())[:2000])
    r = api.post("objects/", {"api_name": "gadget", "labels": {"en": {"singular": "Gadget"}}})
    print(r.status_code, str(r.json())[:500])
    r = user_api.post("objects/", {"api_name": "gadget2", "labels": {"en": {"singular": "Gadget"}}})
    print(r.status_code, r.json())
    r = api.post("objects/", {"api_name": "Bad", "labels": {"en": {"singular": "Gadget"}}})
    print(r.status_code, r.json())
    r = api.post("objects/", [1])
    print(r.status_code, r.json())
    r = api.get("changes/", limit=2)
    print(r.status_code, r.json())
    r = api.get("field-types/")
    print(r.status_code, str(r.json())[:300])
    r = api.get("schemas/")
    print(r.status_code, r.json())
