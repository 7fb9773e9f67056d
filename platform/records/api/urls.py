"""`/api/v1/records/…`, `/api/v1/files/…`, `/api/v1/openapi.json` (this tenant's OpenAPI document)
and `/api/v1/schema/` (the static drf-spectacular schema of the tenant API). See views.py."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views

urlpatterns = [
    path("records/<str:object_api_name>/", views.RecordListView.as_view(), name="records-list"),
    path("records/<str:object_api_name>/bulk/", views.RecordBulkView.as_view(), name="records-bulk"),
    path("records/<str:object_api_name>/merge/", views.RecordMergeView.as_view(), name="records-merge"),
    path("records/<str:object_api_name>/form/", views.RecordFormView.as_view(), name="records-form"),
    path("records/<str:object_api_name>/lookup/<str:field_api_name>/", views.LookupChoicesView.as_view(),
         name="records-lookup-choices"),
    path("records/<str:object_api_name>/<str:record_id>/", views.RecordDetailView.as_view(), name="records-detail"),
    path("records/<str:object_api_name>/<str:record_id>/restore/", views.RecordRestoreView.as_view(),
         name="records-restore"),
    path("records/<str:object_api_name>/<str:record_id>/history/", views.RecordHistoryView.as_view(),
         name="records-history"),
    path("files/", views.FileUploadView.as_view(), name="records-file-upload"),
    path("files/<str:token>/", views.FileDownloadView.as_view(), name="records-file-download"),
    path("openapi.json", views.TenantOpenAPIView.as_view(), name="records-openapi"),
    path("schema/", SpectacularAPIView.as_view(urlconf="tessera.urls_tenant"), name="tenant-api-schema"),
]
