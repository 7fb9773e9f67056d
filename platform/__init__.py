"""Tessera's Django project and generic runtime, installed as the `tessera` package.

The folder is named `platform/` in the repository; it is never importable as `platform`, which is a
standard-library module.
"""

from .celery import app as celery_app

__all__ = ["celery_app"]
