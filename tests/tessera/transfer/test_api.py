"""The import and export API: upload and check or import in one call, follow the run, download the
refused rows; export a filtered list."""

from __future__ import annotations

import io
import json

from tessera.core import jobs
from tessera.records import service
from tessera.security.access import SYSTEM


def test_import_through_the_api(in_tenant_a, client_a, admin_a):
    client_a.force_login(admin_a)
    body = b"Name,Employees\r\nOne,1\r\nTwo,many\r\n"
    options = {"settings": {"mode": "insert"}, "run": "import"}
    response = client_a.post("/api/v1/imports/account/", {"file": io.BytesIO(body), "options": json.dumps(options)})
    assert response.status_code == 202, response.content
    run = response.json()
    assert run["status"] == "running" and run["job"]["status"] == "queued"
    jobs.run_job(run["job"]["id"])
    detail = client_a.get(f"/api/v1/imports/account/{run['id']}/").json()
    assert (detail["status"], detail["inserted"], detail["errors"]) == ("done", 1, 1)
    errors = client_a.get(f"/api/v1/imports/account/{run['id']}/errors/")
    content = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert "Two,many," in content
    history = client_a.get("/api/v1/imports/account/").json()["results"]
    assert [h["id"] for h in history] == [run["id"]]
    assert client_a.get(f"/api/v1/imports/contact/{run['id']}/").status_code == 404


def test_an_upload_without_running_answers_with_a_preview(in_tenant_a, client_a, admin_a):
    client_a.force_login(admin_a)
    response = client_a.post("/api/v1/imports/account/", {"file": io.BytesIO("客户名称\r\n华为\r\n".encode("gbk"))})
    assert response.status_code == 201
    assert response.json()["preview"]["rows"] == [["华为"]]
    assert response.json()["mapping"][0]["field"] == "name"


def test_export_through_the_api(in_tenant_a, client_a, admin_a):
    client_a.force_login(admin_a)
    service.create_records("account", [{"name": "Exported", "rating": "a"}, {"name": "Not", "rating": "b"}], SYSTEM)
    response = client_a.post("/api/v1/exports/account/", {"filters": {"rating": "a"}, "fields": ["name"],
                                                          "format": "csv"}, content_type="application/json")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode("utf-8-sig").split("\r\n")[1] == "Exported"
