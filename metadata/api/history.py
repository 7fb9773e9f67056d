"""Reading the metadata change history (MetadataChange rows), newest first, a keyset page at a time.

The history is not part of the compiled snapshot, so it is read from its table here; like every
metadata use case it asks the permission service first (only administrators see it).
"""

from __future__ import annotations

from dataclasses import dataclass

from metadata.models import MetadataChange
from tessera.security.access import require_customise
from tessera.security.actor import Actor

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class ChangePage:
    changes: list[MetadataChange]
    #: The id to pass as `before` for the next (older) page; None on the last page.
    next_before: int | None


def metadata_changes(actor: Actor, *, before: int | None = None, limit: int = DEFAULT_LIMIT,
                     entity: str | None = None, entity_id: int | None = None) -> ChangePage:
    require_customise(actor)
    rows = MetadataChange.objects.select_related("changed_by").order_by("-id")
    if before is not None:
        rows = rows.filter(id__lt=before)
    if entity:
        rows = rows.filter(entity=entity)
    if entity_id is not None:
        rows = rows.filter(entity_id=entity_id)
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return ChangePage(changes=page, next_before=page[-1].pk if more and page else None)
