"""The layout designer's working copy: read from a layout, or from the designer's form as posted
(every drag and every keyboard move only rearranges that form), changed by one keyboard operation
("move up", "move to section 2", "add a section"…), and turned into the changes the layout service
saves. Nothing here decides what a valid layout is: the service does, and its errors are shown."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from metadata.labels import ui_languages
from metadata.meta import LayoutMeta, ObjectMeta, TenantMeta

MAX_SECTIONS = 50
PALETTE = "palette"


@dataclass
class Section:
    labels: dict[str, str]
    columns: int
    #: Layout items: {"field": name, "required"?: bool, "read_only"?: bool}.
    items: list[dict]


@dataclass
class LayoutState:
    kind: str
    labels: dict[str, str]
    sections: list[Section]
    compact_fields: list[str] = field(default_factory=list)
    path_field: str = ""
    related_lists: list[dict] = field(default_factory=list)

    def placed(self) -> set[str]:
        return {item["field"] for section in self.sections for item in section.items}

    def changes(self) -> dict:
        """What update_layout is given."""
        changes: dict = {
            "labels": _labels(self.labels) or None,  # None: no labels (the schema wants none empty)
            "sections": [{**({"labels": _labels(s.labels)} if _labels(s.labels) else {}), "columns": s.columns,
                          "items": s.items} for s in self.sections],
        }
        if self.kind == "view":
            changes["compact_fields"] = self.compact_fields
            changes["path_field"] = self.path_field or None
            changes["related_lists"] = self.related_lists
        return changes


def _labels(labels: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in labels.items() if v}


def from_layout(layout: LayoutMeta) -> LayoutState:
    return LayoutState(
        kind=layout.kind, labels=dict(layout.labels),
        sections=[Section(labels=dict(s.labels), columns=s.columns,
                          items=[_item(i.field, i.required, i.read_only) for i in s.items]) for s in layout.sections],
        compact_fields=list(layout.compact_fields), path_field=layout.path_field or "",
        related_lists=[{"object": r.object, "field": r.field, "columns": list(r.columns),
                        **({"sort": list(r.sort)} if r.sort else {}), **({"labels": dict(r.labels)} if r.labels else {})}
                       for r in layout.related_lists])


def _item(name: str, required: bool = False, read_only: bool = False) -> dict:
    item: dict = {"field": name}
    if required:
        item["required"] = True
    if read_only:
        item["read_only"] = True
    return item


def from_post(post, kind: str) -> LayoutState:
    """The designer's form: `section` lists the sections' numbers in order; section k has
    `s<k>_label_<language>`, `s<k>_columns` and its items `s<k>_item` in their order (an item's
    flags ride along as `flags_<field>`); related list r has `rl<r>_relation` and `rl<r>_columns`."""
    languages = ui_languages()
    sections = []
    for k in post.getlist("section")[:MAX_SECTIONS]:
        columns = post.get(f"s{k}_columns", "2")
        sections.append(Section(
            labels={code: post.get(f"s{k}_label_{code}", "").strip() for code in languages},
            columns=int(columns) if columns in ("1", "2", "3") else 2,
            items=[_item(name, *_flags(post.get(f"flags_{name}", ""))) for name in post.getlist(f"s{k}_item")]))
    related = []
    for r in post.getlist("rl"):
        object_name, _sep, field_name = post.get(f"rl{r}_relation", "").partition(".")
        if object_name and field_name:
            entry: dict = {"object": object_name, "field": field_name, "columns": post.getlist(f"rl{r}_columns")}
            labels = {code: post.get(f"rl{r}_label_{code}", "").strip() for code in languages}
            if any(labels.values()):
                entry["labels"] = {k: v for k, v in labels.items() if v}
            if post.get(f"rl{r}_sort"):
                entry["sort"] = [post[f"rl{r}_sort"]]
            related.append(entry)
    return LayoutState(kind=kind, labels={code: post.get(f"label_{code}", "").strip() for code in languages},
                       sections=sections, compact_fields=post.getlist("compact")[:6],
                       path_field=post.get("path_field", ""), related_lists=related)


def _flags(text: str) -> tuple[bool, bool]:
    flags = set(text.split(","))
    return "required" in flags, "read_only" in flags


# --- keyboard operations (the alternative to every drag) ------------------------------------------


def apply(state: LayoutState, op: str, post) -> None:
    """One operation from a designer button: `up:<field>`, `down:<field>`, `move:<field>` (to the
    section chosen in `dest_<field>`, or back to the palette), `add:<field>` (from the palette to
    `dest_<field>`), `add_section`, `remove_section:<n>`, `section_up:<n>`, `add_related`,
    `remove_related:<n>`. Unknown or stale operations change nothing."""
    verb, _sep, arg = op.partition(":")
    if verb in ("up", "down"):
        _shift(state, arg, -1 if verb == "up" else 1)
    elif verb in ("move", "add"):
        _move(state, arg, post.get(f"dest_{arg}", ""))
    elif verb == "add_section" and len(state.sections) < MAX_SECTIONS:
        state.sections.append(Section(labels={}, columns=2, items=[]))
    elif verb == "remove_section" and arg.isdigit() and int(arg) < len(state.sections) and len(state.sections) > 1:
        gone = state.sections.pop(int(arg))
        state.sections[max(0, int(arg) - 1)].items.extend(gone.items)  # its fields stay on the layout
    elif verb == "section_up" and arg.isdigit() and 0 < int(arg) < len(state.sections):
        n = int(arg)
        state.sections[n - 1], state.sections[n] = state.sections[n], state.sections[n - 1]
    elif verb == "add_related" and post.get("new_relation"):
        object_name, _sep, field_name = post["new_relation"].partition(".")
        state.related_lists.append({"object": object_name, "field": field_name, "columns": []})
    elif verb == "remove_related" and arg.isdigit() and int(arg) < len(state.related_lists):
        state.related_lists.pop(int(arg))


def _find(state: LayoutState, name: str) -> tuple[int, int] | None:
    for s, section in enumerate(state.sections):
        for i, item in enumerate(section.items):
            if item["field"] == name:
                return s, i
    return None


def _shift(state: LayoutState, name: str, step: int) -> None:
    """Up or down within its section; past the section's edge, into the neighbouring section."""
    where = _find(state, name)
    if where is None:
        return
    s, i = where
    items = state.sections[s].items
    j = i + step
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
    elif 0 <= s + step < len(state.sections):
        item = items.pop(i)
        target = state.sections[s + step].items
        target.insert(len(target) if step < 0 else 0, item)


def _move(state: LayoutState, name: str, dest: str) -> None:
    where = _find(state, name)
    item = state.sections[where[0]].items.pop(where[1]) if where else _item(name)
    if dest == PALETTE:
        return
    if dest.isdigit() and int(dest) < len(state.sections):
        state.sections[int(dest)].items.append(item)
    elif where:  # nowhere valid to go: put it back
        state.sections[where[0]].items.insert(where[1], item)


# --- what the page shows -----------------------------------------------------------------------


def relations(tenant: TenantMeta, obj: ObjectMeta, language: str) -> list[tuple[str, str]]:
    """Related lists this object can show: ("<child object>.<lookup>", "Contacts (Account)")."""
    found = []
    for child in tenant.objects.values():
        for f in child.fields:
            if f.type.target(f) == obj.api_name:
                found.append((f"{child.api_name}.{f.api_name}", f"{child.label(language, plural=True)} ({f.label(language)})"))
    return found


def copied_sections(layout: LayoutMeta | None) -> list[dict]:
    """The sections of a layout, to start a new one from."""
    if layout is None:
        return [{"columns": 2, "items": []}]
    return copy.deepcopy(from_layout(layout).changes()["sections"])
