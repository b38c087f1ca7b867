"""What the forms of the app share: the phone's date-and-time picker, short text areas, and the
county field that hides itself when there is one county."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from registry.models import County


class DateTimeInput(forms.DateTimeInput):
    """The phone's own date-and-time picker."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def now_to_the_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


def text_area(rows: int = 2):
    return forms.Textarea(attrs={"rows": rows})


class CountyMixin:
    """The county field disappears when the database holds one county (the usual case)."""

    def _fit_county(self):
        counties = list(County.objects.order_by("code")[:2])
        if len(counties) == 1:
            self.fields["county"].widget = forms.HiddenInput()
            self.initial.setdefault("county", counties[0].pk)
