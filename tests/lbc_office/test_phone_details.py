"""Small things a phone user meets (issue 13, item 5): a link to change one's password on every
role's screens, local dates in Chinese in a file's history, names after a call session."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lbc_office.core.templatetags.icons import icon

pytestmark = pytest.mark.django_db

LANDING = {"official": "/", "teacher_a": "/", "volunteer": "/my/", "viewer": "/reports/"}


@pytest.mark.parametrize("role", sorted(LANDING))
def test_every_role_sees_a_link_to_change_its_password(personas, role):
    response = personas.client_for(role).get(LANDING[role])
    assert response.status_code == 200
    assert f'href="{reverse("password_change")}"' in response.content.decode()


def test_the_file_history_shows_local_dates_in_chinese(personas, official_client):
    child = personas.child_a
    response = official_client.get(reverse("registry:child_history", args=[child.pk]))
    body = response.content.decode()
    assert "年" in body and "月" in body and "日" in body  # 2026年12月2日 07:26
    assert " as of " not in body  # simple_history's own str(): "… as of 2026-12-01 23:26:37+00:00"
    assert "+00:00" not in body


def test_an_icon_is_inline_svg_and_an_unknown_one_is_an_error():
    svg = icon("telephone", "text-success")
    assert svg.startswith('<svg class="bi bi-telephone text-success"') and "<path" in svg
    with pytest.raises(ValueError):
        icon("no-such-icon")
