"""Suspected duplicate files, the officials' "not a duplicate" answers, and merges.

``DuplicatePair`` holds what the county-wide check (``registry.duplicates.find_pairs``) last
found, so that the officials' page reads a table instead of running the check; a pair an
official has answered "not a duplicate" (``NotDuplicate``) is never suspected again. A
``ChildMerge`` says which records moved from which child to which, so that it can be undone
exactly (``registry.merging``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models.children import Child, StatusChange


class DuplicateReason(models.TextChoices):
    ID_ONE_CHARACTER = "id_one_char", _("Identity numbers differ in one character")
    ID_SWAPPED = "id_swapped", _("Identity numbers differ by two swapped characters")
    NAME_BIRTH_TOWN = "name_birth_town", _("Same name and date of birth in the same town")
    NAME_BIRTH_TYPO_VILLAGE = (
        "name_birth_typo",
        _("Same name, a date of birth one typo away, in the same village"),
    )


def ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


class _Pair(models.Model):
    """Two children, the smaller key first (so a pair is stored once)."""

    first = models.ForeignKey(
        Child, verbose_name=_("first file"), on_delete=models.PROTECT, related_name="+"
    )
    second = models.ForeignKey(
        Child, verbose_name=_("second file"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class DuplicatePair(_Pair):
    """A pair the last county-wide check (or a file saved despite the warning) suspected."""

    reasons = models.CharField(_("reasons"), max_length=100)  # DuplicateReason values, by ","
    found_at = models.DateTimeField(_("found at"), auto_now=True)

    class Meta:
        verbose_name = _("suspected duplicate")
        verbose_name_plural = _("suspected duplicates")
        ordering = ["first", "second"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicatepair_once"),
            models.CheckConstraint(
                name="duplicatepair_ordered", condition=models.Q(first__lt=models.F("second"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id}"

    @property
    def reason_labels(self) -> list[str]:
        return [DuplicateReason(r).label for r in self.reasons.split(",") if r]


class NotDuplicate(_Pair):
    """An official's answer: these two files are two different children."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("not a duplicate")
        verbose_name_plural = _("not duplicates")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="notduplicate_once"),
            models.CheckConstraint(
                name="notduplicate_ordered", condition=models.Q(first__lt=models.F("second"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ≠ {self.second_id}"


class ChildMerge(models.Model):
    """Two files made one: ``duplicate``'s records moved to ``survivor``.

    ``moved``: ``[[model label, field, key], …]`` of every record moved, so that an undo moves
    exactly those back; ``kept``: ``[[model label, key, text], …]`` the duplicate's records
    left on it because the survivor already had one (a unique rule: one father, one
    enrolment in a programme…); ``filled``: ``{field: the survivor's value before}`` for the
    survivor's blanks filled from the duplicate.
    """

    survivor = models.ForeignKey(
        Child, verbose_name=_("file kept"), on_delete=models.PROTECT, related_name="+"
    )
    duplicate = models.ForeignKey(
        Child, verbose_name=_("file merged into it"), on_delete=models.PROTECT, related_name="+"
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    previous_status = models.CharField(_("status before"), max_length=20)
    # The duplicate's change to "closed" the merge made (the closers of the apps mark what they
    # ended with it, and an undo restores exactly that).
    status_change = models.ForeignKey(
        StatusChange, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    previous_status_changed_on = models.DateField(null=True, blank=True)
    moved = models.JSONField(default=list)
    kept = models.JSONField(default=list)
    filled = models.JSONField(default=dict)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("merge of two files")
        verbose_name_plural = _("merges of two files")
        ordering = ["-merged_at", "-id"]
        constraints = [
            # A file is merged away at most once at a time (an undone merge frees it).
            models.UniqueConstraint(
                fields=["duplicate"],
                condition=models.Q(undone_at__isnull=True),
                name="childmerge_one_live_per_duplicate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.duplicate_id} → {self.survivor_id}"
