"""Sign-in lock-out (django-axes) with two limits: per account and address, and per address.

``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]`` makes axes count two
things; axes compares both with one limit, so this handler gives each its own:

- one username from one address: ``AXES_FAILURE_LIMIT`` (5) failures lock that pair out. Only
  the pair: an attacker failing as X from address A does not lock X out at address B, so nobody
  can lock a colleague out from elsewhere;
- one address, whatever the usernames: ``AXES_ADDRESS_FAILURE_LIMIT`` (20) failures lock the
  address out, so one password tried across many usernames (password spraying) is stopped. It is
  higher because a school's or the office's staff may share one address.

A successful sign-in clears only its own pair's failures: signing in to one's own account does
not wipe the failures an address has run up against others. The address is
``lbc_office.core.audit.client_ip``'s, the same as the audit log's.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.core import checks
from django.db.models import Sum


def _failures(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        pair, *address = self.get_user_attempts(request, credentials)
        failures = _failures(pair)
        if address and _failures(address[0]) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            # Reported as the per-account limit, the one axes compares with.
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def reset_user_attempts(self, request, credentials=None) -> int:
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair.delete()
        return count


@checks.register(checks.Tags.security, deploy=True)
def check_proxy_address(app_configs=None, **kwargs):
    """Behind a TLS proxy but reading no address from it: every client would be the proxy, and
    one person's wrong passwords would lock everyone out."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not settings.TRUSTED_PROXY_COUNT:
        return [
            checks.Warning(
                "BEHIND_TLS_PROXY is on but TRUSTED_PROXY_COUNT is 0: every client looks like "
                "the proxy to the sign-in lock-out and the audit log.",
                hint="Set TRUSTED_PROXY_COUNT=1 behind nginx (docs/OPERATIONS.md).",
                id="lbc_office.W010",
            )
        ]
    return []
