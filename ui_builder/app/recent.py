"""Recent items: the records a user opened last, kept in their session (newest first)."""

from __future__ import annotations

from typing import Any

MAX_RECENT = 10
SESSION_KEY = "tessera_recent"


def remember(request, object_api_name: str, record_id: int, name: str | None) -> None:
    items = [item for item in request.session.get(SESSION_KEY, [])
             if (item["object"], item["id"]) != (object_api_name, record_id)]
    items.insert(0, {"object": object_api_name, "id": record_id, "name": name or f"#{record_id}"})
    request.session[SESSION_KEY] = items[:MAX_RECENT]


def forget(request, object_api_name: str, record_id: int) -> None:
    request.session[SESSION_KEY] = [item for item in request.session.get(SESSION_KEY, [])
                                    if (item["object"], item["id"]) != (object_api_name, record_id)]


def recent_items(request) -> list[dict[str, Any]]:
    return list(request.session.get(SESSION_KEY, []))
