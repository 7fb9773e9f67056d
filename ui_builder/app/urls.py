"""URLs of the CRM pages (see /work/shared/UI.md: they are stable; people and tests rely on them).

The fixed names (search, recent, reports, dashboards, notifications, approvals, recycle-bin, kanban,
new, import, export) come before `<object>` and are reserved object names in the metadata engine.
"""

from django.urls import path

from . import (
    bulk,
    dashboards,
    filters,
    forms,
    home,
    imports,
    inline_edit,
    kanban,
    lists,
    merge,
    records,
    recycle_bin,
    reports,
    reports_builder,
    search,
    timeline,
    views_saved,
)

app_name = "app"

urlpatterns = [
    path("", home.home, name="home"),
    path("reports/", reports.report_list, name="reports"),
    path("reports/new/", reports_builder.builder, name="report_new"),
    path("reports/preview/<str:object_name>/", reports_builder.preview, name="report_preview"),
    path("reports/<str:api_name>/", reports.report_page, name="report"),
    path("reports/<str:api_name>/edit/", reports_builder.builder, name="report_edit"),
    path("reports/<str:api_name>/export/<int:job_id>/", reports.report_export, name="report_export"),
    path("dashboards/", dashboards.dashboard_list, name="dashboards"),
    path("dashboards/desktop/", home.arrange, name="arrange"),
    path("dashboards/<int:dashboard_id>/", dashboards.dashboard_detail, name="dashboard"),
    path("dashboards/<int:dashboard_id>/change/", dashboards.dashboard_change, name="dashboard_change"),
    path("search/", search.search, name="search"),
    path("recycle-bin/", recycle_bin.recycle_bin, name="recycle_bin"),
    path("recycle-bin/<str:object_name>/<int:record_id>/restore/", recycle_bin.restore, name="restore"),
    path("search/lookup/users/", search.lookup_users, name="lookup_users"),
    path("search/lookup/<str:object_name>/", search.lookup_options, name="lookup"),
    path("<str:object_name>/", lists.object_list, name="list"),
    path("<str:object_name>/new/", forms.record_form, name="new"),
    path("<str:object_name>/filter-inputs/", filters.condition_inputs, name="filter_inputs"),
    path("<str:object_name>/views/", views_saved.save_view, name="save_view"),
    path("<str:object_name>/bulk/", bulk.bulk_action, name="bulk"),
    path("<str:object_name>/bulk/value/", bulk.bulk_value_input, name="bulk_value"),
    path("<str:object_name>/bulk/<int:job_id>/", bulk.bulk_job_page, name="bulk_job"),
    path("<str:object_name>/kanban/", kanban.board, name="kanban"),
    path("<str:object_name>/import/", imports.upload, name="import"),
    path("<str:object_name>/import/template/", imports.template_file, name="import_template"),
    path("<str:object_name>/import/<int:run_id>/", imports.run_page, name="import_run"),
    path("<str:object_name>/import/<int:run_id>/errors/", imports.error_file, name="import_errors"),
    path("<str:object_name>/export/", imports.export_page, name="export"),
    path("<str:object_name>/export/<int:job_id>/", imports.export_job_page, name="export_job"),
    path("<str:object_name>/index-field/", lists.index_field, name="index_field"),
    path("<str:object_name>/kanban/<int:record_id>/move/", kanban.move_card, name="move"),
    path("<str:object_name>/<int:record_id>/", records.record_detail, name="record"),
    path("<str:object_name>/<int:record_id>/edit/", forms.record_form, name="edit"),
    path("<str:object_name>/<int:record_id>/delete/", records.record_delete, name="delete"),
    path("<str:object_name>/<int:record_id>/path/", records.record_path, name="path"),
    path("<str:object_name>/<int:record_id>/owner/", records.record_owner, name="owner"),
    path("<str:object_name>/<int:record_id>/merge/", merge.merge_records, name="merge"),
    path("<str:object_name>/<int:record_id>/share/", records.record_share, name="share"),
    path("<str:object_name>/<int:record_id>/log/", timeline.log_activity, name="log"),
    path("<str:object_name>/<int:record_id>/cell/<str:field_name>/", inline_edit.cell, name="cell"),
]
