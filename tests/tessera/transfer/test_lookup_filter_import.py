"""An import is held to a lookup's filter like any write: the row naming a record the filter does
not allow is reported with the filter's message, the others are imported."""

from __future__ import annotations

import pytest

from tessera.records import service
from tessera.security.access import SYSTEM
from tessera.transfer.models import ImportRowError
from tests.helpers.lookup_filters import set_filter

pytestmark = pytest.mark.django_db


def test_an_import_row_pointing_at_a_record_the_filter_refuses(in_tenant_a, admin_a, write_csv, run_import):
    service.create_records("account", [{"name": "Gold Co", "rating": "a"}, {"name": "Tin Co", "rating": "c"}], SYSTEM)
    set_filter(admin_a, "contact", "account", {"rating": "a"})
    rows = [["Name", "Account"], ["Ann", "Gold Co"], ["Bob", "Tin Co"]]
    run = run_import(write_csv(rows), "contact", settings={"mode": "insert"})
    assert (run.inserted, run.errors) == (1, 1)
    error = ImportRowError.objects.get(run=run)
    assert error.row == 3
    assert "“Tin Co” is not allowed for Account" in error.message
