"""The people-and-rights pages need, besides the customise right every setup page needs, the
manage_users right their services check (`require_manage_users`): without it the page says so
(403) instead of failing in the service."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.shortcuts import render

from tessera.records import service

from .access import setup_view


def manage_users_view(view: Callable) -> Callable:
    @setup_view
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not service.access_for(request.user).has_right("manage_users"):
            return render(request, "ui_builder/setup/denied.html", {}, status=403)
        return view(request, *args, **kwargs)

    return wrapped
