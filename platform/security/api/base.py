"""What every security API view shares: JSON only, the body must be an object, documented errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from tessera.errors import ValidationFailed

F = TypeVar("F", bound=Callable[..., Any])

ERRORS = {400: OpenApiResponse(OpenApiTypes.OBJECT, description="{errors, non_field_errors}"),
          403: OpenApiResponse(OpenApiTypes.OBJECT), 404: OpenApiResponse(OpenApiTypes.OBJECT)}


class SecurityView(APIView):
    renderer_classes = [JSONRenderer]


def doc(summary: str, *, request: Any = None, responses: dict | None = None,
        parameters: Iterable[OpenApiParameter] = ()) -> Callable[[F], F]:
    return extend_schema(summary=summary, request=request, parameters=list(parameters),
                         responses={**(responses or {200: OpenApiTypes.OBJECT}), **ERRORS}, tags=["security"])


def body(request: Request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationFailed.single(None, "invalid", _("Send a JSON object."))
    return request.data
