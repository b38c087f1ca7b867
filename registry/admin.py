"""Admin for the register's reference data: every save goes through ``registry.services`` (the
same audited service as the officials' screens); nothing is deleted, places and schools are
retired (``active``). Children and teachers' schools are kept in the app's own screens, where
their validation, history and status changes apply; here they can only be read."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from lbc_office.core.admin_audit import ServiceAdmin, ShowsChildrenAdmin
from registry import services
from registry.models import Child, County, FamilyRoom, School, Teacher, Town, Village


@admin.register(County)
class CountyAdmin(ServiceAdmin, admin.ModelAdmin):
    list_display = ["code", "name"]

    def save_record(self, request, obj):
        services.save_county(county=obj, by=request.user)


@admin.register(Town)
class TownAdmin(ServiceAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "county"]
    list_filter = ["county", "kind"]
    search_fields = ["name"]

    def save_record(self, request, obj):
        services.save_town(town=obj, by=request.user)


@admin.register(Village)
class VillageAdmin(ServiceAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "town"]
    list_filter = ["town"]
    search_fields = ["name"]

    def save_record(self, request, obj):
        services.save_village(village=obj, by=request.user)


class FamilyRoomInline(admin.TabularInline):
    model = FamilyRoom
    fields = ["kind", "label", "active"]
    extra = 0
    can_delete = False


def _save_family_room(request, room):
    services.save_family_room(room=room, by=request.user)


@admin.register(School)
class SchoolAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = ["code", "name", "town", "level", "boarding", "bathroom", "canteen", "active"]
    list_filter = ["level", "boarding", "town"]
    search_fields = ["code", "name"]
    inlines = [FamilyRoomInline]
    service_inlines = {FamilyRoom: _save_family_room}

    def save_record(self, request, obj):
        # The town given again: the service takes the school's county from it.
        services.save_school(school=obj, by=request.user, town=obj.town)


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
