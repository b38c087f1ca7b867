"""Two-factor sign-in (TOTP, django-otp) for county officials and the admin (ground floor).

After the password, an official whose session is not yet verified is sent to one page: the code
from their authenticator app, or — the first time — the QR code to set the app up and a first
code to confirm it. Nothing else answers until then. Wrong codes slow down (django-otp's
throttling), and the password itself is throttled by django-axes.
"""

from __future__ import annotations

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from lbc_office import redirects
from lbc_office.models import Role

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
            return redirect(f"{target}?next={request.get_full_path()}")
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
        label=gettext_lazy("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())


@login_required
def two_factor(request):
    """Verify the code; the first time, set the authenticator app up with a QR code."""
    user = request.user
    next_url = redirects.safe_target(
        request, request.POST.get("next") or request.GET.get("next"), reverse("home")
    )
    if not required_for(user) or user.is_verified():
        return redirect(next_url)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        # One pending device per user, kept until it is confirmed with a first code.
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", _("Too many wrong codes: wait a minute and try again."))
        elif device.verify_token(form.cleaned_data["code"]):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(next_url)
        else:
            form.add_error("code", _("This code is not right. Codes change every 30 seconds."))
    context = {"form": form, "next": next_url, "setting_up": setting_up}
    if setting_up:
        context["qr"] = _qr_data_uri(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "registration/two_factor.html", context)


def _qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
