from django.urls import path

import lbc_office.core.converters  # noqa: F401 — registers <key:…>, the bounded record key
from registry import (
    consent_views,
    duplicate_views,
    export_layout_views,
    place_views,
    risk_views,
    school_transfer_views,
    transfer_views,
    views,
)
from registry.printing import views as print_views

app_name = "registry"

urlpatterns = [
    path("children/", views.child_list, name="child_list"),
    path("children/new/", views.child_create, name="child_create"),
    path("children/duplicates/", duplicate_views.duplicate_list, name="duplicate_list"),
    path(
        "children/duplicates/<key:pk>/<key:other_pk>/",
        duplicate_views.duplicate_compare,
        name="duplicate_compare",
    ),
    path("merges/<key:pk>/", duplicate_views.child_merge, name="child_merge"),
    path("children/export/", transfer_views.child_export, name="child_export"),
    path("children/export/layout/", export_layout_views.layout_export, name="layout_export"),
    path("export-layouts/", export_layout_views.layout_list, name="layout_list"),
    path("export-layouts/new/", export_layout_views.layout_edit, name="layout_create"),
    path("export-layouts/<key:pk>/", export_layout_views.layout_edit, name="layout_edit"),
    path("imports/", transfer_views.import_start, name="import_start"),
    path("imports/template/", transfer_views.import_template, name="import_template"),
    path("imports/<key:pk>/", transfer_views.import_detail, name="import_detail"),
    path("imports/<key:pk>/progress/", transfer_views.import_progress, name="import_progress"),
    path("imports/<key:pk>/confirm/", transfer_views.import_confirm, name="import_confirm"),
    path("children/<key:pk>/", views.child_detail, name="child_detail"),
    path("children/<key:pk>/file.pdf", print_views.child_file_pdf, name="child_file_pdf"),
    path("children/<key:pk>/handover/", print_views.handover_start, name="handover_start"),
    path(
        "children/<key:pk>/handover/summary/",
        school_transfer_views.handover_summary,
        name="handover_summary",
    ),
    path(
        "children/<key:pk>/transfer/", school_transfer_views.child_transfer, name="child_transfer"
    ),
    path("children/transfer-in/", school_transfer_views.transfer_in, name="transfer_in"),
    path("children/print/", print_views.batch_start, name="print_batch"),
    path("prints/<key:pk>/", print_views.print_job, name="print_job"),
    path("prints/<key:pk>/progress/", print_views.print_job_progress, name="print_job_progress"),
    path("prints/<key:pk>/file.pdf", print_views.print_job_download, name="print_job_download"),
    path("children/<key:pk>/edit/", views.child_edit, name="child_edit"),
    path("children/<key:pk>/status/", views.child_status, name="child_status"),
    path("children/<key:pk>/status/restore/", views.child_restore, name="child_restore"),
    path("children/<key:pk>/history/", views.child_history, name="child_history"),
    path("children/<key:pk>/risk/", risk_views.child_risk, name="child_risk"),
    path("children/<key:pk>/health-checks/new/", views.health_check_add, name="health_check_add"),
    path(
        "children/<key:pk>/parents/<str:relation>/",
        views.parent_away_edit,
        name="parent_away_edit",
    ),
    path("children/<key:pk>/guardians/new/", views.guardian_edit, name="guardian_add"),
    path(
        "children/<key:pk>/guardians/<key:guardian_pk>/",
        views.guardian_edit,
        name="guardian_edit",
    ),
    path("children/<key:pk>/consent/new/", views.consent_add, name="consent_add"),
    path("children/<key:pk>/consent/override/", views.consent_override, name="consent_override"),
    path("consent/missing/", views.consent_missing, name="consent_missing"),
    path(
        "children/<key:pk>/consent/sharing-override/",
        consent_views.sharing_override,
        name="sharing_override",
    ),
    path(
        "children/<key:pk>/consent/sharing-override/<key:override_pk>/end/",
        consent_views.sharing_override_end,
        name="sharing_override_end",
    ),
    path("schools/", place_views.school_list, name="school_list"),
    path("schools/new/", place_views.school_edit, name="school_create"),
    path("schools/<key:pk>/", place_views.school_detail, name="school_detail"),
    path("schools/<key:pk>/edit/", place_views.school_edit, name="school_edit"),
    path(
        "schools/<key:school_pk>/rooms/new/", place_views.family_room_edit, name="family_room_add"
    ),
    path(
        "schools/<key:school_pk>/rooms/<key:pk>/",
        place_views.family_room_edit,
        name="family_room_edit",
    ),
    path("towns/", place_views.town_list, name="town_list"),
    path("towns/new/", place_views.town_edit, name="town_create"),
    path("towns/<key:pk>/edit/", place_views.town_edit, name="town_edit"),
    path("towns/<key:town_pk>/villages/new/", place_views.village_edit, name="village_add"),
    path("towns/<key:town_pk>/villages/<key:pk>/", place_views.village_edit, name="village_edit"),
]
