"""The officials' upload of a register file (schools or children) for import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry import access
from registry.importing.files import FileRefused, sniff
from registry.models import County, ImportJob


class ImportUploadForm(forms.Form):
    """An official's upload: what the file holds, the county and the file. A county
    official's file goes into their own county (the field is theirs, hidden); the schools of
    every row of a children's file must be that county's.

    The file is sniffed here (size, type, an XLSX that opens) so that a wrong file is refused at
    once; its rows are checked by a worker afterwards.
    """

    kind = forms.ChoiceField(
        label=_("The file holds"), choices=ImportJob.Kind.choices, widget=forms.RadioSelect
    )
    county = forms.ModelChoiceField(
        label=_("County"),
        queryset=County.objects.all(),
        required=False,
        help_text=_("The county the file's schools and children belong to."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8 or GB18030, as Excel saves it) or XLSX, with a row of column names."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        code = access.county_code_of(user)
        if code:  # a county official imports into their county only
            self.fields["county"].queryset = County.objects.filter(code=code)
        counties = list(self.fields["county"].queryset[:2])
        if len(counties) == 1:
            self.fields["county"].initial = counties[0].pk
            self.fields["county"].widget = forms.HiddenInput()
            self.only_county = counties[0]
        else:
            self.only_county = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.data_bytes = sniff(upload)
        except FileRefused as exc:
            raise forms.ValidationError(exc.message) from None
        return upload

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("county")
            and self.only_county is not None
            and "county" not in self.errors
        ):
            cleaned["county"] = self.only_county
        if cleaned.get("kind") == ImportJob.Kind.SCHOOLS and not cleaned.get("county"):
            self.add_error("county", _("Choose the county these schools belong to."))
        return cleaned
