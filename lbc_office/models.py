"""The ground floor: the custom User with its role, and the bases every case record shares.

Nothing here imports one of our apps (registry, programmes, volunteers); they import this.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICIAL = "official", _("County official")
    TEACHER = "teacher", _("Teacher")
    VOLUNTEER = "volunteer", _("Volunteer")
    VIEWER = "viewer", _("Report viewer")


class LbcUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser is a county official: the admin is for officials only.
        extra_fields.setdefault("role", Role.OFFICIAL)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. Their role decides what they may see (see ``registry.access``).

    The user carries no foreign key into the apps: a teacher's schools and a volunteer's record
    point at the user, not the other way round.
    """

    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = LbcUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_role_valid",
                condition=models.Q(role__in=[r.value for r in Role]),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_official(self) -> bool:
        return self.is_active and self.role == Role.OFFICIAL

    @property
    def is_teacher(self) -> bool:
        return self.is_active and self.role == Role.TEACHER

    @property
    def is_volunteer(self) -> bool:
        return self.is_active and self.role == Role.VOLUNTEER

    @property
    def is_report_viewer(self) -> bool:
        return self.is_active and self.role == Role.VIEWER


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class TrackedModel(TimeStampedModel):
    """A record that keeps who created it and who changed it last, and when."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        abstract = True


class DemoMarker(models.Model):
    """Present only in a database that ``seed_demo`` filled: real data never has one."""

    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("demo marker")

    def __str__(self) -> str:
        return f"demo data loaded {self.created_at:%Y-%m-%d}"
