"""The security API's operations are documented under their own tag, with the error responses of
the one API base (tessera.api.base)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from tessera.api.base import documented

F = TypeVar("F", bound=Callable[..., Any])


def doc(summary: str, **kwargs: Any) -> Callable[[F], F]:
    return documented(summary, tags=["security"], **kwargs)
