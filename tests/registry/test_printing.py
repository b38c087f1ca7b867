"""The personal file on paper: its text, its scope, its audit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lbc_office.core.models import AuditEvent
from registry import idnumber
from tests.conftest import ROLES
from tests.factories import ChildFactory, HealthCheckFactory
from tests.registry.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


def _pdf(client, child):
    response = client.get(reverse("registry:child_file_pdf", args=[child.pk]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    return pdf_text(response.content)


def test_teacher_prints_the_file_in_chinese_with_the_number_masked(personas):
    child = personas.child_a
    HealthCheckFactory(child=child, notes="视力正常")
    text = _pdf(personas.client_for("teacher_a"), child)
    assert "张小明" in text and "视力正常" in text
    assert child.id_number not in text
    assert idnumber.mask(child.id_number) in text
    assert str(personas.teacher_a) in text  # who printed it
    assert child.county.name in text
    assert "1 / " in text  # page numbers


def test_official_prints_the_whole_number(personas):
    child = personas.child_a
    text = _pdf(personas.client_for("official"), child)
    assert child.id_number in text and str(personas.official) in text


def test_a_long_file_numbers_every_page_and_heads_each_with_the_printer(personas):
    child = personas.child_a
    for day in range(1, 29):
        HealthCheckFactory(child=child, notes="复查" * 60, date=f"2024-02-{day:02d}")
    response = personas.client_for("teacher_a").get(
        reverse("registry:child_file_pdf", args=[child.pk])
    )
    import io

    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"{number} / {len(pages)}" in text
        assert str(personas.teacher_a) in text and child.county.name in text


def test_each_print_is_audited(personas):
    client = personas.client_for("teacher_a")
    _pdf(client, personas.child_a)
    printed = AuditEvent.objects.filter(action="print", child_id=personas.child_a.pk)
    assert printed.count() == 1 and printed.get().user == personas.teacher_a
    assert AuditEvent.objects.filter(action="view", child_id=personas.child_a.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_out_of_scope_is_404_for_every_role(personas, role):
    outsider = ChildFactory(name="王外人")  # another school, nobody's but the official's
    response = personas.client_for(role).get(reverse("registry:child_file_pdf", args=[outsider.pk]))
    if role == "official":
        assert response.status_code == 200
    elif role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404
    assert (
        not AuditEvent.objects.filter(action="print", child_id=outsider.pk)
        .exclude(user=personas.official)
        .exists()
    )
