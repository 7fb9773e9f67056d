"""The tenant API, `/api/v1/…`. Each area adds its routes in its own urls module."""

from django.urls import include, path

urlpatterns = [
    path("meta/", include("metadata.api.urls")),
    path("security/", include("tessera.security.api.urls")),
    path("reports/", include("reports_engine.api")),
    path("", include("tessera.records.api.urls")),
    path("", include("tessera.transfer.api")),
]
