"""Report definitions are metadata: schema-checked, checked against the fields, versioned in the
metadata history, and only those with the rights create, share, change or see them."""

from __future__ import annotations

import pytest

from metadata.models import MetadataChange
from reports_engine import services
from tessera.errors import NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db

BY_STAGE = {"api_name": "by_stage", "object": "opportunity", "shape": "summary",
            "labels": {"en": "By stage"}, "groups": [{"field": "stage"}],
            "aggregates": [{"key": "total", "function": "sum", "of": "amount"}]}


def codes(exc: ValidationFailed) -> dict[str, list[str]]:
    return {name: [d.code for d in details] for name, details in exc.field_errors.items()}


def test_create_update_delete_are_in_the_metadata_history(world, admin_a):
    services.create_report(BY_STAGE, admin_a)
    services.update_report("by_stage", {"groups": [{"field": "type"}]}, admin_a)
    assert services.get_report("by_stage", admin_a)["groups"] == [{"field": "type"}]
    services.delete_report("by_stage", admin_a)
    changes = list(MetadataChange.objects.filter(entity="report").order_by("id"))
    assert [c.action for c in changes] == ["create", "update", "delete"]
    assert changes[1].before["groups"] == [{"field": "stage"}] and changes[1].after["groups"] == [{"field": "type"}]
    assert changes[2].before["api_name"] == "by_stage"


def test_schema_and_fields_are_checked(world, admin_a):
    with pytest.raises(ValidationFailed) as bad_shape:
        services.create_report({**BY_STAGE, "shape": "pie"}, admin_a)
    assert "shape" in codes(bad_shape.value)
    with pytest.raises(ValidationFailed) as unknown:
        services.create_report({**BY_STAGE, "filters": [{"field": "nope", "op": "eq", "value": "1"}]}, admin_a)
    assert codes(unknown.value) == {"filters.0": ["unknown_field"]}
    with pytest.raises(ValidationFailed) as formula:
        services.create_report({**BY_STAGE, "shape": "tabular", "columns": [{"key": "x", "formula": "amount +"}]},
                               admin_a)
    assert "invalid_formula" in codes(formula.value)["columns.x"]


def test_rights_to_create_share_and_see(world):
    org = world.org
    services.create_report(BY_STAGE, org.rep)  # salespeople create their own reports
    with pytest.raises(ValidationFailed) as share:
        services.create_report({**BY_STAGE, "api_name": "shared_one", "shared": {"everyone": True}}, org.rep)
    assert codes(share.value) == {"shared": ["no_share_reports_right"]}
    services.create_report({**BY_STAGE, "api_name": "team_one", "shared": {"roles": [org.roles["east_rep"].id]}},
                           org.mgr)
    with pytest.raises(PermissionDenied):
        services.create_report({**BY_STAGE, "api_name": "reader_one"}, org.reader)  # read only: no right
    assert [r["api_name"] for r in services.list_reports(org.rep_peer)] == ["team_one"]  # shared with the role
    assert [r["api_name"] for r in services.list_reports(org.rep)] == ["by_stage", "team_one"]
    with pytest.raises(NotFound):
        services.get_report("by_stage", org.rep_peer)  # someone else's personal report
    with pytest.raises(PermissionDenied):
        services.update_report("team_one", {"labels": {"en": "Mine now"}}, org.rep)  # shared, not theirs


def test_reserved_names_and_identity_never_change(world, admin_a):
    with pytest.raises(ValidationFailed) as reserved:
        services.create_report({**BY_STAGE, "api_name": "run"}, admin_a)
    assert codes(reserved.value) == {"api_name": ["reserved"]}
    services.create_report(BY_STAGE, admin_a)
    with pytest.raises(ValidationFailed) as moved:
        services.update_report("by_stage", {"object": "account"}, admin_a)
    assert codes(moved.value) == {"object": ["immutable"]}


def test_report_changes_are_reverted_from_the_metadata_history(world, admin_a):
    from metadata.services.history import change_history, revert_change

    services.create_report(BY_STAGE, admin_a)
    services.update_report("by_stage", {"groups": [{"field": "type"}]}, admin_a)
    entries, _next = change_history(admin_a, entity="report")
    update, create = entries
    assert update.revertible and update.object.api_name == "opportunity" and update.name == "by_stage"
    revert_change(update.change.pk, admin_a)
    assert services.get_report("by_stage", admin_a)["groups"] == [{"field": "stage"}]
    services.delete_report("by_stage", admin_a)
    deleted = change_history(admin_a, entity="report")[0][0]
    revert_change(deleted.change.pk, admin_a)
    assert services.get_report("by_stage", admin_a)["labels"] == {"en": "By stage"}
