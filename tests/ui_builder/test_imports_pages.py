"""The import and export pages without a browser: each renders, the list offers them to those
with the rights, a run moves from upload to result, the export downloads."""

from __future__ import annotations

import io

from tessera.core import jobs
from tessera.transfer.models import ImportRun


def test_upload_map_check_import_and_undo(in_tenant_a, client_a, admin_a):
    client_a.force_login(admin_a)
    listing = client_a.get("/app/account/")
    assert b"/app/account/import/" in listing.content and b"/app/account/export/" in listing.content
    assert client_a.get("/app/account/import/").status_code == 200
    upload = io.BytesIO("客户名称,员工人数\r\n华为,1200\r\n坏,很多\r\n".encode("gbk"))
    upload.name = "客户.csv"
    response = client_a.post("/app/account/import/", {"file": upload})
    assert response.status_code == 302
    run = ImportRun.objects.latest("id")
    page = client_a.get(response["Location"])
    assert page.status_code == 200 and "华为" in page.content.decode()
    form = {"field_0": "name", "field_1": "employees", "mode": "insert", "date_order": "ymd", "duplicates": "skip"}
    client_a.post(response["Location"], {**form, "action": "dry_run"})
    run.refresh_from_db()
    jobs.run_job(run.job.pk)
    page = client_a.get(response["Location"]).content.decode()
    assert "很多" in page  # the dry run's first error
    client_a.post(response["Location"], {**form, "action": "run"})
    run.refresh_from_db()
    progress = client_a.get(response["Location"] + "?part=progress", HTTP_HX_REQUEST="true")
    assert b"<progress" in progress.content and "HX-Refresh" not in progress
    jobs.run_job(run.job.pk)
    progress = client_a.get(response["Location"] + "?part=progress", HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"
    page = client_a.get(response["Location"]).content.decode()
    assert f"/app/account/import/{run.pk}/errors/" in page
    errors = client_a.get(f"/app/account/import/{run.pk}/errors/")
    assert "很多" in b"".join(errors.streaming_content).decode("utf-8-sig")
    client_a.post(response["Location"], {"action": "undo"})
    run.refresh_from_db()
    jobs.run_job(run.job.pk)
    run.refresh_from_db()
    assert run.status == "undone"
    assert "客户.csv" in client_a.get("/app/account/import/").content.decode()


def test_export_of_the_filtered_list(in_tenant_a, client_a, admin_a):
    from tessera.records import service
    from tessera.security.access import SYSTEM

    service.create_records("account", [{"name": "Shown", "rating": "a"}, {"name": "Hidden", "rating": "b"}], SYSTEM)
    client_a.force_login(admin_a)
    assert client_a.get("/app/account/export/?f.rating=a").status_code == 200
    response = client_a.post("/app/account/export/", {"f.rating": "a", "format": "csv", "header": "labels"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Shown" in content and "Hidden" not in content


def test_a_large_export_goes_through_its_job_page(in_tenant_a, client_a, admin_a, monkeypatch):
    from tessera.records import service
    from tessera.security.access import SYSTEM
    from tessera.transfer import export

    monkeypatch.setattr(export, "INLINE_LIMIT", 1)
    service.create_records("account", [{"name": "One"}, {"name": "Two"}], SYSTEM)
    client_a.force_login(admin_a)
    response = client_a.post("/app/account/export/", {"format": "xlsx", "header": "labels"})
    assert response.status_code == 302
    job_page = response["Location"]
    assert b"<progress" in client_a.get(job_page).content
    job_id = int(job_page.rstrip("/").rsplit("/", 1)[1])
    jobs.run_job(job_id)
    polled = client_a.get(job_page, HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"
    assert b"?download=1" in client_a.get(job_page).content
    download = client_a.get(job_page + "?download=1")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
