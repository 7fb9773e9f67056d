"""What every API view shares: JSON in and out, the shape checks of the input (a JSON object body,
booleans and whole numbers in query strings), object-or-404, and the documented error responses.

Views check only the SHAPE of the input; the services validate the content and check the actor's
rights, and their domain errors become HTTP in the one exception handler (tessera.api.exceptions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, overload

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from tessera.errors import NotFound, ValidationFailed

from .parsers import JSONParser

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

#: The words a query-string boolean may be, in any case (`?count=on`, `?deleted=1`, `?x=no`); an
#: empty value is false.
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off", ""})

#: The error responses every operation may give, all in the one error shape.
ERRORS = {400: OpenApiResponse(OpenApiTypes.OBJECT, description="{errors, non_field_errors}"),
          403: OpenApiResponse(OpenApiTypes.OBJECT), 404: OpenApiResponse(OpenApiTypes.OBJECT)}


class JSONOnly(BaseContentNegotiation):
    """Always JSON: `?format=` is not special (a tenant may well have a field named format)."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        content_type = (request.content_type or "").split(";")[0].strip()
        return next((p for p in parsers if p.media_type == content_type), None)

    def select_renderer(self, request: Request, renderers: Sequence[BaseRenderer],  # type: ignore[override]
                        format_suffix: str | None = None) -> tuple[BaseRenderer, str]:  # (DRF passes a list)
        return renderers[0], renderers[0].media_type


class ApiView(APIView):
    """The base of every API view: JSON in (tessera.api.parsers: the request limits), JSON out;
    authentication and permissions are the project defaults (an authenticated tenant user) unless a
    view says otherwise."""

    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    content_negotiation_class = JSONOnly


def documented(summary: str | None = None, *, tags: list[str] | None = None, request: Any = None,
               responses: dict | None = None, parameters: Iterable[Any] = (), **kwargs: Any) -> Callable[[F], F]:
    """extend_schema with the error responses every operation may give."""
    return extend_schema(summary=summary, request=request, parameters=list(parameters), tags=tags,
                         responses={**(responses or {200: OpenApiTypes.OBJECT}), **ERRORS}, **kwargs)


def json_object(request: Request, message: str | None = None) -> dict:
    """The request body, which must be a JSON object (a copy: views and services may change it)."""
    data = request.data
    if not isinstance(data, dict):
        raise ValidationFailed.single(None, "invalid", message or _("Send a JSON object."))
    return dict(data)


def parse_bool(text: str, name: str) -> bool:
    """A boolean written in a query string: true/false, 1/0, yes/no, on/off (any case), '' is false."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationFailed.single(name, "invalid", _("Use true or false."))


def bool_param(request: Request, name: str, default: bool = False) -> bool:
    """The boolean query parameter `name`, `default` when it is absent."""
    raw = request.query_params.get(name)
    return default if raw is None else parse_bool(raw, name)


@overload
def int_param(request: Request, name: str, *, default: int, low: int | None = None,
              high: int | None = None) -> int: ...
@overload
def int_param(request: Request, name: str, *, default: None = None, low: int | None = None,
              high: int | None = None) -> int | None: ...
def int_param(request: Request, name: str, *, default: int | None = None, low: int | None = None,
              high: int | None = None) -> int | None:
    """The whole-number query parameter `name` (`default` when absent or empty), within
    [low, high] when they are given."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    value: int | None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if low is None and high is None:
        if value is None:
            raise ValidationFailed.single(name, "invalid", _("Give a whole number."))
        return value
    low = 1 if low is None else low
    high = 2**63 - 1 if high is None else high
    if value is None or not low <= value <= high:
        raise ValidationFailed.single(name, "invalid", _("A whole number from %(low)d to %(high)d.")
                                      % {"low": low, "high": high})
    return value


def found(value: T | None, message: str, *, code: str) -> T:
    """Object-or-404: `value`, unless it is None (then NotFound, a 404 with this message and code)."""
    if value is None:
        raise NotFound(message, code=code)
    return value
