"""Dashboard pages: made, arranged and filtered in the browser's forms; each viewer sees what they
may read; viewing as another user only with the view-all right, and audited."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from metadata.services import add_field
from metadata.services.list_views import create_list_view
from reports_engine.dashboards import services
from tessera.records import service
from tessera.security.access import SYSTEM
from tessera.security.models import AuditEntry, Profile
from tests.helpers.tenants import host_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(in_tenant_a, admin_a):
    rep = get_user_model().objects.create_user("dash-rep@alpha.test", None, full_name="Dash Rep",
                                               profile=Profile.objects.get(api_name="salesperson"))
    create_list_view("account", {"api_name": "all_accounts", "labels": {"en": "All accounts"},
                                 "columns": ["name", "industry"], "shared": True}, admin_a)
    service.create_record("account", {"name": "Rep IT Co", "industry": "it", "owner": rep.pk}, SYSTEM)
    service.create_record("account", {"name": "Rep Factory", "industry": "manufacturing", "owner": rep.pk}, SYSTEM)
    service.create_record("account", {"name": "Admin IT Co", "industry": "it", "owner": admin_a.pk}, SYSTEM)
    clients = {}
    for name, user in (("rep", rep), ("admin", admin_a)):
        clients[name] = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="en")
        clients[name].force_login(user)
    return clients, rep, admin_a


def test_an_administrator_builds_a_shared_dashboard_and_each_viewer_sees_their_own(world):
    clients, rep, admin = world
    response = clients["admin"].post("/app/dashboards/", {"name": "Accounts board", "shared": "1"})
    assert response.status_code == 302
    url = response["Location"].split("?")[0]
    board_id = int(url.rstrip("/").rsplit("/", 1)[1])
    page = clients["admin"].get(url + "?edit=1").content.decode()
    assert 'value="list_view:object=account&amp;view=all_accounts"' in page
    change = url + "change/"
    clients["admin"].post(change, {"op": "add", "add": "list_view:object=account&view=all_accounts"})
    clients["admin"].post(change, {"op": "filter_add", "filter_field": "industry"})
    board = services.get_dashboard(board_id, admin)
    panel = board.items[0]
    assert (panel.w, panel.h) == (6, 4) and [f.field for f in board.filters] == ["industry"]
    response = clients["admin"].post(change, {"op": "layout", "layout": json.dumps([{"id": panel.id, "x": 2, "y": 0,
                                                                                     "w": 8, "h": 5}])},
                                     HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert services.get_dashboard(board_id, admin).items[0].w == 8

    admin_view = clients["admin"].get(url).content.decode()
    assert "Admin IT Co" in admin_view and "Rep IT Co" in admin_view
    rep_view = clients["rep"].get(url).content.decode()
    assert "Rep IT Co" in rep_view and "Admin IT Co" not in rep_view
    assert "?edit=1" not in rep_view  # a salesperson cannot change a shared dashboard
    filtered = clients["rep"].get(url + "?f.industry__in=manufacturing").content.decode()
    assert "Rep Factory" in filtered and "Rep IT Co" not in filtered
    assert clients["rep"].post(change, {"op": "remove:" + panel.id}).status_code == 400
    assert len(services.get_dashboard(board_id, admin).items) == 1


def test_view_as_another_user(world):
    clients, rep, admin = world
    board = services.create_dashboard({"api_name": "board_b", "shared": True, "labels": {"en": "B"},
                                       "items": [{"id": "p", "panel": "list_view", "w": 6, "h": 4,
                                                  "params": {"object": "account", "view": "all_accounts"}}]}, admin)
    url = f"/app/dashboards/{board.id}/"
    as_rep = clients["admin"].get(f"{url}?as={rep.pk}").content.decode()
    assert "Rep IT Co" in as_rep and "Admin IT Co" not in as_rep and "viewing this dashboard as Dash Rep" in as_rep
    assert AuditEntry.objects.filter(action="dashboards.view_as", actor_id=admin.pk).count() == 1
    # A salesperson asking to see through the administrator's eyes sees their own numbers.
    refused = clients["rep"].get(f"{url}?as={admin.pk}").content.decode()
    assert "Admin IT Co" not in refused and "Only users who may view all data" in refused
    assert 'name="as"' not in refused


def test_personal_dashboards_stay_personal(world):
    clients, rep, admin = world
    response = clients["rep"].post("/app/dashboards/", {"name": "Mine", "shared": "1"})  # may not share
    assert response.status_code == 400
    response = clients["rep"].post("/app/dashboards/", {"name": "Mine"})
    url = response["Location"].split("?")[0]
    assert "Mine" in clients["rep"].get("/app/dashboards/").content.decode()
    assert clients["admin"].get(url).status_code == 404
    assert not re.search(r">Mine<", clients["admin"].get("/app/dashboards/").content.decode())
    assert clients["rep"].post(url + "change/", {"op": "delete"}).status_code == 302
    assert clients["rep"].get(url).status_code == 404


def test_panels_are_placed_from_the_keyboard_too(world):
    clients, rep, admin = world
    board = services.create_dashboard({"api_name": "keys_board", "shared": True, "labels": {"en": "K"},
                                       "items": [{"id": "p", "panel": "recent", "x": 0, "y": 0, "w": 6, "h": 4}]}, admin)
    change = f"/app/dashboards/{board.id}/change/"
    for op in ("right", "right", "wider", "taller", "down", "left"):
        clients["admin"].post(change, {"op": f"{op}:p"})
    panel = services.get_dashboard(board.id, admin).items[0]
    assert (panel.x, panel.y, panel.w, panel.h) == (1, 1, 7, 5)
    for _ in range(8):
        clients["admin"].post(change, {"op": "right:p"})
    assert services.get_dashboard(board.id, admin).items[0].x == 5  # stays inside the 12 columns


def test_dashboard_filters_on_numbers_yes_no_fields_and_lookups(world):
    clients, rep, admin = world
    add_field("account", {"api_name": "key_account", "type": "boolean", "labels": {"en": "Key account"}}, admin)
    add_field("account", {"api_name": "parent", "type": "lookup", "labels": {"en": "Parent account"},
                          "options": {"target": "account"}}, admin)
    group = service.create_record("account", {"name": "Rep Group", "owner": rep.pk}, SYSTEM).id
    service.create_record("account", {"name": "Big Key Branch", "employees": 500, "key_account": True, "parent": group,
                                      "owner": rep.pk}, SYSTEM)
    service.create_record("account", {"name": "Small Branch", "employees": 20, "parent": group, "owner": rep.pk}, SYSTEM)
    url = clients["admin"].post("/app/dashboards/", {"name": "Filters", "shared": "1"})["Location"].split("?")[0]
    change = url + "change/"
    clients["admin"].post(change, {"op": "add", "add": "list_view:object=account&view=all_accounts"})
    edit = clients["admin"].get(url + "?edit=1").content.decode()
    for name in ("employees", "key_account", "parent"):
        assert f'<option value="{name}">' in edit  # offered as dashboard filters
        clients["admin"].post(change, {"op": "filter_add", "filter_field": name})
    page = clients["rep"].get(url).content.decode()
    assert 'name="f.employees__gte"' in page and 'name="f.employees__lte"' in page
    assert re.search(r'<select id="filter-key_account" name="f.key_account__eq">\s*<option value="">All</option>\s*'
                     r'<option value="true">Yes</option><option value="false">No</option>', page)
    assert re.search(r'name="f.parent__eq" aria-label="Parent account" data-lookup="/app/search/lookup/account/"', page)
    assert "tom-select" in page
    assert "tom-select" not in clients["rep"].get("/app/dashboards/").content.decode()

    def names(query):
        html = clients["rep"].get(url + query).content.decode()
        return {n for n in ("Big Key Branch", "Small Branch", "Rep Factory", "Rep Group") if n in html}, html

    assert names("?f.employees__gte=100")[0] == {"Big Key Branch"}
    assert names("?f.employees__gte=10&f.employees__lte=100")[0] == {"Small Branch"}
    assert names("?f.key_account__eq=true")[0] == {"Big Key Branch"}
    found, html = names(f"?f.parent__eq={group}")
    assert found == {"Big Key Branch", "Small Branch", "Rep Group"}  # the group is named in the chosen option
    assert f'<option value="{group}" selected>Rep Group</option>' in html
    assert 'value="100"' in clients["rep"].get(url + "?f.employees__gte=100").content.decode()  # the bound stays shown
