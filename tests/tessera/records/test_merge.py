"""Merging two duplicate customers: the chosen values on the survivor, everything that pointed at the
other record moved, its history too, the other record in the recycle bin; who may merge; hidden
fields untouched; nothing half-done when a check fails."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tessera.errors import NotFound, PermissionDenied, ValidationFailed
from tessera.records import merge, service
from tessera.records.errors import StaleVersion
from tessera.records.models import RecordChange
from tessera.security.access import SYSTEM
from tessera.security.models import AuditEntry, Profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(in_tenant_a):
    return get_user_model().objects.create_user("merge-rep@alpha.test", None, full_name="Rep",
                                                profile=Profile.objects.get(api_name="salesperson"))


@pytest.fixture
def twins(rep):
    """Two accounts of the rep that are the same customer, each with related records."""
    keep = service.create_record("account", {"name": "华信科技", "owner": rep.pk, "phone": "0755-1",
                                             "industry": "it"}, SYSTEM, confirm_duplicates=True)
    other = service.create_record("account", {"name": "华信科技有限公司", "owner": rep.pk, "phone": None,
                                              "employees": 120, "industry": "manufacturing"}, SYSTEM,
                                  confirm_duplicates=True)
    service.update_record("account", other.id, {"description": "met at the fair"}, SYSTEM)
    contact = service.create_record("contact", {"name": "张伟", "owner": rep.pk, "account": other.id}, SYSTEM)
    deal = service.create_record("opportunity", {"name": "扩容", "owner": rep.pk, "account": other.id,
                                                 "amount": "1000", "close_date": "2026-12-01"}, SYSTEM)
    visit = service.create_record("activity", {"name": "拜访", "owner": rep.pk, "account": other.id,
                                               "type": "visit"}, SYSTEM)
    return {"keep": keep.id, "other": other.id, "contact": contact.id, "deal": deal.id, "visit": visit.id}


def test_merge_takes_the_chosen_values_and_moves_everything_to_the_survivor(rep, twins):
    done = merge.merge_records("account", twins["keep"], twins["other"],
                               {"name": "loser", "employees": "loser", "industry": "survivor"}, rep)
    survivor = done.record
    assert survivor.values["name"] == "华信科技有限公司" and survivor.values["employees"] == 120
    assert survivor.values["industry"] == "it" and survivor.values["phone"] == "0755-1"
    assert sorted(done.taken) == ["employees", "name"]
    assert done.moved == {"contact": 1, "opportunity": 1, "activity": 1}
    for obj, key in (("contact", "contact"), ("opportunity", "deal"), ("activity", "visit")):
        assert service.get_record(obj, twins[key], rep).values["account"] == twins["keep"]
    with pytest.raises(NotFound):
        service.get_record("account", twins["other"], rep)
    binned = service.get_record("account", twins["other"], rep, include_deleted=True)
    assert binned.deleted_at is not None
    history = service.record_history("account", twins["keep"], rep)
    assert history[0]["action"] == "merge" and history[0]["merged"] == twins["other"]
    actions = [entry["action"] for entry in history]
    assert actions.count("create") == 2  # the loser's history came along
    entry = AuditEntry.objects.filter(action="record.merge").latest("id")
    assert entry.target_id == str(twins["keep"]) and entry.detail["loser"] == twins["other"]


def test_only_someone_who_may_edit_the_survivor_and_delete_the_loser_merges(rep, twins, admin_a):
    peer = get_user_model().objects.create_user("merge-peer@alpha.test", None, full_name="Peer",
                                                profile=Profile.objects.get(api_name="salesperson"))
    with pytest.raises(NotFound):  # the peer reads neither
        merge.merge_records("account", twins["keep"], twins["other"], {}, peer)
    theirs = service.create_record("account", {"name": "Not yours", "owner": admin_a.pk}, SYSTEM)
    with pytest.raises(NotFound):
        merge.merge_records("account", twins["keep"], theirs.id, {}, rep)
    reader = get_user_model().objects.create_user("merge-reader@alpha.test", None, full_name="Reader",
                                                  profile=Profile.objects.get(api_name="read_only"))
    with pytest.raises(PermissionDenied):
        merge.merge_records("account", twins["keep"], twins["other"], {}, reader)
    with pytest.raises(ValidationFailed):
        merge.merge_records("account", twins["keep"], twins["keep"], {}, rep)
    assert service.get_record("account", twins["other"], rep).deleted_at is None


def test_hidden_fields_are_never_taken_from_the_loser(rep, twins, admin_a):
    from metadata.services import add_field
    from tessera.security.services import create_spec

    add_field("account", {"api_name": "secret_note", "type": "text", "labels": {"en": "Secret"}}, admin_a)
    spec = dict(Profile.objects.get(api_name="salesperson").spec)
    spec["objects"] = {"account": {"fields": {"secret_note": "hidden", "rating": "read_only"}}}
    create_spec("profile", {"api_name": "merge_hidden", "spec": spec}, admin_a)
    rep.profile = Profile.objects.get(api_name="merge_hidden")
    rep.save()
    service.update_record("account", twins["keep"], {"secret_note": "mine"}, SYSTEM)
    service.update_record("account", twins["other"], {"secret_note": "theirs", "rating": "a"}, SYSTEM)
    with pytest.raises(ValidationFailed) as hidden:
        merge.merge_records("account", twins["keep"], twins["other"], {"secret_note": "loser"}, rep)
    assert hidden.value.field_errors["secret_note"][0].code == "unknown_field"
    with pytest.raises(ValidationFailed) as read_only:
        merge.merge_records("account", twins["keep"], twins["other"], {"rating": "loser"}, rep)
    assert read_only.value.field_errors["rating"][0].code == "read_only"
    merge.merge_records("account", twins["keep"], twins["other"], {"name": "loser"}, rep)
    assert service.get_record("account", twins["keep"], SYSTEM).values["secret_note"] == "mine"


def test_a_merge_that_fails_a_check_changes_nothing(rep, twins):
    from metadata.services import update_object

    update_object("account", {"validation_rules": [{
        "api_name": "big_needs_phone", "formula": "AND(employees > 100, ISBLANK(phone))",
        "message": {"en": "A large customer needs a phone."}, "field": "phone"}]}, SYSTEM)
    before = RecordChange.objects.filter(record_id__in=[twins["keep"], twins["other"]]).count()
    with pytest.raises(ValidationFailed) as failed:
        merge.merge_records("account", twins["keep"], twins["other"], {"employees": "loser", "phone": "loser"}, rep)
    assert "phone" in failed.value.field_errors
    assert service.get_record("account", twins["other"], rep).deleted_at is None
    assert service.get_record("contact", twins["contact"], rep).values["account"] == twins["other"]
    assert service.get_record("account", twins["keep"], rep).values.get("employees") is None
    assert RecordChange.objects.filter(record_id__in=[twins["keep"], twins["other"]]).count() == before


def test_a_record_changed_since_the_comparison_is_a_conflict(rep, twins):
    compared = service.get_record("account", twins["other"], rep).version
    service.update_record("account", twins["other"], {"employees": 5}, SYSTEM)
    with pytest.raises(StaleVersion):
        merge.merge_records("account", twins["keep"], twins["other"], {"employees": "loser"}, rep,
                            versions={twins["other"]: compared})
    assert service.get_record("account", twins["other"], rep).deleted_at is None


def test_the_unique_value_of_the_loser_can_survive(rep, admin_a, make_object):
    from metadata.services import add_field

    add_field("account", {"api_name": "tax_id", "type": "text", "unique": True, "labels": {"en": "Tax id"}}, admin_a)
    keep = service.create_record("account", {"name": "A", "owner": rep.pk}, SYSTEM)
    other = service.create_record("account", {"name": "A2", "owner": rep.pk, "tax_id": "91440300"}, SYSTEM)
    done = merge.merge_records("account", keep.id, other.id, {"tax_id": "loser"}, rep)
    assert done.record.values["tax_id"] == "91440300"


def test_the_api_merges_and_answers_in_the_one_error_shape(client_a, rep, twins):
    client_a.force_login(rep)
    url = "/api/v1/records/account/merge/"
    bad = client_a.post(url, {"survivor": twins["keep"], "loser": twins["other"], "choices": {"nope": "loser"}},
                        content_type="application/json")
    assert bad.status_code == 400 and "nope" in bad.json()["errors"]
    done = client_a.post(url, {"survivor": twins["keep"], "loser": twins["other"], "choices": {"employees": "loser"}},
                         content_type="application/json")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["record"]["employees"] == "120" and body["moved"]["contact"] == 1 and body["taken"] == ["employees"]
    again = client_a.post(url, {"survivor": twins["keep"], "loser": twins["other"]}, content_type="application/json")
    assert again.status_code == 404


def test_records_in_the_recycle_bin_follow_the_merge_too(rep, twins):
    gone = service.create_record("contact", {"name": "离职联系人", "owner": rep.pk, "account": twins["other"]}, SYSTEM)
    service.delete_record("contact", gone.id, SYSTEM)
    done = merge.merge_records("account", twins["keep"], twins["other"], {}, rep)
    assert done.moved["contact"] == 1  # counted: the live one the rep reads (the bin's is not listed)
    restored = service.restore_record("contact", gone.id, SYSTEM)
    assert restored.values["account"] == twins["keep"]


def test_a_file_of_the_loser_survives_as_a_copy(rep, twins, admin_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from metadata.services import add_field
    from tessera.records.api.files import store_upload

    add_field("account", {"api_name": "license", "type": "file", "labels": {"en": "Business licence"}}, admin_a)
    upload = store_upload(SimpleUploadedFile("营业执照.pdf", b"%PDF-1.4 licence"), SYSTEM)
    service.update_record("account", twins["other"], {"license": upload["token"]}, SYSTEM)
    held = service.get_record("account", twins["other"], SYSTEM).values["license"]
    done = merge.merge_records("account", twins["keep"], twins["other"], {"license": "loser"}, rep)
    kept = done.record.values["license"]
    assert kept["name"] == "营业执照.pdf" and kept["path"] != held["path"]
    assert service.get_record("account", twins["other"], SYSTEM, include_deleted=True).values["license"] == held


def test_possible_duplicates_are_offered_among_the_records_one_may_read(rep, twins, admin_a):
    same = service.create_record("account", {"name": "华信科技", "owner": rep.pk}, SYSTEM, confirm_duplicates=True)
    theirs = service.create_record("account", {"name": "华信科技", "owner": admin_a.pk}, SYSTEM,
                                   confirm_duplicates=True)
    offered = merge.possible_duplicates("account", twins["keep"], rep)
    assert [m["id"] for m in offered] == [same.id]
    assert theirs.id in [m["id"] for m in merge.possible_duplicates("account", twins["keep"], admin_a)]


@pytest.mark.parametrize("case", ["survivor points at the loser", "loser's chosen parent is the survivor"])
def test_a_merged_customer_is_never_its_own_parent(rep, admin_a, case):
    """A lookup of the object to itself (parent account) that would make the survivor point at
    itself after the merge is cleared, and the merge still goes through (no stale-version error)."""
    from metadata.services import add_field

    add_field("account", {"api_name": "parent", "type": "lookup", "options": {"target": "account"},
                          "labels": {"en": "Parent account"}}, admin_a)
    keep = service.create_record("account", {"name": "Keep", "owner": rep.pk}, SYSTEM)
    other = service.create_record("account", {"name": "Other", "owner": rep.pk}, SYSTEM)
    daughter = service.create_record("account", {"name": "Daughter", "owner": rep.pk, "parent": other.id}, SYSTEM)
    if case == "survivor points at the loser":
        service.update_record("account", keep.id, {"parent": other.id}, SYSTEM)
        choices = {"name": "loser"}
    else:
        service.update_record("account", other.id, {"parent": keep.id}, SYSTEM)
        choices = {"name": "loser", "parent": "loser"}
    done = merge.merge_records("account", keep.id, other.id, choices, rep)
    assert done.record.values.get("parent") is None and done.record.values["name"] == "Other"
    assert service.get_record("account", keep.id, rep).values.get("parent") is None
    assert service.get_record("account", daughter.id, rep).values["parent"] == keep.id
