"""The ground floor: the custom User with its role, and the bases every case record shares.

Nothing here imports one of our apps (registry, programmes, volunteers); they import this.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICIAL = "official", _("County official")
    TEACHER = "teacher", _("Teacher")
    VOLUNTEER = "volunteer", _("Volunteer")
    VIEWER = "viewer", _("Report viewer")
    # A department's or organisation's liaison of the joint conference (casework/): sees only the
    # referrals sent to their organisation and the least of the child's file needed to act.
    PARTNER = "partner", _("Partner liaison")


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
    # Set when an official gives a temporary password: the person must choose their own before
    # anything else answers (``lbc_office.core.accounts.PasswordChangeRequiredMiddleware``).
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # The place scope (``registry.access``): the administrative code of the one county the
    # account belongs to, or empty for the city (a municipal official, a city-wide viewer or
    # partner). A code, not a key: the ground floor knows no county model. Teachers and
    # volunteers always belong to a county.
    county_code = models.CharField(
        _("county"),
        max_length=6,
        blank=True,
        db_index=True,
        help_text=_("The county this account belongs to; empty for the whole city."),
    )

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

    def clean(self):
        super().clean()
        if self.role in (Role.TEACHER, Role.VOLUNTEER) and not self.county_code:
            # Teachers and volunteers work in one county: never city-wide.
            raise ValidationError(
                {"county_code": _("A teacher or a volunteer belongs to a county.")}
            )

    @property
    def is_official(self) -> bool:
        return self.is_active and self.role == Role.OFFICIAL

    @property
    def is_municipal(self) -> bool:
        """A municipal official: an official of the city (no county), who reads every county."""
        return self.is_official and not self.county_code

    @property
    def is_county_official(self) -> bool:
        return self.is_official and bool(self.county_code)

    @property
    def is_teacher(self) -> bool:
        return self.is_active and self.role == Role.TEACHER

    @property
    def is_volunteer(self) -> bool:
        return self.is_active and self.role == Role.VOLUNTEER

    @property
    def is_report_viewer(self) -> bool:
        return self.is_active and self.role == Role.VIEWER

    @property
    def is_partner(self) -> bool:
        return self.is_active and self.role == Role.PARTNER


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


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only")


class AuditQuerySet(AppendOnlyQuerySet):
    LISTED_INLINE = 5000  # events' keys put in the query as they are (two index look-ups)

    def about_child(self, child_id: int):
        """Every event about the child: its own (``child_id``) and the pages that listed it among
        others (``AuditEventChild``). Two index look-ups; no scan of the log."""
        listed = AuditEventChild.objects.filter(child_id=child_id).values_list(
            "event_id", flat=True
        )
        keys = list(listed[: self.LISTED_INLINE + 1])
        if len(keys) > self.LISTED_INLINE:  # very many: a subquery (slower, never too long)
            return self.filter(models.Q(child_id=child_id) | models.Q(pk__in=listed))
        return self.filter(models.Q(child_id=child_id) | models.Q(pk__in=keys))


class AuditEvent(models.Model):
    """One thing someone did or tried: append-only, and never a sensitive value in it.

    Written only by ``lbc_office.core.audit.record``. On PostgreSQL a trigger refuses UPDATE and
    DELETE on the table, whoever asks (migration 0003); here, the ORM refuses too.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        CREATE = "create", _("Created")
        CHANGE = "change", _("Changed")
        EXPORT = "export", _("Exported")
        PRINT = "print", _("Printed")
        IMPORT = "import", _("Imported")
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGOUT = "logout", _("Signed out")
        REFUSED = "refused", _("Refused access")
        ANONYMISE = "anonymise", _("Anonymised")
        BACKUP = "backup", _("Backup")
        # Two-step sign-in (lbc_office.core.enrolment): the object is the official concerned.
        ENROLMENT_ISSUED = "enrol_issued", _("Issued an enrolment code")
        ENROLMENT_USED = "enrol_used", _("Used an enrolment code")
        ENROLLED = "enrolled", _("Set up two-step sign-in")
        RECOVERY_USED = "recovery_used", _("Signed in with a recovery code")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("record type"), max_length=60, blank=True)
    object_id = models.CharField(_("record"), max_length=40, blank=True)
    # The child the record belongs to, for "who looked at this file" (no foreign key: the ground
    # floor knows no app, and an event must outlive anything).
    child_id = models.BigIntegerField(_("child"), null=True, blank=True, db_index=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            # "Who has looked at this child's file": a child's events, newest first.
            models.Index(fields=["child_id", "-at"], name="audit_by_child"),
            models.Index(fields=["user", "-at"], name="audit_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


class EnrolmentCode(models.Model):
    """A one-time code that lets an official set up two-step sign-in (``core.enrolment``).

    Another official issues it (or ``manage.py issue_enrolment_code`` for the first one); only
    its hash is kept, the code itself is shown once. It works once, within its validity, and
    issuing a new one revokes the earlier ones.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("for official"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("enrolment code")
        verbose_name_plural = _("enrolment codes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="enrolment_code_by_user")]

    def __str__(self) -> str:
        return f"enrolment code {self.pk} for user {self.user_id}"


class AuditEventChild(models.Model):
    """One child shown by a page that showed several (a list, a search, an export): "who has
    seen child X" is then an index look-up here. Append-only like its event (migration 0004)."""

    event = models.ForeignKey(
        AuditEvent, verbose_name=_("event"), on_delete=models.PROTECT, related_name="children"
    )
    child_id = models.BigIntegerField(_("child"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("child shown")
        verbose_name_plural = _("children shown")
        indexes = [models.Index(fields=["child_id", "event"], name="audit_child_shown")]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.child_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")
