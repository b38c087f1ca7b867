"""The admin for accounts and the audit log (ground floor).

Who may see what — role, active flag, password — changes only through ``lbc_office.core.accounts``:
the user admin's forms validate with the services' own checks and its saves call the services,
so every change is audited like one made on the officials' account screen.
"""

import contextvars

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lbc_office.core import accounts
from lbc_office.core.models import AuditEvent, User

# The official using the admin's password page (Django builds that form without the request).
_admin_request: contextvars.ContextVar = contextvars.ContextVar("admin_request", default=None)


class AccountChangeForm(UserChangeForm):
    def clean(self):
        data = super().clean()
        by = self.by  # set by ``LbcUserAdmin.get_form``
        try:
            if "role" in data:
                accounts.check_role_change(user=self.instance, role=data["role"], by=by)
            if "is_active" in data:
                accounts.check_active_change(user=self.instance, active=data["is_active"], by=by)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(field, errors)
        return data


class AccountCreationForm(AdminUserCreationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Always a password: the person changes it at their first sign-in.
        self.fields.pop("usable_password", None)
        self.fields["password1"].required = True
        self.fields["password2"].required = True


class AccountPasswordForm(AdminPasswordChangeForm):
    """The admin's "set password": a temporary password, through the audited service."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields.pop("usable_password", None)  # no "disable password sign-in" here
        self.fields["password1"].required = True
        self.fields["password2"].required = True

    def save(self, commit=True):
        request = _admin_request.get()
        user, _password = accounts.set_password(
            user=self.user, by=request.user, password=self.cleaned_data["password1"]
        )
        self.user = user
        return user


@admin.register(User)
class LbcUserAdmin(UserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    change_password_form = AccountPasswordForm
    list_display = [
        "username", "full_name", "role", "county_code", "phone", "is_active", "last_login",
    ]  # fmt: skip
    list_filter = ["role", "is_active", "county_code"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["full_name", "phone", "email"]}),
        (_("Access"), {"fields": ["role", "is_active", "county_code"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "full_name", "role", "password1", "password2"]}),
    ]
    # The county is shown, never edited here: a new account is in its creator's county
    # (``accounts.create_account``), and only a municipal official moves one — on the account
    # screens (``accounts.change_county``), since the admin is read-only to them.
    readonly_fields = ["last_login", "date_joined", "county_code"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def user_change_password(self, request, id, form_url=""):
        token = _admin_request.set(request)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _admin_request.reset(token)

    def save_model(self, request, obj, form, change):
        """Through the services: each change of role, active flag or details audited once."""
        by = request.user
        data = form.cleaned_data
        if not change:
            user, _password = accounts.create_account(
                by=by, username=data["username"], role=data["role"],
                full_name=data.get("full_name", ""), password=data["password1"],
            )  # fmt: skip
            obj.pk = user.pk
            obj.refresh_from_db()
            return
        current = User.objects.get(pk=obj.pk)
        details = {f: data[f] for f in accounts.EDITABLE_DETAILS if f in form.changed_data}
        if details:
            current = accounts.update_details(user=current, by=by, **details)
        if "role" in form.changed_data:
            current = accounts.change_role(user=current, role=data["role"], by=by)
        if "is_active" in form.changed_data:
            current = accounts.set_active(user=current, active=data["is_active"], by=by)
        obj.refresh_from_db()

    def get_readonly_fields(self, request, obj=None):
        # A user name is how the audit log names a person: it stays what it was.
        return [*self.readonly_fields, "username"] if obj is not None else self.readonly_fields

    def save_related(self, request, form, formsets, change):
        pass  # no groups or permissions: a role decides (lbc_office.core.auth.RoleBackend)

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
