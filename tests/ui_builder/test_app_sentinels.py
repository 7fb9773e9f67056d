"""A restricted salesperson never sees a hidden field's value or an unreadable record anywhere in the
app: sentinel strings sit in a field their profile hides (and a formula over it) and in a record
they may not read (also as the parent of one of their contacts); every page and partial they can
reach is fetched and searched for them."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.helpers.tenants import host_of

pytestmark = pytest.mark.django_db

HIDDEN_VALUE = "SENTINEL-HIDDEN-7f3a"
UNREADABLE_NAME = "SENTINEL-UNREADABLE-9c2e"
HIDDEN_LABEL = "Internal note 内部备注"


@pytest.fixture
def rep_client(in_tenant_a, admin_a):
    from django.contrib.auth import get_user_model

    from metadata.services import add_field
    from tessera.records import service
    from tessera.security.access import SYSTEM
    from tessera.security.models import Profile
    from tessera.security.services import create_spec

    add_field("account", {"api_name": "internal_note", "type": "text", "history_tracked": True, "indexed": True,
                          "labels": {"en": HIDDEN_LABEL}}, admin_a)
    add_field("account", {"api_name": "note_copy", "type": "formula", "labels": {"en": "Note copy"},
                          "options": {"formula": 'internal_note & "!"', "result_type": "text"}}, admin_a)
    add_field("contact", {"api_name": "account_name", "type": "formula", "labels": {"en": "Account's name"},
                          "options": {"formula": "account.name", "result_type": "text"}}, admin_a)
    spec = dict(Profile.objects.get(api_name="salesperson").spec)
    spec["objects"] = {"account": {"fields": {"internal_note": "hidden"}}}
    create_spec("profile", {"api_name": "sales_sentinel", "spec": spec}, admin_a)
    rep = get_user_model().objects.create_user("sentinel-rep@alpha.test", None, full_name="Rep",
                                               profile=Profile.objects.get(api_name="sales_sentinel"))
    mine = service.create_record("account", {"name": "Visible Co", "owner": rep.pk, "industry": "it",
                                             "internal_note": HIDDEN_VALUE}, SYSTEM)
    service.update_record("account", mine.id, {"internal_note": HIDDEN_VALUE + "2"}, SYSTEM)  # in history too
    secret = service.create_record("account", {"name": UNREADABLE_NAME, "owner": admin_a.pk}, SYSTEM)
    contact = service.create_record("contact", {"name": "Visible Person", "owner": rep.pk, "account": secret.id,
                                                "mobile": "13900001111"}, SYSTEM)
    twin = service.create_record("account", {"name": "Visible Co 2", "owner": rep.pk, "industry": "retail",
                                             "internal_note": HIDDEN_VALUE + "3"}, SYSTEM, confirm_duplicates=True)
    client = Client(HTTP_HOST=host_of(in_tenant_a))
    client.force_login(rep)
    return client, {"mine": mine.id, "secret": secret.id, "contact": contact.id, "twin": twin.id}


def _urls(ids: dict) -> list[str]:
    mine, secret, contact = ids["mine"], ids["secret"], ids["contact"]
    pages = ["/app/", "/app/search/?q=Vis", "/app/search/?q=SENT", "/app/search/lookup/account/?q=",
             "/app/search/lookup/account/?q=S", "/app/recycle-bin/", "/app/account/kanban/?by=industry"]
    for obj in ("account", "contact", "opportunity", "lead", "activity"):
        pages += [f"/app/{obj}/", f"/app/{obj}/new/", f"/app/{obj}/?sort=-updated_at", f"/app/{obj}/?q=S"]
    pages += [f"/app/account/{mine}/", f"/app/account/{mine}/edit/", f"/app/contact/{contact}/",
              f"/app/contact/{contact}/edit/", f"/app/account/{secret}/", f"/app/account/{secret}/edit/",
              "/app/account/?columns=name,internal_note,note_copy", "/app/account/?sort=internal_note",
              "/app/account/?f.internal_note__contains=S", "/app/account/?f.note_copy__startswith=S",
              "/app/contact/?columns=name,account", f"/app/contact/{contact}/cell/account/",
              f"/app/account/{mine}/cell/internal_note/", f"/app/account/{mine}/cell/note_copy/",
              f"/app/account/{secret}/cell/name/"]
    pages += [f"/app/account/{mine}/merge/", f"/app/account/{mine}/merge/?other={secret}",
              f"/app/account/{mine}/merge/?other={ids['twin']}", f"/app/account/{secret}/merge/?other={mine}",
              f"/app/contact/{contact}/merge/", "/app/account/new/?_dialog=account",
              "/app/account/new/?_dialog=account&category=retail", f"/app/contact/new/?_dialog=contact&account={secret}"]
    for field in ("name", "industry", "internal_note", "note_copy", "owner", "created_at"):
        pages.append(f"/app/account/filter-inputs/?fb_field={field}")
        pages.append(f"/app/account/{mine}/cell/{field}/")
    return pages


def test_no_hidden_value_or_unreadable_record_reaches_the_salesperson(rep_client):
    client, ids = rep_client
    seen = 0
    for url in _urls(ids):
        response = client.get(url)
        assert response.status_code in (200, 302, 400, 404), (url, response.status_code)
        body = response.content.decode()
        for secret in (HIDDEN_VALUE, UNREADABLE_NAME, HIDDEN_LABEL):
            assert secret not in body, (url, re.findall(rf".{{0,80}}{re.escape(secret)}.{{0,40}}", body)[:2])
        seen += response.status_code == 200
    assert seen > 30  # the walk really reached the pages


def test_the_salesperson_cannot_write_or_sort_through_the_hidden_field(rep_client):
    client, ids = rep_client
    sorted_page = client.get("/app/account/?sort=internal_note")
    assert sorted_page.status_code == 400
    cell = client.post(f"/app/account/{ids['mine']}/cell/internal_note/", {"internal_note": "x"})
    assert cell.status_code == 404
    edit = client.post(f"/app/account/{ids['mine']}/edit/", {"name": "Visible Co", "internal_note": "overwritten"})
    assert edit.status_code in (302, 200)
    from tessera.records import service
    from tessera.security.access import SYSTEM

    assert service.get_record("account", ids["mine"], SYSTEM).values["internal_note"] == HIDDEN_VALUE + "2"


def test_a_merge_never_shows_or_takes_the_hidden_field(rep_client):
    client, ids = rep_client
    page = client.get(f"/app/account/{ids['mine']}/merge/?other={ids['twin']}")
    assert page.status_code == 200 and "Visible Co 2" in page.content.decode()
    done = client.post(f"/app/account/{ids['mine']}/merge/", {
        "other": ids["twin"], "survivor": ids["mine"], "pick.industry": ids["twin"],
        "pick.internal_note": ids["twin"]})
    assert done.status_code == 400  # the hidden field is not a field for this user: nothing merged
    assert HIDDEN_VALUE not in done.content.decode() and HIDDEN_LABEL not in done.content.decode()
    done = client.post(f"/app/account/{ids['mine']}/merge/", {
        "other": ids["twin"], "survivor": ids["mine"], "pick.industry": ids["twin"]})
    assert done.status_code == 302
    from tessera.records import service
    from tessera.security.access import SYSTEM

    kept = service.get_record("account", ids["mine"], SYSTEM)
    assert kept.values["industry"] == "retail" and kept.values["internal_note"] == HIDDEN_VALUE + "2"
    secret = client.post(f"/app/account/{ids['mine']}/merge/", {"other": ids["secret"], "survivor": ids["mine"]})
    assert UNREADABLE_NAME not in secret.content.decode()
    assert service.get_record("account", ids["secret"], SYSTEM).deleted_at is None


def test_the_form_previews_never_show_a_hidden_value_or_an_unreadable_record(rep_client):
    client, ids = rep_client
    posts = [(f"/app/account/{ids['mine']}/edit/?formulas=1", {"name": "Visible Co"}),
             ("/app/account/new/?formulas=1", {"name": "New", "internal_note": "x"}),
             (f"/app/contact/{ids['contact']}/edit/?formulas=1", {"name": "Visible Person"}),
             ("/app/contact/new/?formulas=1", {"name": "P", "account": ids["secret"]}),
             ("/app/contact/new/?formulas=1", {"name": "P", "account": ids["mine"]})]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 200, (url, response.status_code)
        body = response.content.decode()
        for secret in (HIDDEN_VALUE, UNREADABLE_NAME, HIDDEN_LABEL):
            assert secret not in body, (url, body[:300])
    mine = client.post("/app/contact/new/?formulas=1", {"name": "P", "account": ids["mine"]}).content.decode()
    assert "Visible Co" in mine and 'id="id_account_name"' in mine
