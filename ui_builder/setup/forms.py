"""What the designers' forms share: per-language labels read from a form, a domain error as
messages beside the inputs they are about."""

from __future__ import annotations

from django.conf import settings

from tessera.errors import TesseraError, ValidationFailed


def languages() -> list[tuple[str, str]]:
    """(code, name) of the UI languages, the order the forms show labels in."""
    return list(settings.LANGUAGES)


def labels_from(data, prefix: str) -> dict[str, str]:
    """{language: text} from the inputs `<prefix>.<language>`, blank ones left out."""
    found = {}
    for code, _name in settings.LANGUAGES:
        text = data.get(f"{prefix}.{code}", "").strip()
        if text:
            found[code] = text
    return found


def error_map(exc: TesseraError, aliases: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Messages by input name: a service's field path (`labels.zh-hans`, `options.format`) is the
    input's name, or is renamed by `aliases` (longest prefix first); messages about the whole input
    are under "" (shown at the top of the form)."""
    aliases = aliases or {}
    found: dict[str, list[str]] = {}
    if not isinstance(exc, ValidationFailed):
        return {"": [str(exc.message)]}
    for path, details in exc.field_errors.items():
        name = next((aliases[p] for p in sorted(aliases, key=len, reverse=True)
                     if path == p or path.startswith(p + ".")), path)
        found.setdefault(name, []).extend(str(d.message) for d in details)
    if exc.non_field_errors:
        found.setdefault("", []).extend(str(d.message) for d in exc.non_field_errors)
    return found


def unplaced(errors: dict[str, list[str]], shown: set[str]) -> list[str]:
    """The messages of `errors` no input of the form shows (they go at its top)."""
    return [m for name, messages in errors.items() if name not in shown for m in messages]
