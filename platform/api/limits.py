"""Limits every API request is held to before any view sees it, and the checks that enforce them.

Input nobody cleaned must end in a 400 in the one error shape, never in a crash deep inside: a
NUL character or a lone surrogate reaches PostgreSQL (which refuses both in text and jsonb) or the
UTF-8 encoder; JSON nested thousands deep exhausts the recursion limit of the parser and of every
recursive walk after it; 1e309 is parsed as an infinite float. The JSON parser (tessera.api.parsers)
and the request guard (tessera.api.middleware) refuse them here, naming the path of the value.

The numbers are documented in README ("Limits of the API").
"""

from __future__ import annotations

import math
import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from tessera.errors import ErrorCollector

#: Deepest nesting of arrays and objects in a JSON body (a bulk body is 3 deep, metadata specs ~8).
MAX_JSON_DEPTH = 32
#: Largest JSON body, in bytes (1,000 records of a bulk call fit many times over); files are
#: uploaded as multipart with their own limit (TESSERA_MAX_UPLOAD_BYTES).
DEFAULT_MAX_JSON_BYTES = 8 * 1024 * 1024

#: Characters PostgreSQL text cannot hold (NUL) and code points UTF-8 cannot encode (surrogates).
FORBIDDEN_CHARS_RE = re.compile("[\x00\ud800-\udfff]")


def max_json_bytes() -> int:
    return int(getattr(settings, "TESSERA_MAX_JSON_BYTES", DEFAULT_MAX_JSON_BYTES))


def path_of(parts: tuple) -> str:
    """`("records", 3, "name")` → `records[3].name`; a top-level list index gives `[3].name`."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def forbidden_text_message() -> str:
    return _("Text may not contain NUL characters or unpaired surrogates.")


def check_json_value(data: Any, errors: ErrorCollector, *, check_text: bool = True) -> None:
    """Depth, finite numbers and clean text of a parsed JSON document, iteratively (no recursion:
    the checked document may be deeper than Python's stack)."""
    stack: list[tuple[Any, tuple, int]] = [(data, (), 1)]
    while stack:
        value, parts, depth = stack.pop()
        if isinstance(value, dict):
            if depth > MAX_JSON_DEPTH:
                _too_deep(errors, parts)
                continue
            for key, item in value.items():
                if check_text and FORBIDDEN_CHARS_RE.search(key):
                    errors.add(path_of(parts) if parts else None, "invalid_text", forbidden_text_message())
                    continue
                stack.append((item, (*parts, key), depth + 1))
        elif isinstance(value, list):
            if depth > MAX_JSON_DEPTH:
                _too_deep(errors, parts)
                continue
            stack.extend((item, (*parts, index), depth + 1) for index, item in enumerate(value))
        elif isinstance(value, str):
            if check_text and FORBIDDEN_CHARS_RE.search(value):
                errors.add(path_of(parts), "invalid_text", forbidden_text_message())
        elif isinstance(value, float) and not math.isfinite(value):
            errors.add(path_of(parts), "invalid_number", _("The number is out of range."))


def _too_deep(errors: ErrorCollector, parts: tuple) -> None:
    errors.add(path_of(parts) if parts else None, "too_deep",
               _("JSON may be nested at most %(depth)d levels deep.") % {"depth": MAX_JSON_DEPTH})
