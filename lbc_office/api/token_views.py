"""The screen where a user makes and revokes their API tokens (an official: anyone's)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lbc_office.api import services
from lbc_office.api.models import ApiToken
from lbc_office.core.forms import add_service_error
from lbc_office.core.places import limit_to_county


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What it is for"), max_length=100)
    days = forms.IntegerField(label=_("Days it lasts"), min_value=1)
    username = forms.CharField(
        label=_("For the account (user name)"), required=False, max_length=150,
        help_text=_("Empty: for yourself. Officials make tokens for service accounts here."),
    )  # fmt: skip

    def __init__(self, *args, official: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.API_TOKEN_DAYS
        self.fields["days"].max_value = settings.API_TOKEN_MAX_DAYS
        if not official:
            del self.fields["username"]


def _tokens_for(user):
    tokens = ApiToken.objects.select_related("user")
    return limit_to_county(tokens, user) if user.is_official else tokens.filter(user=user)


def api_tokens(request):
    official = request.user.is_official
    form = TokenForm(request.POST or None, official=official)
    issued = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = request.user
        if data.get("username"):
            owner = get_user_model().objects.filter(username=data["username"]).first()
        if owner is None:
            form.add_error("username", _("There is no account with this user name."))
        else:
            try:
                issued = services.issue_token(
                    user=owner, by=request.user, name=data["name"], days=data["days"]
                )
            except ValidationError as exc:
                add_service_error(form, exc)
    return render(
        request,
        "api/tokens.html",
        {
            "form": form if issued is None else TokenForm(official=official),
            "issued": issued,
            "tokens": _tokens_for(request.user)[:200],
        },
    )


@require_POST
def revoke_api_token(request, pk):
    token = get_object_or_404(_tokens_for(request.user), pk=pk)
    services.revoke_token(token=token, by=request.user)
    return redirect("api_tokens")
