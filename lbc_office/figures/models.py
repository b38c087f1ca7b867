"""A school's counted figures on a day, by level (one row per day, school and level).

Each count is of active children in compulsory education of the school, at the level of their
grade (1–6 primary, 7–9 middle), as ``lbc_office.reports.scope`` defines them for the day. The
row is replaced whenever the day is counted again; a past day keeps its last count.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from programmes.models.programmes import ProgrammeKind

# One column per programme kind (a new kind needs a column: tests/lbc_office/test_figures.py).
PROGRAMME_FIELDS = {kind: f"programme_{kind}" for kind in ProgrammeKind.values}


class SchoolFigures(models.Model):
    class Level(models.TextChoices):
        PRIMARY = "primary", _("Primary school")
        MIDDLE = "middle", _("Middle school")

    day = models.DateField(_("day"))
    school = models.ForeignKey(
        "registry.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # read by day (the unique index starts with it)
    )
    level = models.CharField(_("level"), max_length=7, choices=Level.choices)
    counted_at = models.DateTimeField(_("counted at"))
    children = models.PositiveIntegerField(default=0)
    both_parents_away = models.PositiveIntegerField(default=0)
    grandparents = models.PositiveIntegerField(default=0)
    relatives = models.PositiveIntegerField(default=0)
    alone = models.PositiveIntegerField(default=0)  # no guardian: living alone
    boarding = models.PositiveIntegerField(default=0)
    poor = models.PositiveIntegerField(default=0)
    # From each child's last contact with a parent as it stood when counted (so for today's
    # count only: the contact-gap report and the dashboard read them for today).
    no_contact_30 = models.PositiveIntegerField(default=0)
    no_contact_90 = models.PositiveIntegerField(default=0)
    no_contact_365 = models.PositiveIntegerField(default=0)
    never = models.PositiveIntegerField(default=0)
    # Home visits whose follow-up is due and not yet made (today's count only, as above).
    follow_ups_due = models.PositiveIntegerField(default=0)
    with_foster_mother = models.PositiveIntegerField(default=0)
    with_foster_sibling = models.PositiveIntegerField(default=0)
    with_surrogate_parent = models.PositiveIntegerField(default=0)
    with_any_carer = models.PositiveIntegerField(default=0)
    visited = models.PositiveIntegerField(default=0)  # since the school year began
    visits = models.PositiveIntegerField(default=0)
    programme_love_lunch = models.PositiveIntegerField(default=0)
    programme_egg_milk = models.PositiveIntegerField(default=0)
    programme_daily_subsidy = models.PositiveIntegerField(default=0)
    programme_boarding = models.PositiveIntegerField(default=0)
    programme_four_plus_one = models.PositiveIntegerField(default=0)
    programme_parent_school = models.PositiveIntegerField(default=0)
    programme_summer_camp = models.PositiveIntegerField(default=0)
    programme_psychological_care = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("school figures")
        verbose_name_plural = _("school figures")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "school", "level"], name="figures_one_per_day_school_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.school_id} {self.level}"
