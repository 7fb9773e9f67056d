"""URLs of the public host (the base domain): platform health, sign-up API, API docs."""

from django.urls import path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView

from tenants import api as tenants_api
from tessera.core.health import healthz
from tessera.security.api.platform import SupportLoginLinkView
from ui_builder import views as ui_views

urlpatterns = [
    path("", ui_views.platform_home, name="platform-home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/tenants/", tenants_api.TenantListView.as_view(), name="tenant-list"),
    path("api/v1/tenants/<slug:slug>/", tenants_api.TenantDetailView.as_view(), name="tenant-detail"),
    path("api/v1/tenants/<slug:slug>/support-login/", SupportLoginLinkView.as_view(), name="tenant-support-login"),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="tessera.urls_public"), name="platform-schema"),
]

handler400 = "tessera.api.exceptions.handler400"
handler403 = "tessera.api.exceptions.handler403"
handler404 = "tessera.api.exceptions.handler404"
handler500 = "tessera.api.exceptions.handler500"
