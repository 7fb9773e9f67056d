"""Indexing a field of a large object happens in the background: the slot is filled in batches and the
index built CONCURRENTLY by a job that shows progress; queries are right before, during and after."""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from metadata.cache import get_meta
from metadata.services import add_field, create_object, update_field
from tenants.provisioning import create_tenant, delete_tenant
from tessera.core import jobs
from tessera.core.models import Job
from tessera.records import indexing, service
from tessera.records.storage import field_index_name
from tessera.security.access import SYSTEM


@pytest.fixture
def scratch_tenant(committed):
    """A tenant of its own: CREATE INDEX CONCURRENTLY needs committed data and no transaction."""
    tenant = create_tenant("idxjob", "Index job").tenant
    try:
        yield tenant
    finally:
        connection.set_schema_to_public()
        delete_tenant("idxjob")


def test_a_large_object_gets_its_index_from_a_background_job(scratch_tenant, monkeypatch):
    from tessera.core import tasks

    sent = []
    monkeypatch.setattr(indexing, "INLINE_LIMIT", 10)
    monkeypatch.setattr(indexing, "BACKFILL_BATCH", 7)
    monkeypatch.setattr(tasks.run_job, "apply_async", lambda args=None, **options: sent.append(args[0]))
    with tenant_context(scratch_tenant):
        create_object({"api_name": "part", "labels": {"en": {"singular": "Part"}}}, SYSTEM)
        add_field("part", {"api_name": "weight", "type": "number", "labels": {"en": "Weight"}}, SYSTEM)
        service.create_records("part", [{"name": f"p{i}", "weight": i} for i in range(60)], SYSTEM)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {get_meta().objects['part'].table}")
        before = service.list_records("part", SYSTEM, filters=[("weight__gte", "50")], limit=50)

        update_field("part", "weight", {"indexed": True}, SYSTEM)
        field = get_meta().objects["part"].fields_by_name["weight"]
        assert indexing.index_states([field]) == {field.id: "building"}
        ran = [jobs.run_job(job_id) for job_id in sent]  # what the worker does with the message

        (job,) = ran
        assert job.kind == "records.build_field_index" and job.status == Job.Status.DONE
        assert job.total >= 60 and job.done == 60 and job.result["filled"] == 60
        field = get_meta().objects["part"].fields_by_name["weight"]
        assert field.slot and field.slot_ready and indexing.index_states([field]) == {field.id: "ready"}
        with connection.cursor() as cursor:
            cursor.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)",
                           [field_index_name(field.object_id, field.id)])
            assert cursor.fetchone() == (True,)
        after = service.list_records("part", SYSTEM, filters=[("weight__gte", "50")], limit=50)
        assert {r.id for r in after.records} == {r.id for r in before.records} and len(after.records) == 10


@pytest.mark.django_db
def test_duplicate_rules_are_served_by_an_index_on_the_normalised_value(in_tenant_a):
    from psycopg2 import sql

    from tessera.records.indexing import normalized_expression
    from tessera.records.storage import duplicate_index_name

    account = get_meta().objects["account"]
    name, phone = account.fields_by_name["name"], account.fields_by_name["phone"]
    with connection.cursor() as cursor:
        for field in (name, phone):  # the standard rules: same name, same phone
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [duplicate_index_name(account.id, field.id)])
            assert cursor.fetchone() == (True,)
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(sql.SQL("EXPLAIN SELECT r.id FROM {t} r WHERE {e} = public.tessera_normalize('ACME, Inc.')")
                       .format(t=sql.Identifier(account.table), e=normalized_expression(name, alias="r")))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert duplicate_index_name(account.id, name.id) in plan
