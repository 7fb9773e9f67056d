"""Names in a file → the records and users they mean: lookup columns and the owner column.

A lookup column holds the parent's name (or another of its unique fields, e.g. an external id);
a name that matches no record is an error (or, when the importer asks, a new parent record named
so), a name that matches two records is an error naming both — never a guess. Only records the
importer may read are candidates, so an import reveals nothing about the others.

The owner column (and any user field) holds a user's e-mail or full name; an e-mail wins, a name
shared by two users is an error.

Names resolved once are remembered for the rest of the run (bounded, `CACHE_SIZE` per field);
parents created in a batch are remembered only once that batch committed (`commit` / `rollback`),
so a batch that rolled back leaves no id of a record that no longer exists behind.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from tessera.errors import TesseraError
from tessera.records import service as records
from tessera.records.pipeline import UserNotFound, find_users
from tessera.security.actor import Actor

CACHE_SIZE = 200_000
#: Names asked for in one query (list pages hold at most records.MAX_PAGE rows).
CHUNK = 100


class Unresolved(ValueError):
    """A name that names no record, or several: the message says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def match_fields(tenant: TenantMeta, target: ObjectMeta) -> list[FieldMeta]:
    """The fields of `target` a lookup column may name its parent by: the name field, then unique
    fields."""
    name = target.field(target.name_field)
    unique = [f for f in target.fields if f.unique and f.api_name != target.name_field]
    return [f for f in (name, *unique) if f is not None]


@dataclass
class _FieldCache:
    found: OrderedDict[str, int | Unresolved] = field(default_factory=OrderedDict)
    pending: dict[str, int] = field(default_factory=dict)

    def remember(self, text: str, value: int | Unresolved) -> None:
        self.found[text] = value
        if len(self.found) > CACHE_SIZE:
            self.found.popitem(last=False)


class Resolver:
    """Resolves the references of one import run, for `actor` (whose visibility applies)."""

    def __init__(self, tenant: TenantMeta, actor: Actor) -> None:
        self.tenant = tenant
        self.actor = actor
        self._caches: dict[tuple[str, str], _FieldCache] = {}
        self.created = 0

    def _cache(self, target: str, by: str) -> _FieldCache:
        return self._caches.setdefault((target, by), _FieldCache())

    def records(self, target: ObjectMeta, by: FieldMeta, texts: Iterable[str], *,
                create_missing: bool = False) -> dict[str, int | Unresolved]:
        """text → record id (or Unresolved) for each distinct text."""
        cache = self._cache(target.api_name, by.api_name)
        wanted = {t for t in texts if t}
        answer: dict[str, int | Unresolved] = {}
        for text in wanted:
            known = cache.pending.get(text) or cache.found.get(text)
            if known is not None:
                answer[text] = known
        missing = sorted(wanted - answer.keys())
        try:
            for start in range(0, len(missing), CHUNK):
                answer.update(self._query(target, by, missing[start:start + CHUNK], cache))
        except TesseraError as exc:  # the importer may not read the parents: each row says so
            answer.update({text: Unresolved(exc.code, str(exc.message)) for text in missing})
            return answer
        if create_missing:
            self._create(target, by, answer, cache)
        return answer

    def _query(self, target: ObjectMeta, by: FieldMeta, texts: list[str],
               cache: _FieldCache) -> dict[str, int | Unresolved]:
        ids: dict[str, list[int]] = {t: [] for t in texts}
        page = records.list_records(target.api_name, self.actor, filters=[(f"{by.api_name}__in", texts)],
                                    fields=[by.api_name], limit=records.MAX_PAGE, sort=["id"])
        while True:
            for record in page.records:
                value = record.get(by.api_name)
                if value is not None and str(value) in ids and record.id is not None:
                    ids[str(value)].append(record.id)
            if page.next_cursor is None:
                break
            page = records.list_records(target.api_name, self.actor, filters=[(f"{by.api_name}__in", texts)],
                                        fields=[by.api_name], limit=records.MAX_PAGE, sort=["id"],
                                        cursor=page.next_cursor)
        answer: dict[str, int | Unresolved] = {}
        for text, found in ids.items():
            if len(found) == 1:
                answer[text] = found[0]
            elif found:
                answer[text] = Unresolved("ambiguous", _(
                    "“%(name)s” matches %(count)d %(object)s records (ids %(ids)s): use a unique field, or make "
                    "the names differ.") % {"name": text, "count": len(found), "object": target.label(get_language()),
                                            "ids": ", ".join(map(str, found[:5]))})
            else:
                answer[text] = Unresolved("not_found", _("No %(object)s named “%(name)s”.")
                                          % {"object": target.label(get_language()), "name": text})
            if not isinstance(answer[text], Unresolved) or len(found) > 1:
                cache.remember(text, answer[text])
        return answer

    def _create(self, target: ObjectMeta, by: FieldMeta, answer: dict[str, int | Unresolved],
                cache: _FieldCache) -> None:
        """Create the parents named by texts that matched nothing (the batch's transaction holds them)."""
        new = [t for t, v in answer.items() if isinstance(v, Unresolved) and v.code == "not_found"]
        for start in range(0, len(new), records.MAX_BULK):
            chunk = new[start:start + records.MAX_BULK]
            results = records.create_records(target.api_name, [{by.api_name: t} for t in chunk], self.actor,
                                             all_or_nothing=False, confirm_duplicates=True, represent=False)
            for text, result in zip(chunk, results, strict=True):
                if result.record_id is not None:
                    answer[text] = cache.pending[text] = result.record_id
                    self.created += 1

    def commit(self) -> None:
        """The batch committed: parents it created are real."""
        for cache in self._caches.values():
            for text, record_id in cache.pending.items():
                cache.remember(text, record_id)
            cache.pending.clear()

    def rollback(self) -> None:
        """The batch rolled back: forget the parents it created."""
        for cache in self._caches.values():
            self.created -= len(cache.pending)
            cache.pending.clear()

    def users(self, texts: Iterable[str]) -> dict[str, int | Unresolved]:
        """text (an e-mail or a full name) → active user id (or Unresolved)."""
        cache = self._cache("", "user")
        wanted = {t for t in texts if t}
        answer: dict[str, int | Unresolved] = {t: cache.found[t] for t in wanted if t in cache.found}
        missing = sorted(wanted - answer.keys())
        if not missing:
            return answer
        for text, user in find_users(missing).items():
            answer[text] = Unresolved(user.code, user.message) if isinstance(user, UserNotFound) else user
            cache.remember(text, answer[text])
        return answer


def lookup_target(tenant: TenantMeta, field: FieldMeta) -> ObjectMeta | None:
    """The object a lookup field points at (None: a user field, or not a reference)."""
    target = field.type.target(field) if field.type.is_reference else None
    return tenant.object(target) if target else None
