"""URLs of a tenant's host (`<slug>.<base domain>`): the CRM UI and the tenant's API."""

from django.urls import include, path

urlpatterns = [
    path("", include("ui_builder.urls")),
    path("api/v1/", include("tessera.api.urls")),
]
