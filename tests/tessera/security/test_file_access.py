"""Files are reached through records: a file downloads only for a user who may read a record holding
it, in a field they may read; an upload token is a short-lived, single-use capability of its
uploader that never shows in a record and downloads nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.helpers.security import field_codes

pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.4 the contract"


@pytest.fixture
def contracts(org, admin_a, settings, tmp_path):
    """account.contract (a file field); rep's account holds a contract rep uploaded."""
    from metadata.services import add_field

    settings.MEDIA_ROOT = str(tmp_path)
    add_field("account", {"api_name": "contract", "type": "file", "labels": {"en": "Contract"}}, admin_a)
    rep = org.client(org.rep)
    token = upload(rep)
    record = rep.post("/api/v1/records/account/", {"name": "Contract Co", "contract": token},
                      content_type="application/json")
    assert record.status_code == 201, record.json()
    return {"rep": rep, "peer": org.client(org.rep_peer), "record": record.json(), "token": token}


def upload(client) -> str:
    response = client.post("/api/v1/files/", {"file": SimpleUploadedFile("contract.pdf", CONTENT,
                                                                         content_type="application/pdf")})
    assert response.status_code == 201, response.json()
    return response.json()["token"]


def download(client, url):
    response = client.get(url)
    return response.status_code, b"".join(response.streaming_content) if response.status_code == 200 else b""


def test_a_file_downloads_only_through_a_record_the_reader_may_read(contracts, org, admin_a):
    from tessera.security.services.sharing import share_record

    rep, peer, record = contracts["rep"], contracts["peer"], contracts["record"]
    url = record["contract"]["url"]
    assert download(rep, url) == (200, CONTENT)
    # rep_peer may not open rep's account: the file is unknown to them, as is the record.
    assert download(peer, url)[0] == 404
    assert peer.get(f"/api/v1/records/account/{record['id']}/").status_code == 404
    # Nor does filtering on the file field tell them anything about records they may not read.
    assert peer.get("/api/v1/records/account/?contract__isnull=false").json()["results"] == []
    # Shared with them, the record and its file open; unshared, both close again.
    share = share_record("account", record["id"], {"user": org.rep_peer.pk, "access": "read"}, admin_a)
    assert download(peer, url) == (200, CONTENT)
    from tessera.security.services.sharing import unshare_record

    unshare_record("account", record["id"], share.pk, admin_a)
    assert download(peer, url)[0] == 404


def test_a_file_in_a_hidden_field_is_not_served(contracts, org, admin_a):
    from tessera.security.models import Profile
    from tessera.security.services import create_spec, update_user

    spec = dict(Profile.objects.get(api_name="salesperson").spec)
    spec["objects"] = {"account": {"fields": {"contract": "hidden"}}}
    create_spec("profile", {"api_name": "no_contracts", "spec": spec}, admin_a)
    update_user(org.rep.pk, {"profile": "no_contracts"}, admin_a)
    rep, record = contracts["rep"], contracts["record"]
    assert download(rep, record["contract"]["url"])[0] == 404
    detail = rep.get(f"/api/v1/records/account/{record['id']}/")
    assert detail.status_code == 200 and "contract" not in detail.json()
    probe = rep.get("/api/v1/records/account/?contract__isnull=false")
    assert probe.status_code == 400 and field_codes(probe) == {"contract__isnull": ["unknown_field"]}


def test_an_upload_token_is_a_single_use_capability_of_its_uploader(contracts, monkeypatch):
    rep, peer, record = contracts["rep"], contracts["peer"], contracts["record"]
    # Never part of a record, and never a download.
    assert "token" not in record["contract"] and contracts["token"] not in str(record)
    assert rep.get(f"/api/v1/files/{contracts['token']}/").status_code == 404
    # Used once already.
    again = rep.post("/api/v1/records/account/", {"name": "Again Co", "contract": contracts["token"]},
                     content_type="application/json")
    assert again.status_code == 400 and field_codes(again) == {"contract": ["invalid_file"]}
    # Someone else's.
    fresh = upload(rep)
    stolen = peer.post("/api/v1/records/account/", {"name": "Stolen Co", "contract": fresh},
                       content_type="application/json")
    assert stolen.status_code == 400 and field_codes(stolen) == {"contract": ["invalid_file"]}
    # Nor can a record's download url attach its file to another record.
    copied = rep.post("/api/v1/records/account/", {"name": "Copy Co", "contract": record["contract"]},
                      content_type="application/json")
    assert copied.status_code == 400 and field_codes(copied) == {"contract": ["invalid_file"]}
    # A write that fails gives the token back; the uploader then uses it.
    failed = rep.post("/api/v1/records/account/", {"name": "Bad Co", "contract": fresh, "rating": "nope"},
                      content_type="application/json")
    assert failed.status_code == 400 and "contract" not in field_codes(failed)
    used = rep.post("/api/v1/records/account/", {"name": "Good Co", "contract": fresh},
                    content_type="application/json")
    assert used.status_code == 201, used.json()
    # Short-lived.
    import metadata.fieldtypes.files as files

    late = upload(rep)
    monkeypatch.setattr(files, "TOKEN_MAX_AGE", -1)
    expired = rep.post("/api/v1/records/account/", {"name": "Late Co", "contract": late},
                       content_type="application/json")
    assert expired.status_code == 400 and field_codes(expired) == {"contract": ["invalid_file"]}


def test_a_record_sent_back_unchanged_keeps_its_file(contracts):
    rep, record = contracts["rep"], contracts["record"]
    whole = rep.get(f"/api/v1/records/account/{record['id']}/").json()
    whole.pop("account_number", None)
    back = rep.patch(f"/api/v1/records/account/{record['id']}/", {**whole, "phone": "+86 21 0000 0000"},
                     content_type="application/json")
    assert back.status_code == 200, back.json()
    assert back.json()["contract"]["name"] == "contract.pdf"
    assert download(rep, back.json()["contract"]["url"]) == (200, CONTENT)
