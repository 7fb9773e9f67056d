"""The layout designer's keyboard operations, each the alternative to a drag, on the working copy."""

from __future__ import annotations

from django.http import QueryDict

from ui_builder.setup import layout_state
from ui_builder.setup.layout_state import LayoutState, Section


def _state() -> LayoutState:
    return LayoutState(kind="edit", labels={"en": "Form"}, sections=[
        Section(labels={"en": "A"}, columns=2, items=[{"field": "name"}, {"field": "phone"}, {"field": "email"}]),
        Section(labels={"en": "B"}, columns=1, items=[{"field": "city", "required": True}]),
    ])


def _fields(state: LayoutState) -> list[list[str]]:
    return [[i["field"] for i in s.items] for s in state.sections]


def test_up_and_down_cross_into_the_neighbouring_section():
    state = _state()
    layout_state.apply(state, "up:phone", QueryDict())
    assert _fields(state) == [["phone", "name", "email"], ["city"]]
    layout_state.apply(state, "down:email", QueryDict())
    assert _fields(state) == [["phone", "name"], ["email", "city"]]
    layout_state.apply(state, "up:email", QueryDict())
    assert _fields(state) == [["phone", "name", "email"], ["city"]]


def test_move_to_a_section_or_off_the_layout_and_back_keeps_the_flags():
    state = _state()
    layout_state.apply(state, "move:city", QueryDict("dest_city=0"))
    assert _fields(state) == [["name", "phone", "email", "city"], []]
    assert state.sections[0].items[-1] == {"field": "city", "required": True}
    layout_state.apply(state, "move:phone", QueryDict("dest_phone=palette"))
    assert "phone" not in state.placed()
    layout_state.apply(state, "add:phone", QueryDict("dest_phone=1"))
    assert _fields(state) == [["name", "email", "city"], ["phone"]]
    layout_state.apply(state, "move:email", QueryDict("dest_email=9"))  # nowhere: stays
    assert _fields(state)[0] == ["name", "email", "city"]


def test_sections_are_added_moved_and_removed_without_losing_fields():
    state = _state()
    layout_state.apply(state, "add_section", QueryDict())
    assert len(state.sections) == 3
    layout_state.apply(state, "section_up:1", QueryDict())
    assert [s.labels.get("en") for s in state.sections] == ["B", "A", None]
    layout_state.apply(state, "remove_section:1", QueryDict())
    assert _fields(state) == [["city", "name", "phone", "email"], []]


def test_the_form_reads_back_as_the_changes_the_service_saves():
    post = QueryDict(mutable=True)
    post.update({"label_en": "Form", "s0_columns": "3", "s0_label_en": "Main", "flags_city": "required"})
    post.setlist("section", ["0"])
    post.setlist("s0_item", ["name", "city"])
    state = layout_state.from_post(post, "edit")
    assert state.changes() == {"labels": {"en": "Form"}, "sections": [
        {"labels": {"en": "Main"}, "columns": 3, "items": [{"field": "name"}, {"field": "city", "required": True}]}]}
