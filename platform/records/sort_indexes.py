"""Indexing a field so a large object can be sorted on it: the offer a refused list makes to an
administrator (tessera.records.service refuses to sort more than SORT_UNINDEXED_LIMIT records on a
field without an index), and the progress of the background build it starts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from metadata.meta import FieldMeta
from metadata.services import update_field
from tessera.security.actor import Actor

from . import indexing
from .service import get_object_meta, unindexed_sort_fields


@dataclass(frozen=True)
class IndexProgress:
    state: str  # "missing", "building", "failed" or "ready"
    percent: int | None = None
    message: str = ""


@dataclass(frozen=True)
class IndexOffer:
    field: FieldMeta
    progress: IndexProgress
    indexable: bool  # a computed value cannot be indexed (a formula is stored first)


def sort_index_offers(object_api_name: str, sort: Sequence[str]) -> list[IndexOffer]:
    """For a list refused for sorting on fields without an index: each such field, where its index
    stands, and whether one can be built."""
    return [IndexOffer(f, sort_index_progress(object_api_name, f.api_name), indexing.can_be_indexed(f))
            for f in unindexed_sort_fields(object_api_name, sort)]


def index_for_sorting(object_api_name: str, field_api_name: str, actor: Actor) -> IndexProgress:
    """Mark the field indexed (the customise right is needed): a large object's index is then
    built by the background job records.build_field_index (fill the slot, CREATE INDEX
    CONCURRENTLY), whose progress sort_index_progress() reports."""
    update_field(object_api_name, field_api_name, {"indexed": True}, actor)
    return sort_index_progress(object_api_name, field_api_name)


def sort_index_progress(object_api_name: str, field_api_name: str) -> IndexProgress:
    """Where the field's sort index stands (read from the field and its build job, so it survives a
    reload)."""
    _tenant, obj = get_object_meta(object_api_name)
    field = obj.field(field_api_name)
    if field is None:
        return IndexProgress("missing")
    if indexing.sort_is_indexed(field):
        return IndexProgress("ready", 100)
    if not field.indexed:
        return IndexProgress("missing")
    job = indexing.latest_index_job(field.id)
    if job is None:
        return IndexProgress("building")
    return IndexProgress("failed" if job.status == job.Status.FAILED else "building", job.percent, job.message)
