"""``manage.py seed_demo``: load the demo county into an empty database, then print the logins.

Safe to run on every start: it refuses a database holding records it did not create, and does
nothing but print the logins when the demo county is already there. See ``lbc_office.demo.county``.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from lbc_office.core.models import Role
from lbc_office.demo import county as demo
from registry.models import County


class Command(BaseCommand):
    help = (
        "Load a realistic demo county (Wuxi, 巫溪县) with one login per role, a smaller "
        "neighbour (Chengkou, 城口县) with its official, and a municipal official."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=demo.DEFAULT_PASSWORD,
            help=f"password of the demo logins (default: {demo.DEFAULT_PASSWORD})",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help=f"random seed: the same seed gives the same county (default: {demo.DEFAULT_SEED})",
        )
        parser.add_argument(
            "--children",
            type=int,
            default=demo.DEFAULT_CHILDREN,
            help=f"how many children to create (default: {demo.DEFAULT_CHILDREN})",
        )

    def handle(self, *args, password, seed, children, **options):
        if not password:
            raise CommandError(_("The demo password cannot be empty."))
        if children < 1:
            raise CommandError(_("--children must be at least 1."))
        started = time.monotonic()
        with transaction.atomic():
            state, what = demo.database_state()
            if state == "foreign":
                raise CommandError(
                    _(
                        "This database already holds records that seed_demo did not create "
                        "(%(what)s). It will not add a demo county to it: use an empty database."
                    )
                    % {"what": what}
                )
            if state == "empty":
                summary = demo.seed(password=password, seed=seed, children=children)
        if state == "demo":
            self.stdout.write(_("The demo county is already loaded: nothing to do."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Loaded the demo county: %(towns)d towns, %(villages)d village committees, "
                        "%(schools)d schools, %(rooms)d family rooms, %(children)d children "
                        "(%(changes)d status changes) in %(seconds).1f s."
                    )
                    % {**summary, "seconds": time.monotonic() - started}
                )
            )
            for label, count in summary["more"].items():
                self.stdout.write(f"  {label}: {count}")
        self.print_logins(password, check=state == "demo")

    def print_logins(self, password: str, *, check: bool) -> None:
        users = demo.demo_users()
        if check:
            # Loaded earlier, perhaps with another --password: only show it if it is the one.
            official = next((u for u in users if u.username == "official"), None)
            if official is None or not official.check_password(password):
                password = _("(the one given with --password when the demo was loaded)")
        lines = ["", "=" * 64, _("Demo logins (sign in at /accounts/login/)"), "-" * 64]
        names = dict(County.objects.values_list("code", "name"))
        for user in users:
            role = user.get_role_display()
            if user.role == Role.TEACHER and hasattr(user, "teacher"):
                schools = "、".join(s.name for s in user.teacher.schools.order_by("code"))
                role = f"{role}: {schools}"
            if user.role == Role.PARTNER and hasattr(user, "liaison"):
                role = f"{role}: {user.liaison.agency}"
            county = names.get(user.county_code, _("the city"))
            lines.append(f"  {user.username:<10} {user.full_name:<6} {county:<4} {role}")
        lines += [
            "-" * 64,
            _("Password: %(password)s") % {"password": password},
            _(
                "The officials (official, chengkou, city) also need a code (two-step sign-in): "
                "`make demo-code` prints them."
            ),
            "=" * 64,
        ]
        self.stdout.write("\n".join(lines))
