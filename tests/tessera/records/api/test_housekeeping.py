"""Housekeeping: the recycle bin empties itself after its days, uploads no record holds go away."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from tessera.records import housekeeping, service
from tessera.records.models import RecordChange
from tessera.records.tasks import run_housekeeping
from tests.helpers.records_api import send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _age(obj, record_id: int, days: int) -> None:
    """Pretend the record went to the recycle bin `days` ago."""
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{obj.table}" SET deleted_at = %s WHERE id = %s',
                       [timezone.now() - dt.timedelta(days=days), record_id])


def _exists(obj, record_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT 1 FROM "{obj.table}" WHERE id = %s', [record_id])
        return cursor.fetchone() is not None


def test_the_recycle_bin_keeps_records_its_days_then_removes_them_with_their_history(
        in_tenant_a, admin_a, tenant_b, settings):
    settings.TESSERA_RECYCLE_BIN_DAYS = 30
    live = service.create_record("account", {"name": "Keeps living"}, admin_a, confirm_duplicates=True)
    recent = service.create_record("account", {"name": "Deleted last week"}, admin_a, confirm_duplicates=True)
    old = service.create_record("account", {"name": "Deleted long ago"}, admin_a, confirm_duplicates=True)
    for record in (recent, old):
        service.delete_record("account", record.id, admin_a)
    account = old.object
    _age(account, recent.id, 7)
    _age(account, old.id, 31)
    with tenant_context(tenant_b):
        from django.contrib.auth import get_user_model

        admin_b = get_user_model().objects.get(email="admin@beta.test")
        other = service.create_record("account", {"name": "B's old one"}, admin_b, confirm_duplicates=True)
        service.delete_record("account", other.id, admin_b)
        _age(other.object, other.id, 31)
    connection.set_tenant(in_tenant_a)

    assert run_housekeeping()["records_purged"] == 1

    assert not _exists(account, old.id)
    assert not RecordChange.objects.filter(object_id=account.id, record_id=old.id).exists()
    assert _exists(account, recent.id) and _exists(account, live.id)
    assert RecordChange.objects.filter(object_id=account.id, record_id=recent.id).exists()
    assert service.restore_record("account", recent.id, admin_a).name == "Deleted last week"
    with tenant_context(tenant_b):  # another tenant's bin is its own housekeeping's business
        assert _exists(other.object, other.id)


def _upload(api, name: str) -> dict:
    response = api.post("/api/v1/files/", {"file": SimpleUploadedFile(name, b"%PDF-1.4 " + name.encode(),
                                                                       content_type="application/pdf")})
    assert response.status_code == 201, response.json()
    return response.json()


def _stored(media, name: str):
    [path] = media.glob(f"tenants/t_alpha/files/*/*/*/{name}")
    return path


def test_uploads_no_record_holds_are_removed_once_no_token_can_attach_them(api, gadget, media):
    attached = _upload(api, "attached.pdf")
    in_bin = _upload(api, "in-the-bin.pdf")
    forgotten = _upload(api, "forgotten.pdf")
    fresh = _upload(api, "fresh.pdf")
    assert send(api, "post", "/api/v1/records/gadget/", {"name": "Holds", "manual": attached["token"]}).status_code == 201
    binned = send(api, "post", "/api/v1/records/gadget/", {"name": "Binned", "manual": in_bin["token"]}).json()
    assert api.delete(f"/api/v1/records/gadget/{binned['id']}/").status_code == 204
    long_ago = (timezone.now() - housekeeping.UPLOAD_GRACE - dt.timedelta(hours=1)).timestamp()
    for name in ("attached.pdf", "in-the-bin.pdf", "forgotten.pdf"):
        os.utime(_stored(media, name), (long_ago, long_ago))
    forgotten_folder = _stored(media, "forgotten.pdf").parent

    removed = housekeeping.sweep_files()

    assert [os.path.basename(p) for p in removed] == ["forgotten.pdf"]
    assert not forgotten_folder.exists()
    assert {p.name for p in media.glob("tenants/t_alpha/files/*/*/*/*")} == {
        "attached.pdf", "in-the-bin.pdf", "fresh.pdf"}
    assert fresh["token"] and forgotten["token"]


def test_a_binned_record_pointing_at_a_removed_one_comes_back_without_that_lookup(gadget, admin_a):
    account = service.create_record("account", {"name": "Gone for good"}, admin_a, confirm_duplicates=True)
    widget = service.create_record("gadget", {"name": "Points at it", "account": account.id}, admin_a)
    service.delete_record("gadget", widget.id, admin_a)  # binned first: the account's delete does not see it
    service.delete_record("account", account.id, admin_a)
    _age(account.object, account.id, 31)

    housekeeping.purge_recycle_bin()

    assert not _exists(account.object, account.id)
    restored = service.restore_record("gadget", widget.id, admin_a)
    assert restored.values.get("account") is None
