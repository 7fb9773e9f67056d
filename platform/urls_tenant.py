"""URLs of a tenant's host (`<slug>.<base domain>`): the CRM UI and the tenant's API."""

from django.urls import include, path

urlpatterns = [
    path("", include("ui_builder.urls")),
    path("api/v1/", include("tessera.api.urls")),
]

handler400 = "tessera.api.exceptions.handler400"
handler403 = "tessera.api.exceptions.handler403"
handler404 = "tessera.api.exceptions.handler404"
handler500 = "tessera.api.exceptions.handler500"
