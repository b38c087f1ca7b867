"""The read replica's settings (``lbc_office.settings`` reads them here; docs/OPERATIONS.md,
"Read replica"): a PostgreSQL streaming standby that serves the reports, the dashboard's
figures, the exports and the API's report endpoints (``lbc_office.core.replica``)."""

from __future__ import annotations

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from lbc_office.core.env import env_int, env_str


def timings() -> tuple[int, int, int]:
    """``REPLICA_MAX_LAG_SECONDS`` (30: past this lag the primary answers instead),
    ``REPLICA_CHECK_SECONDS`` (5: how often each process asks the standby for its state) and
    ``REPLICA_STICKY_SECONDS`` (after a user writes, their reads stay on the primary this long;
    the maximum lag by default)."""
    max_lag = env_int("REPLICA_MAX_LAG_SECONDS", 30)
    return max_lag, env_int("REPLICA_CHECK_SECONDS", 5), env_int("REPLICA_STICKY_SECONDS", max_lag)


def databases(default: dict) -> dict:
    """``{"replica": …}`` when ``REPLICA_DATABASE_URL`` is set, else nothing (the laptop)."""
    url = env_str("REPLICA_DATABASE_URL", "")
    if not url:
        return {}
    replica = dj_database_url.parse(
        url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    if replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("REPLICA_DATABASE_URL must be a postgres:// URL.")
    # The primary's options (jit off), and a dead standby must never hang a page: give up
    # connecting after 2 s.
    replica["OPTIONS"] = {
        **default.get("OPTIONS", {}),
        "connect_timeout": env_int("REPLICA_CONNECT_TIMEOUT", 2),
    }
    # In the tests the alias reads the standby's copy of the test database (same name, its own
    # host and port: Django's mirror only borrows the name); nothing is created on the standby.
    replica["TEST"] = {"MIRROR": "default"}
    return {"replica": replica}
