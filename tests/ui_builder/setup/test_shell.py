"""The /setup/ shell: administrators only; the organisation settings through their service."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.helpers.tenants import host_of

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def admin_client(in_tenant_a, admin_a):
    client = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_a)
    return client


@pytest.fixture
def rep_client(in_tenant_a):
    from tessera.security.models import Profile

    rep = get_user_model().objects.create_user("shell-rep@alpha.test", None, full_name="Rep",
                                               profile=Profile.objects.get(api_name="salesperson"))
    client = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(rep)
    return client


def test_only_administrators_open_setup(admin_client, rep_client, client_a):
    assert admin_client.get("/setup/").status_code == 200
    assert rep_client.get("/setup/").status_code == 403
    assert rep_client.get("/setup/organization/").status_code == 403
    assert rep_client.post("/setup/organization/", {"name": "Taken over"}).status_code == 403
    anonymous = client_a.get("/setup/organization/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_user_menu_links_to_setup_for_administrators_only(admin_client, rep_client):
    assert b'href="/setup/"' in admin_client.get("/app/").content
    assert b'href="/setup/"' not in rep_client.get("/app/").content


def test_shell_lists_every_section(admin_client):
    page = admin_client.get("/setup/organization/").content.decode()
    for label in ("Organisation", "Objects", "Users", "Departments", "Roles", "Profiles", "Sharing", "History"):
        assert label in page
    assert 'aria-current="page"' in page


def test_organization_settings_reach_the_metadata_snapshot(admin_client, in_tenant_a):
    from metadata.cache import get_meta
    from metadata.models import MetadataChange
    from tessera.security.models import AuditEntry

    response = admin_client.post("/setup/organization/", {
        "name": "Alpha 阿尔法", "time_zone": "Asia/Hong_Kong", "currency": "HKD", "fiscal_year_start_month": "4",
        "languages": ["zh-hans", "en"], "language": "zh-hans"})
    assert response.status_code == 302
    in_tenant_a.refresh_from_db()
    assert (in_tenant_a.currency, in_tenant_a.fiscal_year_start_month) == ("HKD", 4)
    from django.db import connection

    connection.set_tenant(in_tenant_a)
    meta = get_meta()
    assert (meta.currency, meta.time_zone, meta.fiscal_year_start_month) == ("HKD", "Asia/Hong_Kong", 4)
    assert meta.languages == ("zh-hans", "en")
    change = MetadataChange.objects.filter(entity="organization").first()
    assert change.before["currency"] == "CNY" and change.after["currency"] == "HKD"
    entry = AuditEntry.objects.filter(action="tenant.update").latest("id")
    assert entry.detail["changed"] == ["currency", "fiscal_year_start_month", "time_zone"]


def test_bad_settings_are_shown_in_place_and_nothing_typed_is_lost(admin_client, in_tenant_a):
    response = admin_client.post("/setup/organization/", {
        "name": "New name kept", "time_zone": "Mars/Olympus", "currency": "CNY", "fiscal_year_start_month": "13",
        "languages": ["en"], "language": "zh-hans"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a time zone from the list." in page
    assert "Choose a month from 1 to 12." in page
    assert "The default language must be one of those offered." in page
    assert 'value="New name kept"' in page
    in_tenant_a.refresh_from_db()
    assert in_tenant_a.name != "New name kept"


def test_logo_is_a_proven_image_served_to_the_tenants_users(admin_client, rep_client, client_b, in_tenant_a):
    fields = {"name": in_tenant_a.name, "time_zone": "Asia/Shanghai", "currency": "CNY",
              "fiscal_year_start_month": "1", "languages": ["zh-hans", "en"], "language": "zh-hans"}
    page = admin_client.post("/setup/organization/", {
        **fields, "logo": SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", "image/png")})
    assert page.status_code == 400 and b"PNG, JPEG, WebP or GIF" in page.content
    assert admin_client.post("/setup/organization/", {
        **fields, "logo": SimpleUploadedFile("logo.png", PNG, "image/png")}).status_code == 302
    served = rep_client.get("/setup/organization/logo/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png" and served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == PNG
    assert client_b.get("/setup/organization/logo/").status_code in (302, 404)  # another tenant: not theirs
    assert admin_client.post("/setup/organization/", {**fields, "remove_logo": "on"}).status_code == 302
    assert rep_client.get("/setup/organization/logo/").status_code == 404


def test_service_refuses_without_the_customise_right(in_tenant_a):
    from tenants.organization import update_organization
    from tessera.errors import PermissionDenied
    from tessera.security.models import Profile

    rep = get_user_model().objects.create_user("org-rep@alpha.test", None, full_name="Rep",
                                               profile=Profile.objects.get(api_name="salesperson"))
    with pytest.raises(PermissionDenied):
        update_organization({"currency": "USD"}, rep)


def test_the_language_switch_offers_the_languages_the_organisation_offers(admin_client, admin_a, in_tenant_a):
    assert 'value="en"' in admin_client.get("/app/").content.decode()
    admin_client.post("/setup/organization/", {
        "name": in_tenant_a.name, "time_zone": "Asia/Shanghai", "currency": "CNY", "fiscal_year_start_month": "1",
        "languages": ["zh-hans"], "language": "zh-hans"})
    chinese = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese.force_login(admin_a)
    html = chinese.get("/app/").content.decode()
    assert 'value="zh-hans"' in html and 'value="en"' not in html
