"""Each viewer sees exactly what they may read: two viewers, two answers; a hidden field's column is
not there, a formula reading it is blank, a value read through a record they may not see is blank;
a deleted field's column shows as missing instead of failing, and the field lists the report."""

from __future__ import annotations

from decimal import Decimal

import pytest

from metadata.cache import get_meta
from metadata.services import delete_field
from metadata.services.fields import where_used
from reports_engine import services
from tessera.security.models import Profile

pytestmark = pytest.mark.django_db

BY_OWNER = {"api_name": "by_owner", "object": "opportunity", "shape": "summary",
            "groups": [{"field": "owner"}],
            "aggregates": [{"key": "total", "function": "sum", "of": "amount"}, {"key": "n", "function": "count"}]}


def test_two_viewers_two_answers(world):
    org = world.org
    rep = services.run_report(BY_OWNER, org.rep)  # their own (and the intern's, below their role)
    mgr = services.run_report(BY_OWNER, org.mgr)  # the east team: mgr, rep, rep_peer, intern
    assert {g.label for g in rep.groups} == {"Rep", "Intern"}
    assert rep.grand_total == {"total": Decimal("1500"), "n": 3}
    assert {g.label for g in mgr.groups} == {"Mgr", "Rep", "Rep_Peer", "Intern"}
    assert mgr.grand_total == {"total": Decimal("6500"), "n": 5}
    for actor, result in ((org.rep, rep), (org.mgr, mgr)):
        for group in result.groups:  # the records behind each number: only those they may read
            page = services.drill_down(BY_OWNER, actor, cell=group.cell, limit=200)
            assert len(page.records) == group.count


def test_cross_object_values_through_unreadable_records_are_blank(world):
    org = world.org
    spec = {"api_name": "deal_accounts", "object": "opportunity", "shape": "tabular", "sort": ["name"],
            "columns": [{"field": "name"}, {"field": "account.name"}, {"field": "account.parent.name"}]}
    rows = {r["name"]: r for r in services.run_report(spec, org.rep_peer).rows}
    # rep_peer owns d3 of Acme Sub (owned by rep, a peer: not theirs to read) and sees the intern's
    # d5 of Globex (the manager's)
    assert sorted(rows) == ["d3", "d5"]
    assert all(r["account__name"] is None and r["account__parent__name"] is None for r in rows.values())
    rows = {r["name"]: r for r in services.run_report(spec, org.mgr).rows}
    assert rows["d3"]["account__name"] == "Acme Sub" and rows["d3"]["account__parent__name"] == "Acme"
    grouped = {**spec, "shape": "summary", "columns": [], "groups": [{"field": "account"}],
               "aggregates": [{"key": "n", "function": "count"}]}
    labels = {g.label for g in services.run_report(grouped, org.rep_peer).groups}
    assert "Acme Sub" not in labels  # a group named after a record they may not read shows its id


def hide_amount(profile_name: str) -> None:
    profile = Profile.objects.get(api_name=profile_name)
    spec = dict(profile.spec)
    spec["objects"] = {**spec.get("objects", {}), "opportunity": {"fields": {"amount": "hidden"}}}
    profile.spec = spec
    profile.save()
    from tessera.security.versioning import bump  # the rights cache follows the security version

    bump()


def test_hidden_fields_are_not_shown_and_formulas_over_them_are_blank(world):
    org = world.org
    hide_amount("salesperson")
    spec = {"api_name": "deals", "object": "opportunity", "shape": "tabular",
            "columns": [{"field": "name"}, {"field": "amount"},
                        {"key": "double", "formula": "amount * 2", "type": "currency"}],
            "aggregates": [{"key": "total", "function": "sum", "of": "amount"}]}
    rep = services.run_report(spec, org.rep)
    assert [c.key for c in rep.columns] == ["name", "double"]
    assert rep.columns[1].missing and all(r["double"] is None for r in rep.rows)
    assert all("amount" not in r for r in rep.rows) and rep.grand_total == {}
    manager = services.run_report(spec, org.mgr)
    assert [c.key for c in manager.columns] == ["name", "amount", "double", "total"]
    by_amount = {**BY_OWNER, "filters": [{"field": "amount", "op": "gte", "value": "1000"}]}
    with pytest.raises(Exception) as refused:  # a filter on a hidden field would tell its values
        services.run_report(by_amount, org.rep)
    assert "filters.0" in refused.value.field_errors


def test_deleted_field_shows_the_missing_column_and_where_used_lists_the_report(world, admin_a):
    from metadata.services import add_field

    add_field("opportunity", {"api_name": "region_code", "type": "text", "labels": {"en": "Region code"}}, admin_a)
    spec = {"api_name": "codes", "object": "opportunity", "shape": "tabular",
            "columns": [{"field": "name"}, {"field": "region_code"}]}
    services.create_report(spec, admin_a)
    opportunity = get_meta().objects["opportunity"]
    assert "the report “codes”" in where_used(get_meta(), opportunity, opportunity.fields_by_name["region_code"])
    assert "the report “codes”" not in where_used(get_meta(), opportunity, opportunity.fields_by_name["stage"])
    delete_field("opportunity", "region_code", admin_a)  # reports never keep a field from being deleted
    result = services.run_report("codes", admin_a)
    missing = result.columns[1]
    assert (missing.key, missing.missing) == ("region_code", True) and "region_code" in missing.problem
    assert all(r["region_code"] is None for r in result.rows) and len(result.rows) == 7


def test_running_as_someone_else_needs_view_all_and_is_audited(world, admin_a):
    from tessera.errors import PermissionDenied
    from tessera.security.models import AuditEntry

    org = world.org
    as_rep = services.run_report(BY_OWNER, admin_a, run_as=org.rep)
    assert as_rep.grand_total == services.run_report(BY_OWNER, org.rep).grand_total
    entry = AuditEntry.objects.filter(action="report.run_as").latest("id")
    assert entry.detail == {"as_user": org.rep.pk}
    assert services.run_report(BY_OWNER, org.rep, run_as=org.rep).grand_total["n"] == 3  # oneself: fine
    with pytest.raises(PermissionDenied):
        services.run_report(BY_OWNER, org.rep, run_as=org.mgr)
