"""The change history read as differences, and "revert this change": through the same services as the
change, so the same validation applies and the revert is a change in the history itself."""

from __future__ import annotations

import pytest

from metadata.cache import get_meta
from metadata.models import MetadataChange
from metadata.services import add_field, delete_field, history, update_field, update_layout, update_object
from metadata.services.layouts import delete_layout
from tessera.errors import PermissionDenied, ValidationFailed
from tessera.records import service
from tests.helpers.metadata_api import labels, picklist_values

pytestmark = pytest.mark.django_db


def _last() -> MetadataChange:
    return MetadataChange.objects.order_by("-id").first()


@pytest.fixture
def gadget(make_object):
    return make_object("gadget", fields=[
        {"api_name": "code", "type": "text"},
        {"api_name": "size", "type": "picklist", "options": {"values": picklist_values("s", "m", "l")}},
    ])


def test_a_deleted_field_is_restored_with_its_values_and_the_revert_is_in_the_history(gadget, admin_a):
    record = service.create_record("gadget", {"name": "G1", "code": "A-1"}, admin_a)
    delete_field("gadget", "code", admin_a)
    deletion = _last()
    assert "code" not in service.get_record("gadget", record.id, admin_a).values

    written = history.revert_change(deletion.pk, admin_a)

    assert [(c.entity, c.action, c.reverts) for c in written] == [("field", "restore", deletion.pk)]
    assert service.get_record("gadget", record.id, admin_a).values["code"] == "A-1"
    assert "code" in [i.field for s in get_meta().objects["gadget"].layouts["default_edit"].sections for i in s.items]
    entry = history.get_change(deletion.pk, admin_a)
    assert entry.reverted_by == (written[0].pk,) and entry.object.api_name == "gadget" and entry.name == "code"


def test_a_label_change_is_reverted_and_reverting_the_revert_applies_it_again(gadget, admin_a):
    update_field("gadget", "code", {"labels": labels("Product code", "产品编号"), "help_text": {"en": "On the box"}},
                 admin_a)
    change = _last()
    entry = history.get_change(change.pk, admin_a)
    assert {(d.path, d.before, d.after) for d in entry.differences} == {
        ("Label › en", "Code", "Product code"), ("Label › zh-hans", "—", "产品编号"),
        ("Help text › en", "—", "On the box")}

    [revert] = history.revert_change(change.pk, admin_a)
    field = get_meta().objects["gadget"].fields_by_name["code"]
    assert field.label("en") == "Code" and not field.help_text and revert.reverts == change.pk

    history.revert_change(revert.pk, admin_a)
    assert get_meta().objects["gadget"].fields_by_name["code"].label("zh-hans") == "产品编号"


def test_a_picklist_change_is_reverted(gadget, admin_a):
    update_field("gadget", "size", {"options": {"values": picklist_values("s", "m", "l", "xl")}}, admin_a)
    change = _last()
    history.revert_change(change.pk, admin_a)
    size = get_meta().objects["gadget"].fields_by_name["size"]
    assert size.type.choice_keys(size) == ["s", "m", "l"]


def test_layout_changes_and_deletions_are_reverted(gadget, admin_a):
    layout = get_meta().objects["gadget"].layouts["default_edit"]
    sections = [{"labels": {"en": "Main"}, "columns": 1, "items": [{"field": "name"}, {"field": "size"}]}]
    update_layout("gadget", "default_edit", {"sections": sections}, admin_a)
    change = _last()
    shown = {(d.path, d.before, d.after) for d in history.get_change(change.pk, admin_a).differences}
    assert ("Section › 1 › Label › en", "Details", "Main") in shown
    assert ("Section › 1 › Fields", "name, owner, code, size", "name, size") in shown

    history.revert_change(change.pk, admin_a)
    after = get_meta().objects["gadget"].layouts["default_edit"]
    assert [[i.field for i in s.items] for s in after.sections] == [[i.field for i in s.items] for s in layout.sections]

    delete_layout("gadget", "default_view", admin_a)
    history.revert_change(_last().pk, admin_a)
    assert "default_view" in get_meta().objects["gadget"].layouts


def test_an_object_relabel_is_reverted(gadget, admin_a):
    update_object("gadget", {"labels": {"en": {"singular": "Widget"}}}, admin_a)
    history.revert_change(_last().pk, admin_a)
    assert get_meta().objects["gadget"].label("en") == "Gadget"


def test_a_revert_goes_through_the_services_validation(gadget, admin_a):
    update_field("gadget", "code", {"labels": labels("Product code")}, admin_a)
    relabel = _last()
    add_field("gadget", {"api_name": "other", "type": "text", "labels": labels("Code")}, admin_a)
    version = get_meta().version
    try:
        history.revert_change(relabel.pk, admin_a)
    except ValidationFailed:
        assert get_meta().version == version  # refused: nothing written
    else:  # the engine allows two fields one label: then the revert simply applied
        assert get_meta().objects["gadget"].fields_by_name["code"].label("en") == "Code"


def test_what_cannot_be_reverted_and_who_may_not(gadget, admin_a, user_a):
    creation = MetadataChange.objects.filter(entity="object", action="create").order_by("-id").first()
    assert not history.get_change(creation.pk, admin_a).revertible
    with pytest.raises(ValidationFailed):
        history.revert_change(creation.pk, admin_a)
    with pytest.raises(PermissionDenied):
        history.revert_change(creation.pk, user_a)
    with pytest.raises(PermissionDenied):
        history.change_history(user_a)


def test_the_history_of_one_object_pages_newest_first(gadget, make_object, admin_a):
    make_object("other")
    entries, next_before = history.change_history(admin_a, object_api_name="gadget", limit=2)
    assert [e.object.api_name for e in entries] == ["gadget", "gadget"] and next_before == entries[-1].change.pk
    older, _next = history.change_history(admin_a, object_api_name="gadget", before=next_before, limit=50)
    assert older and all(e.change.pk < next_before for e in older)
