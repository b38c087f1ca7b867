"""The one form-save helper (``lbc_office.core.forms``): a service's refusal lands on the form next
to the field it names, what the service returns decides the message and the redirect, and a
refused or invalid form writes and redirects nothing."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from lbc_office.core.forms import errors_as_messages, form_view, record_on_file, save_form


class NoteForm(forms.Form):
    note = forms.CharField()
    count = forms.IntegerField(required=False)


def _request(method="post", data=None, user="someone"):
    request = getattr(RequestFactory(), method)("/somewhere/", data or {})
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_save_form_passes_the_author_the_extra_arguments_and_the_cleaned_data():
    calls = []

    def operation(**kwargs):
        calls.append(kwargs)
        return "saved"

    request = _request(data={"note": "hello", "count": "3"})
    result = save_form(request, NoteForm(request.POST), operation, child="C")
    assert result == "saved"
    assert calls == [{"by": "someone", "child": "C", "note": "hello", "count": 3}]


def test_save_form_never_calls_the_service_for_an_invalid_form():
    request = _request(data={"count": "x"})
    form = NoteForm(request.POST)
    assert save_form(request, form, pytest.fail) is None
    assert set(form.errors) == {"note", "count"}


@pytest.mark.parametrize(
    ("refusal", "where"),
    [
        (ValidationError({"note": "not this note"}), "note"),
        (ValidationError({"nosuchfield": "somewhere else"}), "__all__"),
        (ValidationError("no"), "__all__"),
    ],
)
def test_a_services_refusal_lands_on_the_form(refusal, where):
    def operation(**kwargs):
        raise refusal

    request = _request(data={"note": "hello"})
    form = NoteForm(request.POST)
    assert save_form(request, form, operation) is None
    assert list(form.errors) == [where]


@pytest.mark.django_db
def test_form_view_redirects_even_when_the_service_returns_a_falsy_count():
    request = _request(data={"note": "hello"})
    response = form_view(
        request,
        NoteForm(request.POST),
        lambda **kwargs: 0,
        template="simple_form.html",
        success=lambda count: f"{count} done",
        redirect_to=lambda count: f"/done/{count}/",
    )
    assert response.status_code == 302 and response.url == "/done/0/"
    assert [str(m) for m in request._messages] == ["0 done"]


@pytest.mark.django_db
def test_record_on_file_shows_the_form_again_when_refused_and_on_a_get(personas):
    def refuse(**kwargs):
        raise ValidationError({"note": "no"})

    child = personas.child_a
    for request in (_request(data={"note": "x"}), _request("get")):
        request.user = personas.official
        response = record_on_file(
            request,
            child,
            NoteForm(request.POST or None),
            refuse,
            template="registry/record_form.html",
            title="A title",
            success="never",
        )
        assert response.status_code == 200
        assert "A title" in response.content.decode()
        assert not list(request._messages)


@pytest.mark.django_db
def test_record_on_file_goes_back_to_the_file(personas):
    child = personas.child_a
    request = _request(data={"note": "x"})
    request.user = personas.official
    response = record_on_file(
        request, child, NoteForm(request.POST), lambda **kw: kw["child"],
        template="registry/record_form.html", title="t", success="ok", child=child,
    )  # fmt: skip
    assert response.status_code == 302 and response.url == child.get_absolute_url()


def test_an_action_posted_from_another_page_gets_the_refusals_as_messages():
    def operation(**kwargs):
        raise ValidationError({"note": "not this note", "other": "and not now"})

    request = _request(data={"note": "hello"})
    form = NoteForm(request.POST)
    assert save_form(request, form, operation) is None
    errors_as_messages(request, form)
    assert sorted(str(m) for m in request._messages) == ["and not now", "not this note"]
