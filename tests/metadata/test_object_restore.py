"""Deleting a custom object is soft: reverting the deletion in the history brings the object back
with its definitions, its records (with their history) and what the deletion took off other
definitions; after the retention, housekeeping removes it for good, one tenant at a time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from metadata.cache import get_meta
from metadata.models import FieldDef, MetadataChange, ObjectDef
from metadata.services import create_category, create_object, delete_object, history, update_layout
from tessera.errors import NotFound, PermissionDenied, TesseraError, ValidationFailed
from tessera.records import service
from tessera.records.models import RecordChange
from tessera.records.tasks import run_housekeeping
from tessera.security.models import Department, Profile, Role, SharingRule
from tests.helpers.metadata_api import picklist_values

pytestmark = pytest.mark.django_db


def _last() -> MetadataChange:
    return MetadataChange.objects.order_by("-id").first()


@pytest.fixture
def project(make_object, admin_a):
    obj = make_object("project", labels={"en": {"singular": "Project"}, "zh-hans": {"singular": "项目"}}, fields=[
        {"api_name": "account", "type": "lookup", "options": {"target": "account"}},
        {"api_name": "stage", "type": "picklist", "options": {"values": picklist_values("plan", "build")}},
    ])
    create_category("project", {"api_name": "internal", "labels": {"en": "Internal"}, "fields": ["stage"]}, admin_a)
    account_view = get_meta().objects["account"].layouts["default_view"]
    update_layout("account", account_view.api_name,
                  {"related_lists": [{"object": "project", "field": "account", "columns": ["name", "stage"]}]},
                  admin_a)
    return obj


def _partition_exists(object_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"record_o{object_id}"])
        return cursor.fetchone()[0] is not None


def _related_objects(layout_owner: str) -> list[str]:
    return [r.object for r in get_meta().objects[layout_owner].layouts["default_view"].related_lists]


def test_a_deleted_object_comes_back_from_the_history_with_everything_it_had(project, admin_a, user_a):
    account = service.create_record("account", {"name": "Acme"}, admin_a, confirm_duplicates=True)
    record = service.create_record("project", {"name": "Tower", "account": account.id, "stage": "build"}, admin_a)
    profile = Profile.objects.order_by("id").first()
    profile.spec.setdefault("objects", {})["project"] = {"read": True, "create": True}
    profile.save()
    role = Role.objects.create(name="Builders")
    SharingRule.objects.create(name="Built", object_id=project.id, filters=[["stage", "build"]], role=role)
    before = get_meta().objects["project"]

    delete_object("project", admin_a, confirm_name="项目")
    deletion = _last()

    assert "project" not in get_meta().objects and "project" not in _related_objects("account")
    assert "project" not in Profile.objects.get(pk=profile.pk).spec["objects"]
    assert not SharingRule.objects.filter(object_id=project.id).exists()
    with pytest.raises(NotFound):
        service.get_record("project", record.id, admin_a)
    entry = history.get_change(deletion.pk, admin_a)
    assert entry.revertible and entry.object is None and entry.name == "project"
    kept = entry.kept
    assert kept is not None and (kept.fields, kept.categories, kept.records) == (2, 1, 1)
    assert kept.kept_until.date() == (deletion.changed_at + dt.timedelta(days=30)).date()
    assert ("Label › zh-hans › singular", "项目", "—") in {(d.path, d.before, d.after) for d in entry.differences}

    with pytest.raises(PermissionDenied):  # a salesperson may not, as for any revert
        history.revert_change(deletion.pk, user_a)
    assert "project" not in get_meta().objects

    [restore] = history.revert_change(deletion.pk, admin_a)

    assert (restore.entity, restore.action, restore.reverts) == ("object", "restore", deletion.pk)
    after = get_meta().objects["project"]
    assert after.id == before.id and after.label("zh-hans") == "项目"
    assert [f.api_name for f in after.fields] == [f.api_name for f in before.fields]
    assert set(after.layouts) == set(before.layouts) and set(after.categories) == {"internal"}
    assert [v.api_name for v in after.list_views] == [v.api_name for v in before.list_views]
    values = service.get_record("project", record.id, admin_a).values
    assert values["name"] == "Tower" and values["stage"] == "build" and values["account"] == account.id
    assert RecordChange.objects.filter(object_id=after.id, record_id=record.id).exists()
    assert "project" in _related_objects("account")
    assert Profile.objects.get(pk=profile.pk).spec["objects"]["project"] == {"read": True, "create": True}
    assert SharingRule.objects.get(object_id=after.id).role == role
    assert not history.get_change(deletion.pk, admin_a).revertible  # it is back: nothing to restore
    with pytest.raises(NotFound):
        history.revert_change(deletion.pk, admin_a)

    [again] = history.revert_change(restore.pk, admin_a)  # reverting the restore deletes it again
    assert (again.entity, again.action) == ("object", "delete") and "project" not in get_meta().objects


def test_a_restore_is_refused_while_its_name_is_taken_or_what_it_refers_to_is_gone(make_object, admin_a):
    gadget = make_object("gadget")
    make_object("part", fields=[{"api_name": "gadget", "type": "lookup", "options": {"target": "gadget"}}])
    delete_object("part", admin_a, confirm_name="Part")
    part_deletion = _last()
    department = Department.objects.create(name="Gadget makers")
    SharingRule.objects.create(name="Makers", object_id=gadget.id, filters=[], department=department)
    delete_object("gadget", admin_a, confirm_name="gadget")
    gadget_deletion = _last()
    department.delete()  # the rule cannot come back
    create_object({"api_name": "gadget", "labels": {"en": {"singular": "Gadget again"}}}, admin_a)

    with pytest.raises(ValidationFailed) as taken:
        history.revert_change(gadget_deletion.pk, admin_a)
    assert "api_name" in taken.value.field_errors
    delete_object("gadget", admin_a, confirm_name="gadget")
    with pytest.raises(ValidationFailed) as gone:  # part's lookup points at an object that is deleted
        history.revert_change(part_deletion.pk, admin_a)
    assert "gadget" in str(gone.value.non_field_errors)
    assert "part" not in get_meta().objects  # all or nothing

    [restore] = history.revert_change(gadget_deletion.pk, admin_a)
    history.revert_change(part_deletion.pk, admin_a)
    lookup = get_meta().objects["part"].fields_by_name["gadget"]
    assert lookup.type.target(lookup) == "gadget" and get_meta().objects["gadget"].label("en") == "Gadget"
    assert not SharingRule.objects.filter(object_id=gadget.id).exists()
    said = {(d.path, d.after) for d in history.get_change(restore.pk, admin_a).differences}
    assert ("Not put back (their layout, profile, department or role is gone)", "1") in said


def test_deleted_objects_are_purged_after_their_retention_in_their_own_tenant_only(
        make_object, admin_a, tenant_a, tenant_b, settings):
    settings.TESSERA_DELETED_OBJECT_DAYS = 30
    old = make_object("old_thing")
    service.create_record("old_thing", {"name": "Kept till purge"}, admin_a)
    recent = make_object("recent_thing")
    delete_object("old_thing", admin_a, confirm_name="old_thing")
    old_deletion = _last()
    delete_object("recent_thing", admin_a, confirm_name="recent_thing")
    ObjectDef.with_deleted.filter(pk=old.id).update(deleted_at=timezone.now() - dt.timedelta(days=31))
    with tenant_context(tenant_b):
        from django.contrib.auth import get_user_model

        admin_b = get_user_model().objects.get(email="admin@beta.test")
        create_object({"api_name": "old_thing", "labels": {"en": {"singular": "B's"}}}, admin_b)
        b_id = get_meta().objects["old_thing"].id
        delete_object("old_thing", admin_b, confirm_name="old_thing")
        ObjectDef.with_deleted.filter(pk=b_id).update(deleted_at=timezone.now() - dt.timedelta(days=31))
        b_deletion = _last()
    connection.set_tenant(tenant_a)

    assert run_housekeeping()["objects_purged"] == 1

    assert not ObjectDef.with_deleted.filter(pk=old.id).exists() and not FieldDef.objects.filter(object_id=old.id)
    assert not _partition_exists(old.id) and not RecordChange.objects.filter(object_id=old.id).exists()
    assert not history.get_change(old_deletion.pk, admin_a).revertible
    with pytest.raises(TesseraError):
        history.revert_change(old_deletion.pk, admin_a)
    assert _partition_exists(recent.id) and ObjectDef.with_deleted.filter(pk=recent.id).exists()
    with tenant_context(tenant_b):  # another tenant's deleted objects are its own housekeeping's business
        assert _partition_exists(b_id)
        history.revert_change(b_deletion.pk, admin_b)
        assert get_meta().objects["old_thing"].label("en") == "B's"
    connection.set_tenant(tenant_a)
    assert "old_thing" not in get_meta().objects
