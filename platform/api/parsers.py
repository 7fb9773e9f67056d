"""The JSON parser of every API view: DRF's, held to the limits of tessera.api.limits.

A body that breaks them is refused with a 400 in the one error shape naming the value's path
(`records[3].name`), before any view or service sees it.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json as drf_json

from tessera.errors import ErrorCollector, ValidationFailed

from .limits import MAX_JSON_DEPTH, check_json_value


class JSONParser(parsers.JSONParser):
    def parse(self, stream: IO[Any], media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        encoding = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]  # not in the stubs
        try:
            text = codecs.getreader(encoding)(stream).read()
            data = json.loads(text, parse_constant=drf_json.strict_constant if self.strict else None)
        except RecursionError:
            raise _too_deep() from None
        except ValueError as exc:
            raise ParseError(_("The body is not valid JSON: %(error)s") % {"error": exc}) from None
        errors = ErrorCollector()
        # NUL and surrogates can only come from \u escapes: raw control characters are not JSON and
        # raw surrogates are not UTF-8, so most bodies skip the text check.
        check_json_value(data, errors, check_text="\\u" in text)
        errors.raise_if_any()
        return data


def _too_deep() -> ValidationFailed:
    return ValidationFailed.single(None, "too_deep", _("JSON may be nested at most %(depth)d levels deep.")
                                   % {"depth": MAX_JSON_DEPTH})
