"""The form renderer: Django's own widget and form templates through Jinja2, any other through
Django's template engine.

Django draws every widget, and every option of a select, by rendering a template. Through
Django's engine the children list's filter panel (a dozen selects) was the biggest part of the
page's rendering; Django ships the same templates for Jinja2 (``django/forms/jinja2``), which
render the same HTML in a fraction of the time. The admin's and django.contrib.auth's widgets
(``admin/widgets/…``, ``auth/widgets/…``) exist only as Django templates: those are looked up
there, once per name.

``list_choices`` reads a form's record selects in one query each (``ListedChoices``).
"""

from __future__ import annotations

from django.forms.models import ModelChoiceField, ModelChoiceIterator
from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class WidgetRenderer(BaseRenderer):
    def __init__(self):
        self._jinja2 = Jinja2()
        self._django = DjangoTemplates()
        self._found: dict[str, BaseRenderer] = {}

    def get_template(self, template_name):
        renderer = self._found.get(template_name)
        if renderer is None:
            try:
                template = self._jinja2.get_template(template_name)
            except TemplateDoesNotExist:
                template = self._django.get_template(template_name)
                self._found[template_name] = self._django
            else:
                self._found[template_name] = self._jinja2
            return template
        return renderer.get_template(template_name)


class ListedChoices(ModelChoiceIterator):
    """A select's records in one plain query, kept for the rest of the request.

    Django's own iterator reads them with ``QuerySet.iterator()``: on PostgreSQL a server-side
    cursor (DECLARE … WITH HOLD, FETCH, CLOSE: three round trips), again each time the choices
    are read (drawing the select, checking the value). Choices are a short list (a teacher's
    towns, a county's schools): one query, its rows cached on the field's queryset."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if getattr(self.field, "null_label", None) is not None:  # django-filter's "none" choice
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset:
            yield self.choice(obj)

    def __len__(self):
        extra = (self.field.empty_label is not None) + (
            getattr(self.field, "null_label", None) is not None
        )
        return len(self.queryset) + extra


def list_choices(form) -> None:
    """Every record select of ``form`` reads its choices through ``ListedChoices``."""
    for field in form.fields.values():
        if isinstance(field, ModelChoiceField) and field.iterator is not ListedChoices:
            field.iterator = ListedChoices
            field.widget.choices = field.choices  # the widget keeps the iterator it was given
