"""URLs of /setup/ (stable, see /work/shared/UI.md). One module per designer; each names its pages
here and its entry in navigation.py."""

from django.urls import path

from . import (
    audit_log,
    categories,
    custom_links,
    field_extras,
    fields,
    formulas,
    history,
    home,
    layouts,
    list_views,
    objects,
    org_tree,
    organization,
    profiles,
    rules,
    sharing,
    users,
)

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
    # an object's designers: categories, layouts, list views, custom links
    path("objects/<str:object_name>/categories/", categories.category_list, name="categories"),
    path("objects/<str:object_name>/categories/<str:category_name>/", categories.category_edit, name="category"),
    path("objects/<str:object_name>/categories/<str:category_name>/delete/", categories.category_delete,
         name="delete_category"),
    path("objects/<str:object_name>/layouts/", layouts.layout_list, name="layouts"),
    path("objects/<str:object_name>/layouts/<str:layout_name>/", layouts.layout_designer, name="layout"),
    path("objects/<str:object_name>/layouts/<str:layout_name>/delete/", layouts.layout_delete, name="delete_layout"),
    path("objects/<str:object_name>/list-views/", list_views.list_view_list, name="list_views"),
    path("objects/<str:object_name>/list-views/<str:view_name>/", list_views.list_view_edit, name="list_view"),
    path("objects/<str:object_name>/list-views/<str:view_name>/delete/", list_views.list_view_delete,
         name="delete_list_view"),
    path("objects/<str:object_name>/links/", custom_links.custom_links, name="custom_links"),
    # people and rights
    path("users/", users.user_list, name="users"),
    path("users/invitations/<int:invitation_id>/revoke/", users.revoke_invitation, name="revoke_invitation"),
    path("users/<int:user_id>/", users.user_edit, name="user"),
    path("users/<int:user_id>/deactivate/", users.user_deactivate, name="deactivate_user"),
    path("users/<int:user_id>/reactivate/", users.user_reactivate, name="reactivate_user"),
    path("departments/", org_tree.org_tree, {"kind": "department"}, name="departments"),
    path("roles/", org_tree.org_tree, {"kind": "role"}, name="roles"),
    path("profiles/", profiles.profile_list, name="profiles"),
    path("profiles/<str:kind>/<str:api_name>/", profiles.profile_edit, name="profile"),
    path("sharing/", sharing.sharing, name="sharing"),
    path("sharing/defaults/", sharing.org_defaults, name="org_defaults"),
    path("sharing/rules/<int:rule_id>/delete/", sharing.rule_delete, name="delete_rule"),
    path("sharing/rules/<int:rule_id>/toggle/", sharing.rule_toggle, name="toggle_rule"),
    path("audit-log/", audit_log.audit_log, name="audit_log"),
    # history and undo
    path("history/", history.change_list, name="history"),
    path("history/<int:change_id>/revert/", history.revert, name="revert_change"),
]
