"""The officials' account screens (roof): list, create, and every change of who may see what.

Officials only; any other role gets 403 on the list and the new-account page and 404 on an
account's pages (``lbc_office.core.auth.role_required``). Every change is a POST to one service
(``lbc_office.core.accounts``, ``registry.services.set_teacher_schools``/``create_teacher``,
``volunteers.services.logins``), each audited. A temporary password is shown once, in the
answer to the POST that made it, and that answer is never cached.
"""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from casework.services import agencies
from lbc_office.core import accounts
from lbc_office.core.auth import role_required
from lbc_office.core.forms import Replayed, errors_as_messages, save_form
from lbc_office.core.models import AuditEvent, Role, User
from lbc_office.users.forms import (
    AccountCreateForm,
    ActiveForm,
    AgencyLinkForm,
    CountyForm,
    RoleForm,
    SchoolsForm,
    county_choices,
)
from registry import access, search_box
from registry import services as registry_services
from registry.models import County
from volunteers.services import logins

official_only = role_required(Role.OFFICIAL)


def _accounts(user):
    """The accounts ``user`` manages: their county's, or every one for a municipal official.
    Another county's account is out of scope: its pages answer 404."""
    code = access.county_code_of(user)
    return User.objects.filter(county_code=code) if code else User.objects.all()


def _account(request, pk) -> User:
    return get_object_or_404(_accounts(request.user), pk=pk)


class AccountFilter(django_filters.FilterSet):
    """The list's role, active/inactive, county and name filters; a value not offered is
    ignored. ``county`` is a county's code, or ``city`` for the accounts of the city."""

    role = django_filters.ChoiceFilter(choices=Role.choices)
    county = django_filters.CharFilter(method="filter_county")
    active = django_filters.ChoiceFilter(choices=[("1", "1"), ("0", "0")], method="filter_active")
    q = django_filters.CharFilter(method="filter_text")

    class Meta:
        model = User
        fields = []

    def filter_county(self, queryset, name, value):
        if value == "city":
            return queryset.filter(county_code="")
        return queryset.filter(county_code=value) if value.isdigit() else queryset

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "1")

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value))


@official_only
def account_list(request):
    if response := search_box.search_redirect(request):  # the search box POSTs
        return response
    data = search_box.search_data(request)
    users = AccountFilter(data, queryset=_accounts(request.user).order_by("username")).qs
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    municipal = access.is_municipal(request.user)
    counties = county_choices()[1:] if municipal else []
    names = dict(County.objects.values_list("code", "name")) if municipal else {}
    for account in page:  # the county column of a municipal official's list
        account.county_name = names.get(account.county_code, account.county_code)
    return render(
        request,
        "lbc_office/accounts/list.html",
        {
            "page": page, "roles": Role.choices, "data": data, "query": query.urlencode(),
            "municipal": municipal, "counties": counties,
        },
    )  # fmt: skip


@official_only
@never_cache
def account_create(request):
    initial = {"role": request.GET.get("role")} if request.GET.get("role") in Role.values else {}
    form = AccountCreateForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and (created := save_form(request, form, _create_account)):
        if isinstance(created, Replayed):  # a double tap: the password is shown once only
            messages.info(request, _("This account was already created."))
            return redirect("accounts:list")
        user, password = created
        return _show_password(request, user, password, created=True)
    return render(request, "lbc_office/accounts/create.html", {"form": form})


def _create_account(*, by, username, phone, role, full_name, schools, volunteer, **rest):
    """The account the create form describes, through the service for its kind. Its county:
    the one a municipal official chose, else the creator's (the services' default); a
    volunteer's login is in its volunteer's county."""
    common = {"by": by, "username": username, "phone": phone}
    placed = {"county_code": rest["county_code"]} if "county_code" in rest else {}
    if role == Role.PARTNER:  # linked to its organisation (casework)
        return agencies.create_partner_login(
            **common, **placed, full_name=full_name, agency=rest["agency"]
        )
    if role == Role.TEACHER:
        return registry_services.create_teacher(
            **common, **placed, full_name=full_name, schools=schools
        )
    if volunteer is not None:
        return logins.create_volunteer_login(**common, volunteer=volunteer)
    return accounts.create_account(**common, **placed, role=role, full_name=full_name)


