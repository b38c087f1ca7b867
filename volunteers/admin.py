"""Admin for officials: organisations and check-in roles editable, each save through the same
audited service as the app's screens (``volunteers.services.care``); volunteers, assignments,
check-ins and messages read-only here (they change through the app's screens and services,
where the rules apply)."""

from django.contrib import admin

from lbc_office.core.admin_audit import ServiceAdmin, ShowsChildrenAdmin
from volunteers.models import (
    Assignment,
    CheckinRole,
    Delivery,
    MonthlyCheckin,
    Notification,
    Organisation,
    Volunteer,
)
from volunteers.services import care


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "contact_name", "phone", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]

    def save_record(self, request, obj):
        care.save_organisation(organisation=obj, by=request.user)


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyAdmin):
    list_display = ["name", "town", "organisation", "capacity", "vetted_on", "active"]
    list_filter = [
        "active",
        "may_be_foster_mother",
        "may_be_foster_sibling",
        "may_be_surrogate_parent",
    ]
    search_fields = ["name", "phone"]


@admin.register(Assignment)
class AssignmentAdmin(ShowsChildrenAdmin, ReadOnlyAdmin):
    list_display = ["child", "volunteer", "role", "started_on", "ended_on"]
    list_filter = ["role"]
    list_select_related = ["child", "volunteer"]


@admin.register(CheckinRole)
class CheckinRoleAdmin(ServiceAdmin, admin.ModelAdmin):
    list_display = ["name", "name_en", "position", "active"]

    def save_record(self, request, obj):
        care.save_checkin_role(role=obj, by=request.user)


@admin.register(MonthlyCheckin)
class MonthlyCheckinAdmin(ShowsChildrenAdmin, ReadOnlyAdmin):
    child_field = "assignment.child_id"
    list_display = ["assignment", "month", "status", "concern", "submitted_at"]
    list_filter = ["status", "concern", "month"]
    list_select_related = ["assignment__child", "assignment__volunteer"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["subject", "recipient_key", "kind", "period", "created_at", "read_at"]
    list_filter = ["kind"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["notification", "channel", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["channel", "status"]
