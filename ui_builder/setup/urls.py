"""URLs of /setup/ (stable, see /work/shared/UI.md). One module per designer; each names its pages
here and its entry in navigation.py."""

from django.urls import path

from . import field_extras, fields, formulas, home, objects, organization, rules

app_name = "setup"

urlpatterns = [
    path("", home.home, name="home"),
    path("organization/", organization.organization_settings, name="organization"),
    path("organization/logo/", organization.logo, name="logo"),
    path("formulas/check/", formulas.check, name="formula_check"),
    path("formulas/catalogue/", formulas.catalogue, name="formula_catalogue"),
    path("formulas/try/", formulas.try_on_record, name="formula_try"),
    path("objects/", objects.object_list, name="objects"),
    path("objects/new/", objects.object_new, name="object_new"),
    path("objects/<str:object_name>/", objects.object_detail, name="object"),
    path("objects/<str:object_name>/delete/", objects.object_delete, name="object_delete"),
    path("objects/<str:object_name>/fields/", fields.field_list, name="fields"),
    path("objects/<str:object_name>/fields/new/", fields.field_new, name="field_new"),
    path("objects/<str:object_name>/fields/presets/china-divisions/", fields.china_preset, name="china_preset"),
    path("objects/<str:object_name>/fields/<str:field_name>/", fields.field_edit, name="field"),
    path("objects/<str:object_name>/fields/<str:field_name>/delete/", fields.field_delete, name="field_delete"),
    path("objects/<str:object_name>/fields/<str:field_name>/type/", field_extras.change_type, name="field_type"),
    path("objects/<str:object_name>/fields/<str:field_name>/security/", field_extras.field_security,
         name="field_security"),
    path("objects/<str:object_name>/rules/", rules.rules, name="rules"),
]
