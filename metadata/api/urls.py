"""`/api/v1/meta/…`: the metadata API (see metadata/api/views/)."""

from django.urls import path

from . import views

OBJECT = "objects/<str:object_name>/"
FIELD = OBJECT + "fields/<str:field_name>/"

urlpatterns = [
    path("objects/", views.ObjectListView.as_view(), name="meta-objects"),
    path(OBJECT, views.ObjectDetailView.as_view(), name="meta-object"),
    path(OBJECT + "fields/", views.FieldListView.as_view(), name="meta-fields"),
    path(FIELD, views.FieldDetailView.as_view(), name="meta-field"),
    path(FIELD + "restore/", views.FieldRestoreView.as_view(), name="meta-field-restore"),
    path(FIELD + "change-type/", views.FieldChangeTypeView.as_view(), name="meta-field-change-type"),
    path(FIELD + "values/", views.PicklistValuesView.as_view(), name="meta-field-values"),
    path(FIELD + "dependency/", views.FieldDependencyView.as_view(), name="meta-field-dependency"),
    path(OBJECT + "categories/", views.CategoryListView.as_view(), name="meta-categories"),
    path(OBJECT + "categories/<str:api_name>/", views.CategoryDetailView.as_view(), name="meta-category"),
    path(OBJECT + "layouts/", views.LayoutListView.as_view(), name="meta-layouts"),
    path(OBJECT + "layouts/<str:api_name>/", views.LayoutDetailView.as_view(), name="meta-layout"),
    path(OBJECT + "list-views/", views.ListViewListView.as_view(), name="meta-list-views"),
    path(OBJECT + "list-views/<str:api_name>/", views.ListViewDetailView.as_view(), name="meta-list-view"),
    path("schemas/", views.SchemaListView.as_view(), name="meta-schemas"),
    path("schemas/<str:kind>/", views.SchemaDetailView.as_view(), name="meta-schema"),
    path("field-types/", views.FieldTypeListView.as_view(), name="meta-field-types"),
    path("changes/", views.ChangeListView.as_view(), name="meta-changes"),
]
