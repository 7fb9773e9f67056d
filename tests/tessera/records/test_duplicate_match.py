"""Duplicate rules compare each field normalised (the default: case, spaces and punctuation ignored)
or exactly, as the rule's `match` says, in the single check and in the batch check (still one
statement for the batch)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metadata.services import update_object
from tessera.errors import ValidationFailed
from tessera.records import service
from tessera.records.errors import BulkRejected
from tessera.security.access import SYSTEM

pytestmark = pytest.mark.django_db


def rule(admin, match: dict | None) -> None:
    update_object("account", {"duplicate_rules": [{
        "api_name": "same_name", "labels": {"en": "Same name"}, "fields": ["name", "website"], "action": "block",
        **({"match": match} if match is not None else {})}]}, admin)


def blocked(payload: dict) -> bool:
    try:
        service.create_record("account", payload, SYSTEM)
    except ValidationFailed as exc:
        assert exc.non_field_errors[0].code == "duplicate"
        return True
    return False


@pytest.mark.parametrize(("match", "variant_blocked"), [(None, True), ({"name": "normalized"}, True),
                                                         ({"name": "exact"}, False)])
def test_one_record(admin_a, match, variant_blocked):
    rule(admin_a, match)
    service.create_record("account", {"name": "Acme Ltd", "website": "acme.test"}, SYSTEM)
    assert blocked({"name": "acme  ltd.", "website": "ACME.test"}) is variant_blocked
    assert blocked({"name": "Acme Ltd", "website": "Acme.Test"})  # the website stays normalised


def test_a_batch_in_one_statement(admin_a):
    rule(admin_a, {"name": "exact"})
    service.create_record("account", {"name": "Acme Ltd", "website": "acme.test"}, SYSTEM)
    payloads = [{"name": "acme ltd", "website": "acme.test"}, {"name": "Acme Ltd", "website": "ACME.TEST"},
                {"name": "Zeta", "website": "z.test"}, {"name": "ZETA", "website": "z.test"},
                {"name": "Zeta", "website": "Z.test"}]
    with CaptureQueriesContext(connection) as queries:
        results = service.create_records("account", payloads, SYSTEM, all_or_nothing=False)
    assert [r.record is not None for r in results] == [True, False, True, True, False]
    assert len([q for q in queries.captured_queries if "tessera_normalize" in q["sql"]]) == 1
    rule(admin_a, None)
    with pytest.raises(BulkRejected):
        service.create_records("account", [{"name": "Nu", "website": "n.test"}, {"name": "NU", "website": "n.test"}],
                               SYSTEM)


def test_match_names_only_the_rules_fields(admin_a):
    with pytest.raises(ValidationFailed) as caught:
        rule(admin_a, {"phone": "exact"})
    assert "duplicate_rules.0.match.phone" in caught.value.field_errors