def _show_password(request, user, password, *, created=False):
    return render(
        request,
        "lbc_office/accounts/password.html",
        {"account": user, "password": password, "created": created},
    )


@official_only
def account_detail(request, pk):
    account = _account(request, pk)
    teacher = getattr(account, "teacher", None)
    current = list(teacher.schools.order_by("name")) if teacher else []
    volunteer = getattr(account, "volunteer", None)
    events = AuditEvent.objects.filter(
        object_type=User._meta.label_lower, object_id=str(account.pk)
    )[:20]
    return render(
        request,
        "lbc_office/accounts/detail.html",
        {
            "account": account,
            "schools": current,
            "schools_form": SchoolsForm(
                current=current, initial={"schools": current}, county_code=account.county_code
            ),
            "county": County.objects.filter(code=account.county_code).first(),
            "county_form": (
                CountyForm(initial={"county_code": account.county_code})
                if access.is_municipal(request.user)
                else None
            ),
            "role_form": RoleForm(initial={"role": account.role}),
            "volunteer": volunteer,
            "agency": agencies.agency_of(account) if account.role == Role.PARTNER else None,
            "agency_form": AgencyLinkForm(user=request.user),
            "has_second_factor": accounts.has_second_factor(account),
            "events": events,
            "is_self": account.pk == request.user.pk,
        },
    )


def _apply(request, account, form, operation, done: str, **extra):
    """Run one service from a POSTed form; refusals go back as messages on the account page."""
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: the form was not complete."))
    else:
        save_form(request, form, operation, user=account, **extra)  # None is no refusal here
        if form.errors:
            errors_as_messages(request, form)
        else:
            messages.success(request, done)
    return redirect("accounts:detail", pk=account.pk)


@official_only
@require_POST
def account_role(request, pk):
    account = _account(request, pk)
    return _apply(request, account, RoleForm(request.POST), accounts.change_role,
                  _("The role was changed."))  # fmt: skip


@official_only
@require_POST
def account_county(request, pk):
    """A municipal official moves an account to another county or to the city."""
    account = _account(request, pk)
    return _apply(request, account, CountyForm(request.POST), accounts.change_county,
                  _("The account's county was changed."))  # fmt: skip


@official_only
@require_POST
def account_active(request, pk):
    account = _account(request, pk)
    return _apply(request, account, ActiveForm(request.POST), accounts.set_active,
                  _("The account was updated."))  # fmt: skip


@official_only
@require_POST
def account_schools(request, pk):
    account = _account(request, pk)
    teacher = getattr(account, "teacher", None)
    current = list(teacher.schools.all()) if teacher else []
    form = SchoolsForm(request.POST, current=current, county_code=account.county_code)
    return _apply(request, account, form, registry_services.set_teacher_schools,
                  _("The teacher's schools were saved."))  # fmt: skip


@official_only
@require_POST
def account_agency(request, pk):
    """Link a partner login to (another) organisation."""
    account = _account(request, pk)
    form = AgencyLinkForm(request.POST, user=request.user)
    return _apply(request, account, form, agencies.set_liaison,
                  _("The partner's organisation was saved."))  # fmt: skip


@official_only
@require_POST
def account_second_factor(request, pk):
    account = _account(request, pk)
    try:
        removed = accounts.reset_second_factor(user=account, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if removed:
            messages.success(request, _("The second factor was reset: it is set up again at "
                                        "the next sign-in."))  # fmt: skip
        else:
            messages.info(request, _("This account had no second factor."))
    return redirect("accounts:detail", pk=account.pk)


@official_only
@require_POST
@never_cache
def account_password(request, pk):
    account = _account(request, pk)
    if account.pk == request.user.pk:
        messages.error(request, _("Change your own password on your password page."))
        return redirect("accounts:detail", pk=account.pk)
    account, password = accounts.set_password(user=account, by=request.user)
    return _show_password(request, account, password)
