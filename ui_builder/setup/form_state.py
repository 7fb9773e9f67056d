"""A domain error as a designer form shows it: each field's messages next to the field, the rest
above the form (nothing typed is lost: the page is drawn again from what was sent)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect

from tessera.errors import TesseraError, ValidationFailed


def errors_in_place(exc: TesseraError) -> tuple[dict[str, list[str]], list[str]]:
    """(messages by field path, messages of the whole form)."""
    if isinstance(exc, ValidationFailed):
        fields = {name: [str(d.message) for d in details] for name, details in exc.field_errors.items()}
        return fields, [str(d.message) for d in exc.non_field_errors]
    return {}, [str(exc.message)]


def labels_in_every_language(post, prefix: str, languages) -> dict[str, str]:
    """`<prefix>_<language>` inputs → a labels dict (blank ones left out)."""
    return {code: post.get(f"{prefix}_{code}", "").strip() for code, _name in languages
            if post.get(f"{prefix}_{code}", "").strip()}


def act_then_redirect(request, action: Callable[[], object], to: str, **kwargs):
    """A small POST action (delete, revoke, switch off): run it, say why if it was refused, and go
    back to the list (`to`, a URL name, with its kwargs)."""
    try:
        action()
    except TesseraError as exc:
        messages.error(request, str(exc.message))
    return redirect(to, **kwargs)
