"""``manage.py issue_enrolment_code USERNAME``: an enrolment code for an official, printed once.

For the first official (nobody else can issue one yet) or whenever no official can: whoever runs
this already holds the server. The code is audited like one issued in the browser.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lbc_office.core.enrolment import issue_enrolment_code
from lbc_office.core.models import User


class Command(BaseCommand):
    help = "Print a one-time enrolment code with which an official sets up two-step sign-in."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no user %(username)s.") % {"username": username})
        try:
            code = issue_enrolment_code(user=user, by=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            _("Enrolment code for %(username)s: %(code)s (works once, within %(hours)s hours)")
            % {"username": username, "code": code, "hours": settings.ENROLMENT_CODE_HOURS}
        )
