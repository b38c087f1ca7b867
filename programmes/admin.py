"""Read-only admin for the programmes' records, with their change history.

Everything is recorded and corrected in the app's own screens, where validation, scope and the
author stamps apply; nothing here adds, changes or deletes (records are never hard-deleted).
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from lbc_office.core.admin_audit import ShowsChildrenAdmin
from programmes.models import (
    Attendance,
    Donation,
    Enrolment,
    FamilyCall,
    Handover,
    HomeVisit,
    ParentVisit,
    Programme,
    ProgrammeSession,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HomeVisit)
class HomeVisitAdmin(ShowsChildrenAdmin, ReadOnlyAdmin):
    list_display = ["child", "date", "visitor", "met", "follow_up_needed", "follow_up_by"]
    list_filter = ["follow_up_needed", "met"]
    list_select_related = ["child", "visitor"]
    search_fields = ["child__name"]
    date_hierarchy = "date"


@admin.register(FamilyCall)
class FamilyCallAdmin(ShowsChildrenAdmin, ReadOnlyAdmin):
    list_display = ["child", "at", "room", "with_whom", "minutes"]
    list_filter = ["with_whom"]
    list_select_related = ["child", "room"]
    search_fields = ["child__name"]


@admin.register(ParentVisit)
class ParentVisitAdmin(ShowsChildrenAdmin, ReadOnlyAdmin):
    list_display = ["child", "parent", "arrived_on", "left_on"]
    list_select_related = ["child"]
    search_fields = ["child__name"]


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "starts_on", "ends_on"]
    list_filter = ["kind"]


@admin.register(Enrolment)
class EnrolmentAdmin(ShowsChildrenAdmin, ReadOnlyAdmin):
    list_display = ["child", "programme", "starts_on", "ends_on"]
    list_filter = ["programme"]
    list_select_related = ["child", "programme"]
    search_fields = ["child__name"]


@admin.register(ProgrammeSession)
class ProgrammeSessionAdmin(ReadOnlyAdmin):
    list_display = ["programme", "date", "topic", "place"]
    list_select_related = ["programme"]


@admin.register(Attendance)
class AttendanceAdmin(ShowsChildrenAdmin, ReadOnlyAdmin):
    list_display = ["session", "child", "present", "attendee"]
    list_select_related = ["session", "child"]


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = ["donor", "donor_kind", "date", "kind", "value", "destination"]
    list_filter = ["donor_kind", "kind", "destination"]
    search_fields = ["donor"]


@admin.register(Handover)
class HandoverAdmin(ShowsChildrenAdmin, ReadOnlyAdmin):
    list_display = ["donation", "child", "school", "value", "handed_over_on", "confirmed_by"]
    list_select_related = ["donation", "child", "school"]
    search_fields = ["child__name", "donation__donor"]
