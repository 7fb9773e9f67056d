"""Who may open /setup/: users with the customise right (administrators). Everyone else gets a
403 page; an anonymous visitor is sent to the login page and back."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tessera.records import service


def can_customise(user) -> bool:
    """Whether `user` may change the configuration (the customise right of their profile or
    permission sets)."""
    return bool(getattr(user, "is_authenticated", False)) and service.access_for(user).has_right("customize")


def setup_view(view: Callable) -> Callable:
    """A setup page: signed in, with the customise right."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_customise(request.user):
            return render(request, "ui_builder/setup/denied.html", {}, status=403)
        return view(request, *args, **kwargs)

    return wrapped
