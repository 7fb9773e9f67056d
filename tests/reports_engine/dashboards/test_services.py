"""Dashboards and desktops as services: who may make and change which, what is versioned in the
metadata history, and running a dashboard as another user."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from metadata.models import MetadataChange
from reports_engine.dashboards import services
from tessera.errors import NotFound, PermissionDenied, ValidationFailed
from tessera.security.models import AuditEntry, Profile

SPEC = {"api_name": "sales", "labels": {"en": "Sales"}, "shared": True,
        "filters": [{"field": "close_date", "default": "this_year"}],
        "items": [{"id": "won", "panel": "report_chart", "params": {"report": "won_by_region"}, "x": 0, "y": 0,
                   "w": 6, "h": 4}]}


@pytest.fixture
def rep(in_tenant_a):
    return get_user_model().objects.create_user("rep-dash@alpha.test", "pass-word-42", full_name="Rep",
                                                profile=Profile.objects.get(api_name="salesperson"))


def test_shared_dashboard_is_metadata_with_history(admin_a, rep):
    dashboard = services.create_dashboard(SPEC, admin_a)
    assert dashboard.shared and dashboard.label("en") == "Sales"
    assert dashboard.items[0].params == {"report": "won_by_region"}
    change = MetadataChange.objects.filter(entity="dashboard", entity_id=dashboard.id).get()
    assert change.action == "create" and change.after["items"][0]["id"] == "won"

    changed = services.update_dashboard(dashboard.id, {"labels": {"en": "Sales board"}}, admin_a)
    assert changed.label("en") == "Sales board" and changed.filters[0].default == "this_year"
    assert MetadataChange.objects.filter(entity="dashboard", entity_id=dashboard.id).count() == 2
    # Everyone sees a shared dashboard; only holders of the customise right change it.
    assert [d.api_name for d in services.dashboards_for(rep)] == ["sales"]
    assert not services.can_change(dashboard, rep)
    with pytest.raises(PermissionDenied):
        services.update_dashboard(dashboard.id, {"labels": {"en": "Mine"}}, rep)
    with pytest.raises(PermissionDenied):
        services.create_dashboard({**SPEC, "api_name": "rep_board"}, rep)


def test_personal_dashboards_are_their_owners_alone(admin_a, rep):
    mine = services.create_dashboard({**SPEC, "shared": False, "api_name": "my_board"}, rep)
    assert not mine.shared and services.can_change(mine, rep)
    assert not MetadataChange.objects.filter(entity="dashboard").exists()  # a preference, not metadata
    assert [d.api_name for d in services.dashboards_for(admin_a)] == []
    with pytest.raises(NotFound):
        services.get_dashboard(mine.id, admin_a)
    services.delete_dashboard(mine.id, rep)
    assert services.dashboards_for(rep) == []


def test_a_spec_is_checked_whole(admin_a):
    bad = {**SPEC, "items": [{"id": "a", "panel": "report_chart", "x": 8, "w": 6},
                             {"id": "a", "panel": "report_chart"}]}
    with pytest.raises(ValidationFailed) as failed:
        services.create_dashboard(bad, admin_a)
    assert set(failed.value.field_errors) == {"items.0.w", "items.1.id"}
    with pytest.raises(ValidationFailed) as failed:
        services.create_dashboard({**SPEC, "items": [{"id": "a", "panel": "Bad Kind"}]}, admin_a)
    assert "items.0.panel" in failed.value.field_errors
    with pytest.raises(ValidationFailed):
        services.update_dashboard(services.create_dashboard(SPEC, admin_a).id, {"api_name": "renamed"}, admin_a)


def test_view_as_another_user_needs_the_view_all_right_and_is_audited(admin_a, rep):
    dashboard = services.create_dashboard(SPEC, admin_a)
    assert services.viewer_for(dashboard, rep, None) is rep
    assert services.viewer_for(dashboard, rep, rep.pk) is rep
    with pytest.raises(PermissionDenied):
        services.viewer_for(dashboard, rep, admin_a.pk)
    assert services.viewer_for(dashboard, admin_a, rep.pk) == rep
    entry = AuditEntry.objects.get(action="dashboards.view_as")
    assert entry.actor_id == admin_a.pk and entry.detail["as_user"] == rep.pk and entry.target_id == str(dashboard.id)


def test_desktop_is_kept_per_user(admin_a, rep):
    assert services.desktop_for(rep) is None
    services.save_desktop([{"id": "p1", "panel": "recent", "w": 1}, {"id": "p2", "panel": "list_view",
                                                                     "params": {"object": "account", "view": "all"},
                                                                     "w": 2}], rep)
    desktop = services.desktop_for(rep)
    assert [(p.panel, p.w) for p in desktop.items] == [("recent", 1), ("list_view", 2)]
    assert services.desktop_for(admin_a) is None
    assert services.dashboards_for(rep) == []  # a desktop is not a dashboard
    services.save_desktop([{"id": "p2", "panel": "list_view", "params": {"object": "account"}, "w": 1}], rep)
    assert [p.id for p in services.desktop_for(rep).items] == ["p2"]
    services.reset_desktop(rep)
    assert services.desktop_for(rep) is None


def test_the_build_dashboards_right_shares_dashboards(in_tenant_a):
    manager = get_user_model().objects.create_user("mgr-dash@alpha.test", "pass-word-42", full_name="Manager",
                                                    profile=Profile.objects.get(api_name="sales_manager"))
    board = services.create_dashboard({**SPEC, "api_name": "team_board"}, manager)
    assert board.shared and services.can_change(board, manager)
