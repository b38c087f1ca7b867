"""People of the register who sign in: teachers and family-room staff, linked to their schools."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from lbc_office.core.models import Role, TrackedModel
from registry.models.places import School


class Teacher(TrackedModel):
    """Links a user with the teacher role to the school(s) whose children they look after."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="teacher",
    )
    schools = models.ManyToManyField(School, verbose_name=_("schools"), related_name="teachers")

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")

    def __str__(self) -> str:
        return str(self.user)

    def clean(self):
        if self.user_id and self.user.role != Role.TEACHER:
            raise ValidationError({"user": _("This user does not have the teacher role.")})
