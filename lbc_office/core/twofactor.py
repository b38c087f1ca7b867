"""Two-factor sign-in (TOTP, django-otp) for county officials and the admin (ground floor).

After the password, an official whose session is not yet verified is sent to one page: the code
from their authenticator app (or one of their recovery codes). The first time, the password is
not enough: the page asks for the one-time enrolment code another official issued
(``lbc_office.core.enrolment``), only then shows the QR code to set the app up, and after a first
code shows ten recovery codes, once. Nothing else answers until then; the session gets a new key
once the second step succeeds. Wrong codes slow down (django-otp's throttling), and the password
itself is throttled by django-axes.
"""

from __future__ import annotations

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from lbc_office.core import enrolment, redirects
from lbc_office.core.models import Role

# Pages an official may reach before the second factor: these, signing out, the language.
_OPEN = ("two_factor", "logout", "set_language", "healthz", "favicon")


def required_for(user) -> bool:
    return bool(
        settings.TWO_FACTOR_REQUIRED
        and user.is_authenticated
        and user.is_active
        and user.role == Role.OFFICIAL
    )


class RequireTwoFactorMiddleware:
    """After OTPMiddleware: an official without a verified session gets the code page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if required_for(user) and not user.is_verified() and not self._open(request):
            target = reverse("two_factor")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _open(request) -> bool:
        match = getattr(request, "resolver_match", None)
        if match is None:
            from django.urls import Resolver404, resolve

            try:
                match = resolve(request.path_info)
            except Resolver404:
                return False
        return match.url_name in _OPEN or request.path_info.startswith(settings.STATIC_URL)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app, or a recovery code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off"}
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=gettext_lazy("Enrolment code from the county office"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": True, "autocapitalize": "characters"}
        ),
    )


# The session may set up an authenticator: its user redeemed an enrolment code (their pk).
_ENROLLING = "lbc_enrolling"


@never_cache
@login_required
def two_factor(request):
    """The second step: an authenticator code (or a recovery code). Without an authenticator:
    first the enrolment code another official issued, then the key, then the recovery codes."""
    user = request.user
    next_url = redirects.safe_target(
        request, request.POST.get("next") or request.GET.get("next"), reverse("home")
    )
    if not required_for(user) or user.is_verified():
        return redirect(next_url)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        return _verify(request, user, device, next_url)
    if request.session.get(_ENROLLING) == user.pk:
        return _set_up(request, user, next_url)
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if enrolment.redeem_enrolment_code(user=user, code=form.cleaned_data["enrolment_code"]):
            request.session[_ENROLLING] = user.pk
            return redirect(f"{reverse('two_factor')}?{urlencode({'next': next_url})}")
        form.add_error(
            "enrolment_code",
            _("This enrolment code is not right, has been used or has expired. Ask the office."),
        )
    return _page(request, form, next_url, step="enrolment")


def _verify(request, user, device, next_url):
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        allowed, _details = device.verify_is_allowed()
        if code.isdigit() and len(code) == device.digits:
            if not allowed:
                form.add_error("code", _("Too many wrong codes: wait a minute and try again."))
            elif device.verify_token(code):
                return _signed_in(request, device, next_url)
        else:
            recovery = enrolment.use_recovery_code(user=user, code=code)
            if recovery is not None:
                return _signed_in(request, recovery, next_url)
        if not form.errors:
            form.add_error("code", _("This code is not right. Codes change every 30 seconds."))
    return _page(request, form, next_url, step="verify")


def _set_up(request, user, next_url):
    device = enrolment.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", _("Too many wrong codes: wait a minute and try again."))
        elif device.verify_token(form.cleaned_data["code"]):
            codes = enrolment.complete_enrolment(user=user, device=device)
            request.session.pop(_ENROLLING, None)
            _signed_in(request, device, next_url)
            return render(
                request, "registration/recovery_codes.html", {"codes": codes, "next": next_url}
            )
        else:
            form.add_error("code", _("This code is not right. Codes change every 30 seconds."))
    return _page(
        request,
        form,
        next_url,
        step="set_up",
        qr=_qr_data_uri(device.config_url),
        secret=base64.b32encode(device.bin_key).decode(),
    )


def _signed_in(request, device, next_url):
    otp_login(request, device)
    # A new session key for the now fully signed-in session (no fixation across the steps).
    request.session.cycle_key()
    return redirect(next_url)


def _page(request, form, next_url, *, step, **extra):
    context = {"form": form, "next": next_url, "step": step, **extra}
    return render(request, "registration/two_factor.html", context)


def _qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
