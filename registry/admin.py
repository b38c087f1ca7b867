"""Admin for the register's reference data. Children are kept in the app's own screens, where
their validation, history and status changes apply; here they can only be read."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from lbc_office.core.admin_audit import ShowsChildrenAdmin
from registry.models import Child, County, FamilyRoom, School, Teacher, Town, Village


class NoDeleteAdmin(admin.ModelAdmin):
    """Reference data is retired (``active``), never deleted; saves record who made them."""

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(County)
class CountyAdmin(NoDeleteAdmin):
    list_display = ["code", "name"]


@admin.register(Town)
class TownAdmin(NoDeleteAdmin):
    list_display = ["name", "kind", "county"]
    list_filter = ["county", "kind"]
    search_fields = ["name"]


@admin.register(Village)
class VillageAdmin(NoDeleteAdmin):
    list_display = ["name", "kind", "town"]
    list_filter = ["town"]
    search_fields = ["name"]


class FamilyRoomInline(admin.TabularInline):
    model = FamilyRoom
    fields = ["kind", "label", "active"]
    extra = 0
    can_delete = False


@admin.register(School)
class SchoolAdmin(NoDeleteAdmin, SimpleHistoryAdmin):
    list_display = ["code", "name", "town", "level", "boarding", "bathroom", "canteen", "active"]
    list_filter = ["level", "boarding", "town"]
    search_fields = ["code", "name"]
    inlines = [FamilyRoomInline]


@admin.register(Teacher)
class TeacherAdmin(admin.ModelAdmin):
    """Read-only: a teacher's schools decide which children they see, so they are linked on the
    officials' account screen, through ``registry.services.set_teacher_schools`` (audited)."""

    list_display = ["user", "school_names"]
    search_fields = ["user__username", "user__full_name"]
    fields = ["user", "schools"]

    @admin.display(description=_("schools"))
    def school_names(self, obj):
        return "、".join(school.name for school in obj.schools.all())

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("schools")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Child)
class ChildAdmin(ShowsChildrenAdmin, SimpleHistoryAdmin):
    child_field = "pk"
    list_display = ["name", "school", "grade", "status"]
    list_filter = ["status", "grade"]
    # Not by identity number: the admin's search is a GET, and the number would sit in the
    # address, the browser's history and the logs. The children list searches by number and
    # keeps what is typed out of addresses.
    search_fields = ["name"]
    search_help_text = _(
        "Search by name. To find a child by identity number, use the children list."
    )
    list_select_related = ["school"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
