"""The project's URLs (the roof: it may import every app)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

import lbc_office.core.converters  # noqa: F401 — registers <key:…>, the bounded record key
from lbc_office import reports
from lbc_office.api import token_views as api_token_views
from lbc_office.core import enrolment_views, twofactor
from lbc_office.home import views
from lbc_office.offline import views as offline_views
from lbc_office.reports import views as report_views
from lbc_office.users import forms as account_forms

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    # Signing out also wipes what the offline app kept on the device (docs/OFFLINE.md).
    path("accounts/logout/", offline_views.SignOutView.as_view(), name="logout"),
    path("accounts/2fa/", twofactor.two_factor, name="two_factor"),
    # Officials issue one another the one-time code that sets up two-step sign-in.
    path("accounts/enrolment-codes/", enrolment_views.enrolment_codes, name="enrolment_codes"),
    path(
        "accounts/enrolment-codes/<key:pk>/",
        enrolment_views.issue_enrolment_code,
        name="issue_enrolment_code",
    ),
    path(
        "accounts/password/",
        # Through ``lbc_office.core.accounts``: audited, and it ends a temporary password.
        auth_views.PasswordChangeView.as_view(form_class=account_forms.OwnPasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Switching language works before signing in too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("reports/", report_views.report_index, name="reports"),
    # One pattern per table (no key in the URL: a table is not a record, and a viewer may read
    # every table, so there is nothing outside a scope to hide behind a 404).
    *[
        path(f"reports/{slug}/", report_views.table_view(slug), name=reports.url_name(slug))
        for slug in reports.TABLES
    ],
    path("audit/", views.audit_log, name="audit"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("users/", include("lbc_office.users.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", include("lbc_office.api.urls")),
    path("accounts/api-tokens/", api_token_views.api_tokens, name="api_tokens"),
    path(
        "accounts/api-tokens/<key:pk>/revoke/",
        api_token_views.revoke_api_token,
        name="revoke_api_token",
    ),
    path("favicon.ico", views.favicon, name="favicon"),
    # The installable app: its worker at the root, so that it may serve every page offline.
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline_views.manifest, name="manifest"),
    path("offline/", include("lbc_office.offline.urls")),
    path("admin/", admin.site.urls),
    path("", include("registry.urls")),
    path("", include("casework.urls")),
    path("", include("casework.referral_urls")),
    path("", include("programmes.urls")),
    path("", include("volunteers.urls")),
]
