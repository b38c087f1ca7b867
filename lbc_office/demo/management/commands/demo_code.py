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
    help = "Print the demo officials' current two-step sign-in codes (demo databases only)."

    def handle(self, *args, **options):
        if not DemoMarker.objects.exists():
            raise CommandError(_("This is not a demo database: there is no demo code to show."))
        # The county's official first, then Chengkou's and the city's (lbc_office/demo/county.py).
        devices = {
            d.user.username: d
            for d in TOTPDevice.objects.filter(name="demo").select_related("user")
        }
        if "official" not in devices:
            raise CommandError(_("The demo official has no authenticator in this database."))
        for username in ("official", "chengkou", "city"):
            device = devices.get(username)
            if device is None:
                continue
            code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
            self.stdout.write(
                _("Code for %(username)s: %(code)s (valid for up to 30 seconds)")
                % {"username": username, "code": f"{code:0{device.digits}d}"}
            )
