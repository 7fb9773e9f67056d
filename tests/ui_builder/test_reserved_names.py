"""The fixed page names under /app/ can never be objects' api_names; a check lists old ones that are."""

import pytest

from tessera.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["search", "recent", "reports", "dashboards", "notifications", "approvals",
                                  "recycle_bin", "kanban", "new", "import", "export"])
def test_app_page_names_are_refused_as_object_names(in_tenant_a, admin_a, name):
    from metadata.services import create_object

    with pytest.raises(ValidationFailed) as caught:
        create_object({"api_name": name, "labels": {"en": {"singular": "X"}}}, admin_a)
    assert [d.code for d in caught.value.field_errors["api_name"]] == ["reserved"]


def test_the_check_reports_an_object_that_collides(in_tenant_a):
    from django.db import connection

    from metadata.models import ObjectDef
    from ui_builder.checks import check_reserved_object_names

    ObjectDef.objects.create(api_name="kanban", spec={"labels": {"en": {"singular": "Board"}}, "name_field": "name"})
    connection.set_schema_to_public()
    found = check_reserved_object_names(None)
    assert [e.id for e in found] == ["ui_builder.E001"]
    assert "kanban" in found[0].msg
