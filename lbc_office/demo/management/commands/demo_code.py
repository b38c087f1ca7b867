"""``manage.py demo_code``: the demo official's current two-step sign-in code.

Only in a database that ``seed_demo`` filled: a real office's officials use their own phones.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lbc_office.core.models import DemoMarker


class Command(BaseCommand):
    help = "Print the demo official's current two-step sign-in code (demo databases only)."

    def handle(self, *args, **options):
        if not DemoMarker.objects.exists():
            raise CommandError(_("This is not a demo database: there is no demo code to show."))
        device = TOTPDevice.objects.filter(user__username="official", name="demo").first()
        if device is None:
            raise CommandError(_("The demo official has no authenticator in this database."))
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(
            _("Code for official: %(code)s (valid for up to 30 seconds)")
            % {"code": f"{code:0{device.digits}d}"}
        )
