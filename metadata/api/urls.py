"""`/api/v1/meta/…` (see metadata/api/views.py)."""

urlpatterns: list = []
