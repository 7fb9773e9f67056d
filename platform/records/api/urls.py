"""`/api/v1/records/…`, `/api/v1/files/`, `/api/v1/openapi.json` (see records/api/views.py)."""

urlpatterns: list = []
