from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from lbc_office.models import AuditEvent, User


@admin.register(User)
class LbcUserAdmin(UserAdmin):
    list_display = ["username", "full_name", "role", "phone", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["full_name", "phone", "email"]}),
        (_("Access"), {"fields": ["role", "is_active"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "full_name", "role", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def has_delete_permission(self, request, obj=None):
        # People leave by being deactivated: their name stays on what they recorded.
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody, officials included, can add, change or delete an event."""

    list_display = ["at", "username", "action", "object_type", "object_id", "child_id", "ip"]
    list_filter = ["action"]
    search_fields = ["username", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
