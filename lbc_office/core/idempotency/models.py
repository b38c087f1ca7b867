from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotentRequest(models.Model):
    """A create that was made with a one-time key: what it answered, so a repeat answers the same.

    Unique per (user, key): the same key from another user is another request. ``scope`` names
    what was created (an API route, a form) so that a key reused for something else is refused.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    key = models.CharField(_("one-time key"), max_length=100)
    scope = models.CharField(_("what was created"), max_length=100)
    status = models.PositiveSmallIntegerField(_("answer status"))
    body = models.JSONField(_("answer"), default=dict)  # kept empty: see keys.py
    object_type = models.CharField(_("record type"), max_length=60, blank=True)
    object_id = models.CharField(_("record key"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("one-time key")
        verbose_name_plural = _("one-time keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_one_per_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
