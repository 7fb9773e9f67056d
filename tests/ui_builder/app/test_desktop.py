"""The personal desktop: each user adds, removes, reorders and resizes their home panels (list views
among them), kept for them alone; a list view panel shows what its user may read."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from metadata.services.list_views import create_list_view
from tessera.records import service
from tessera.security.access import SYSTEM
from tessera.security.models import Profile
from tests.helpers.tenants import host_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(in_tenant_a, admin_a):
    rep = get_user_model().objects.create_user("desk-rep@alpha.test", None, full_name="Desk Rep",
                                               profile=Profile.objects.get(api_name="salesperson"))
    create_list_view("account", {"api_name": "it_accounts", "labels": {"en": "IT accounts"}, "columns": ["name", "industry"],
                                 "filters": {"industry": "it"}, "shared": True}, admin_a)
    service.create_record("account", {"name": "Rep IT Co", "industry": "it", "owner": rep.pk}, SYSTEM)
    service.create_record("account", {"name": "Admin IT Co", "industry": "it", "owner": admin_a.pk}, SYSTEM)
    clients = {}
    for name, user in (("rep", rep), ("admin", admin_a)):
        clients[name] = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="en")
        clients[name].force_login(user)
    return clients


def panel_titles(html: str) -> list[str]:
    return re.findall(r'<h2 id="panel-[^"]+">([^<]+)</h2>', html)


def ids(html: str) -> list[str]:
    return re.findall(r'name="order" value="([^"]+)"', html)


def test_a_user_arranges_their_own_desktop(world):
    rep, admin = world["rep"], world["admin"]
    default = panel_titles(rep.get("/app/").content.decode())
    assert default == ["Recent items", "My open opportunities", "Today&#x27;s activities"]

    page = rep.get("/app/?arrange=1").content.decode()
    assert 'value="list_view:object=account&amp;view=it_accounts"' in page
    response = rep.post("/app/dashboards/desktop/", {"op": "add", "add": "list_view:object=account&view=it_accounts"},
                        HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert panel_titles(html)[0] == "Accounts · IT accounts"
    assert "Rep IT Co" in html and "Admin IT Co" not in html  # read as the user
    first, *rest = ids(html)

    rep.post("/app/dashboards/desktop/", {"op": f"down:{first}"})
    rep.post("/app/dashboards/desktop/", {"op": f"narrower:{first}"})
    html = rep.get("/app/").content.decode()
    assert panel_titles(html)[1] == "Accounts · IT accounts"
    assert f'class="panel width-1" aria-labelledby="panel-{first}"' in html

    order = ids(rep.get("/app/?arrange=1").content.decode())
    rep.post("/app/dashboards/desktop/", {"op": "order", "order": list(reversed(order))})
    assert ids(rep.get("/app/?arrange=1").content.decode()) == list(reversed(order))
    rep.post("/app/dashboards/desktop/", {"op": "remove:recent"})
    assert "Recent items" not in panel_titles(rep.get("/app/").content.decode())

    # Another user's desktop is untouched; the default returns on reset.
    assert panel_titles(admin.get("/app/").content.decode()) == default
    response = rep.post("/app/dashboards/desktop/", {"op": "reset"})
    assert response.status_code == 302
    assert panel_titles(rep.get("/app/").content.decode()) == default


def test_only_registered_panels_and_known_choices_are_added(world):
    rep = world["rep"]
    rep.post("/app/dashboards/desktop/", {"op": "add", "add": "no_such_panel"})
    rep.post("/app/dashboards/desktop/", {"op": "add", "add": "recent"})  # placed already
    assert panel_titles(rep.get("/app/").content.decode()).count("Recent items") == 1
    rep.post("/app/dashboards/desktop/", {"op": "add", "add": "list_view:object=account&view=nobody_view"})
    html = rep.get("/app/").content.decode()
    assert "Accounts ·" not in html  # a panel with nothing to show is left out
