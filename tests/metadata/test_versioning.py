"""Versions, history and the snapshot cache: every change bumps the version and is recorded; a
change in one tenant leaves another's cached snapshot alone; a rolled-back change is never seen;
reading metadata through the API reads no metadata table once the snapshot is cached."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from metadata import cache
from metadata.cache import get_meta
from metadata.models import MetadataChange
from metadata.services import add_field
from tests.helpers.metadata_api import Api, labels, picklist_values

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def _statements(queries) -> list[str]:
    """The queries run, without django-tenants' `SET search_path` before each cursor."""
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]


def test_every_change_bumps_the_version_once_and_is_recorded(api, admin_a):
    steps = [
        ("post", "objects/", {"api_name": "gadget", "labels": {"en": {"singular": "Gadget"}}}, ("object", "create")),
        ("patch", "objects/gadget/", {"icon": "box"}, ("object", "update")),
        ("post", "objects/gadget/fields/", {"api_name": "size", "type": "picklist", "labels": labels("Size"),
                                            "options": {"values": picklist_values("s", "m")}}, ("field", "create")),
        ("put", "objects/gadget/fields/size/values/", {"values": picklist_values("m", "s")}, ("field", "update")),
        ("post", "objects/gadget/categories/", {"api_name": "big", "labels": labels("Big")}, ("category", "create")),
        ("post", "objects/gadget/layouts/", {"api_name": "mini", "kind": "view", "sections": []}, ("layout", "create")),
        ("post", "objects/gadget/list-views/", {"api_name": "small", "columns": ["name"], "shared": True},
         ("list_view", "create")),
        ("delete", "objects/gadget/fields/size/", None, ("field", "delete")),
        ("post", "objects/gadget/fields/size/restore/", None, ("field", "restore")),
        ("delete", "objects/gadget/list-views/small/", None, ("list_view", "delete")),
    ]
    start = get_meta().version
    for i, (method, url, body, (entity, action)) in enumerate(steps, start=1):
        response = api.delete(url) if method == "delete" else getattr(api, method)(url, body)
        assert response.status_code in (200, 201, 204), (url, response.content)
        assert get_meta().version == start + i
        change = MetadataChange.objects.order_by("-id").first()
        assert (change.version, change.entity, change.action, change.changed_by_id) == (
            start + i, entity, action, admin_a.pk)
    # failed changes bump nothing
    assert api.post("objects/gadget/fields/", {"api_name": "size", "type": "text", "labels": labels("X")}).status_code == 400
    assert get_meta().version == start + len(steps)
    history = api.get("changes/", limit=len(steps)).json()["results"]
    assert [c["version"] for c in history] == list(range(start + len(steps), start, -1))
    assert history[-1]["before"] is None and history[-1]["after"]["api_name"] == "gadget"
    assert history[-2]["action"] == "update" and history[-2]["after"]["icon"] == "box"
    assert "icon" not in history[-2]["before"]


def test_a_change_in_tenant_a_leaves_tenant_b_cached_snapshot_alone(tenant_a, tenant_b, admin_a):
    connection.set_tenant(tenant_b)
    snapshot_b = get_meta()
    assert get_meta() is snapshot_b  # cached: the same immutable object
    assert ("t_beta", snapshot_b.version, snapshot_b.token) in cache.cached_keys()

    connection.set_tenant(tenant_a)
    before_a = get_meta()
    add_field("account", {"api_name": "loyalty", "type": "number", "labels": labels("Loyalty")}, admin_a)
    after_a = get_meta()
    assert after_a.version == before_a.version + 1 and after_a.token != before_a.token
    assert after_a.objects["account"].field("loyalty") is not None
    assert before_a.objects["account"].field("loyalty") is None  # a snapshot never changes

    connection.set_tenant(tenant_b)
    again_b = get_meta()
    assert again_b is snapshot_b
    assert (again_b.version, again_b.token) == (snapshot_b.version, snapshot_b.token)
    assert again_b.objects["account"].field("loyalty") is None
    assert ("t_beta", snapshot_b.version, snapshot_b.token) in cache.cached_keys()


def test_a_rolled_back_change_never_becomes_visible(in_tenant_a, admin_a):
    before = get_meta()
    with pytest.raises(Boom), transaction.atomic():
        add_field("account", {"api_name": "ghost", "type": "text", "labels": labels("Ghost")}, admin_a)
        inside = get_meta()
        assert inside.objects["account"].field("ghost") is not None  # the transaction sees its own change
        assert inside.version == before.version + 1
        raise Boom

    after = get_meta()
    assert after.objects["account"].field("ghost") is None
    assert (after.version, after.token) == (before.version, before.token)
    assert not MetadataChange.objects.filter(after__api_name="ghost").exists()
    # the name is free: nothing of the rolled-back field remains
    field = add_field("account", {"api_name": "ghost", "type": "number", "labels": labels("Ghost")}, admin_a)
    assert field.type.key == "number"


def test_snapshot_is_compiled_once_per_version(tenant_b):
    connection.set_tenant(tenant_b)
    get_meta()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            get_meta()
    sql = _statements(queries)
    assert len(sql) == 5 and all("FROM metadata_metadataversion" in s for s in sql)  # one version query per call


METADATA_TABLES = ("metadata_objectdef", "metadata_fielddef", "metadata_layout", "metadata_listview",
                   "metadata_recordcategory")


@pytest.mark.parametrize("url", ["objects/", "objects/account/", "objects/account/fields/",
                                 "objects/account/layouts/", "objects/account/list-views/", "field-types/",
                                 "schemas/field/"])
def test_reading_metadata_through_the_api_reads_no_metadata_table(tenant_b, client_b, url):
    """Responses are built from the cached snapshot; the query count does not grow with the metadata.
    The one read of a metadata table: the viewer's own personal list views, which are not part of
    the tenant's snapshot (saving one must not make every process recompile the tenant's metadata)."""
    connection.set_tenant(tenant_b)
    admin_b = get_user_model().objects.get(email="admin@beta.test")
    client_b.force_login(admin_b)
    api = Api(client_b, tenant_b)
    assert api.get(url).status_code == 200  # warms the cache
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    sql = _statements(queries)
    read = [s for s in sql if any(table in s for table in METADATA_TABLES)]
    assert len(read) <= 1 and all("metadata_listview" in s and "owner_id" in s for s in read), sql
    assert len(sql) <= 4 + len(read), sql  # tenant lookup, session, user, metadata version
