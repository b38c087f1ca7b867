"""Other apps add buttons and cards to the personal file through registry.file_sections."""

from __future__ import annotations

import pytest

from registry import access, file_sections

pytestmark = pytest.mark.django_db


@pytest.fixture
def extension(monkeypatch):
    monkeypatch.setattr(file_sections, "_actions", {})
    monkeypatch.setattr(file_sections, "_sections", {})
    file_sections.register_action(
        file_sections.Action(
            key="test-visit",
            label="记录家访",
            url_name="registry:child_edit",
            icon="house-heart",
            allowed=lambda user, child: access.can_edit_children(user),
        )
    )
    file_sections.register_section(
        file_sections.Section(
            key="test-carers",
            template="registry/_section_card.html",
            context=lambda request, child: {"title": "爱心妈妈", "lines": [f"陪伴{child.name}"]},
        )
    )


def test_registered_actions_and_sections_appear_on_the_file(personas, extension):
    html = personas.client_for("teacher_a").get(personas.child_a.get_absolute_url()).content
    html = html.decode()
    assert "记录家访" in html
    assert "陪伴张小明" in html


def test_actions_are_shown_only_to_whom_they_allow(personas, extension):
    actions = file_sections.actions_for(personas.volunteer, personas.child_a)
    assert actions == []
    actions = file_sections.actions_for(personas.official, personas.child_a)
    assert [a.label for a in actions] == ["记录家访"]
