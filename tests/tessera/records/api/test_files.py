"""Files: upload → token → a record's file field → download, in the tenant's own space only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import tenant_context

from metadata.services import add_field, create_object
from tessera.records import service
from tests.helpers.records_api import codes, send

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def upload(client, name="manual.pdf", content=b"%PDF-1.4 hello", content_type="application/pdf"):
    return client.post("/api/v1/files/", {"file": SimpleUploadedFile(name, content, content_type=content_type)})


def download(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.status_code == 200 else response.content
    return response, body


def test_upload_attach_download(api, gadget, media):
    uploaded = upload(api, "说明书 v1.pdf")
    assert uploaded.status_code == 201, uploaded.json()
    body = uploaded.json()
    assert set(body) == {"token", "name", "size", "content_type"}
    assert body["name"] == "说明书_v1.pdf" and body["size"] == 14 and body["content_type"] == "application/pdf"
    stored = list(media.glob("tenants/t_alpha/files/*/*/*/*"))
    assert [p.name for p in stored] == ["说明书_v1.pdf"] and stored[0].read_bytes() == b"%PDF-1.4 hello"

    record = send(api, "post", "/api/v1/records/gadget/", {"name": "G", "manual": body["token"]})
    assert record.status_code == 201, record.json()
    manual = record.json()["manual"]
    assert {k: manual[k] for k in ("name", "size", "content_type")} == {
        "name": "说明书_v1.pdf", "size": 14, "content_type": "application/pdf"}
    assert set(manual) == {"name", "size", "content_type", "url"} and manual["url"].startswith("/api/v1/files/")
    assert body["token"] not in record.content.decode()  # an upload token never shows in a record

    response, content = download(api, manual["url"])
    assert response.status_code == 200 and content == b"%PDF-1.4 hello"
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    fresh, _content = download(api, f"/api/v1/files/{body['token']}/")  # a file is reached through a record
    assert fresh.status_code == 404

    # The record read back and sent back unchanged keeps its file.
    whole = api.get(f"/api/v1/records/gadget/{record.json()['id']}/").json()
    back = send(api, "patch", f"/api/v1/records/gadget/{whole['id']}/", {**whole, "name": "G2"})
    assert back.status_code == 200, back.json()
    assert back.json()["manual"]["name"] == "说明书_v1.pdf"
    cleared = send(api, "patch", f"/api/v1/records/gadget/{whole['id']}/", {"manual": None})
    assert cleared.status_code == 200 and cleared.json()["manual"] is None
    assert download(api, manual["url"])[0].status_code == 404  # the record no longer holds it


def test_images_are_checked_by_their_content(api, gadget):
    png = upload(api, "logo.png", PNG, "image/png").json()
    assert png["content_type"] == "image/png"
    record = send(api, "post", "/api/v1/records/gadget/", {"name": "G", "photo": png["token"]})
    assert record.status_code == 201
    response, _content = download(api, record.json()["photo"]["url"])
    assert response["Content-Type"] == "image/png" and "inline" in response["Content-Disposition"]

    fake = upload(api, "evil.png", b"<html><script>alert(1)</script></html>", "image/png").json()
    assert fake["content_type"] == "application/octet-stream"
    refused = send(api, "post", "/api/v1/records/gadget/", {"name": "G", "photo": fake["token"]})
    assert refused.status_code == 400 and codes(refused, "photo") == ["invalid_image"]
    html = upload(api, "page.html", b"<html></html>", "text/html").json()
    assert html["content_type"] == "application/octet-stream"


def test_upload_limits_and_bad_uploads(api, gadget, settings, admin_a):
    settings.TESSERA_MAX_UPLOAD_BYTES = 100
    too_big = upload(api, "big.bin", b"x" * 101)
    assert too_big.status_code == 413 and codes(too_big) == ["file_too_large"]
    way_too_big = upload(api, "huge.bin", b"x" * 200_000)  # refused from its Content-Length
    assert way_too_big.status_code == 413
    missing = api.post("/api/v1/files/", {"other": "x"})
    assert missing.status_code == 400 and codes(missing, "file") == ["required"]
    empty = upload(api, "empty.txt", b"")
    assert empty.status_code == 400 and codes(empty, "file") == ["empty"]
    json_body = send(api, "post", "/api/v1/files/", {"file": "x"})
    assert json_body.status_code == 415

    settings.TESSERA_MAX_UPLOAD_BYTES = 10 * 2**20
    add_field("gadget", {"api_name": "small", "type": "file", "labels": {"en": "Small"},
                         "options": {"max_size_mb": 1}}, admin_a)
    big = upload(api, "big.bin", b"x" * (2**20 + 1)).json()
    refused = send(api, "post", "/api/v1/records/gadget/", {"name": "G", "small": big["token"]})
    assert refused.status_code == 400 and codes(refused, "small") == ["file_too_large"]


def test_file_names_cannot_escape_the_tenant_space(api, gadget, media):
    body = upload(api, "../../../etc/passwd", b"root:x:0:0").json()
    assert body["name"] == "passwd"
    assert [p.name for p in media.rglob("*") if p.is_file()] == ["passwd"]
    assert all(str(p.relative_to(media)).startswith("tenants/t_alpha/") for p in media.rglob("*") if p.is_file())


def test_forged_and_unknown_tokens_are_404(api, gadget):
    for token in ("nope", "eyJwIjoidGVuYW50cy90X2FscGhhL3gifQ:1abc:xyz", "a" * 300):
        response = api.get(f"/api/v1/files/{token}/")
        assert response.status_code == 404 and codes(response) == ["unknown_file"], token


def test_not_logged_in_cannot_upload_or_download(client_a, api, gadget):
    token = upload(api).json()["token"]
    api.logout()
    assert upload(client_a).status_code in (401, 403)
    assert client_a.get(f"/api/v1/files/{token}/").status_code in (401, 403)


def test_downloads_follow_the_record(api, gadget, admin_a, restrict):
    token = upload(api).json()["token"]
    record = send(api, "post", "/api/v1/records/gadget/", {"name": "G", "manual": token}).json()
    url = record["manual"]["url"]
    restrict(hidden=["manual"])
    assert download(api, url)[0].status_code == 404  # a field the reader may not see
    assert "manual" not in api.get(f"/api/v1/records/gadget/{record['id']}/").json()


def test_deleted_record_files_are_not_served(api, gadget, admin_a):
    token = upload(api).json()["token"]
    record = send(api, "post", "/api/v1/records/gadget/", {"name": "G", "manual": token}).json()
    service.delete_record("gadget", record["id"], admin_a)
    assert download(api, record["manual"]["url"])[0].status_code == 404


def test_another_tenants_file_is_refused(api, client_b, tenant_b, tenant_a, gadget, media):
    with tenant_context(tenant_b):
        admin_b = get_user_model().objects.get(email="admin@beta.test")
        client_b.force_login(admin_b)
    theirs = upload(client_b, "b-secret.pdf", b"%PDF b only")
    assert theirs.status_code == 201
    assert [p.relative_to(media).parts[:2] for p in media.rglob("*") if p.is_file()] == [("tenants", "t_beta")]
    token = theirs.json()["token"]
    with tenant_context(tenant_b):
        create_object({"api_name": "gadget", "labels": {"en": {"singular": "Gadget"}}}, admin_b)
        add_field("gadget", {"api_name": "manual", "type": "file", "labels": {"en": "Manual"}}, admin_b)
    connection.set_tenant(tenant_a)
    home = send(client_b, "post", "/api/v1/records/gadget/", {"name": "B", "manual": token})
    assert home.status_code == 201, home.json()
    url = home.json()["manual"]["url"]
    assert download(client_b, url)[0].status_code == 200  # fine at home
    assert api.get(url).status_code == 404  # not from another tenant

    attached = send(api, "post", "/api/v1/records/gadget/", {"name": "G", "manual": token})
    assert attached.status_code == 400 and codes(attached, "manual") == ["invalid_file"]
    response = api.get(f"/api/v1/files/{token}/")
    assert response.status_code == 404 and codes(response) == ["unknown_file"]
    # Nor by handing A the stored descriptor of B's file instead of a token.
    path = next(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())
    forged = send(api, "post", "/api/v1/records/gadget/", {"name": "G", "manual": {"path": path, "name": "x"}})
    assert forged.status_code == 400 and codes(forged, "manual") == ["invalid_file"]
    connection.set_tenant(tenant_a)
