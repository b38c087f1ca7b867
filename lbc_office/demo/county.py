"""The demo county behind ``manage.py seed_demo``: Wuxi (巫溪县) with towns, schools and children,
and a smaller neighbour of the same city, Chengkou (城口县), with its own official (``chengkou``),
and a municipal official (``city``) who reads both.

Everything is drawn from one ``random.Random`` so that the same seed gives the same county, and
every record goes through the apps' services (validation, history and audit apply), except
the demo accounts (one password hashed once, for speed: hashing is slow on purpose), the demo
official's authenticator and, in ``demo/volunteers.py``, past months' check-ins (a closed month
is refused by ``care.submit_checkin`` by design: the demo back-fills what the tasks would have
left). Dates are relative to today's local date and never in the future. This module is the
"roof": it may import ``registry``; nothing imports it except the command.
"""

from __future__ import annotations

import random

from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from lbc_office.core.models import DemoMarker, User
from lbc_office.demo import casework as demo_casework
from lbc_office.demo import data
from lbc_office.demo import programmes as demo_programmes
from lbc_office.demo import volunteers as demo_volunteers
from lbc_office.demo.register import Generator
from registry import services
from registry.models import Child, County, School, Town

DEFAULT_PASSWORD = data.DEFAULT_PASSWORD  # the command and the tests read them here
DEFAULT_SEED = data.DEFAULT_SEED
DEFAULT_CHILDREN = data.DEFAULT_CHILDREN


def database_state() -> tuple[str, str]:
    """("demo", "") when seed_demo filled it, ("empty", "") or ("foreign", what is there)."""
    if DemoMarker.objects.exists():
        return "demo", ""
    for model in (User, County, Town, School, Child):
        if model.objects.exists():
            return "foreign", str(model._meta.verbose_name_plural)
    return "empty", ""


def demo_users() -> list[User]:
    return list(User.objects.filter(username__in=[u[0] for u in data.ALL_USERS]).order_by("id"))


def _neighbour(*, seed: int, password: str, hashed: str) -> dict:
    """Chengkou, made by its own official, and the city's official; after Wuxi, from their
    own seed, so that Wuxi's records are what they were with one county."""
    gen = Generator(random.Random(seed + 4), password)
    users = gen.users(data.MORE_USERS, hashed=hashed)
    by = users["chengkou"]
    _county, _towns, villages, schools, _rooms = gen.places(
        by, county=data.NEIGHBOUR, town_rows=data.NEIGHBOUR_TOWNS,
        school_rows=data.NEIGHBOUR_SCHOOLS,
    )  # fmt: skip
    for official in users.values():  # both sign in in two steps, like every official
        TOTPDevice.objects.create(
            user=official, name="demo", confirmed=True, key=f"{gen.rng.getrandbits(160):040x}"
        )
    made = gen.children(data.NEIGHBOUR_CHILDREN, schools, villages, by)
    return {
        _("%(county)s: schools, children") % {"county": data.NEIGHBOUR[1]}: (
            f"{len(schools)}, {len(made)}"
        )
    }


def seed(
    *, password: str, seed: int = data.DEFAULT_SEED, children: int = data.DEFAULT_CHILDREN
) -> dict:
    """Fill an empty database with the demo county and return what it made, counted.

    The caller checks that the database is empty and holds the transaction.
    """
    gen = Generator(random.Random(seed), password)
    users = gen.users()
    by = users["official"]
    _county, towns, villages, schools, rooms = gen.places(by)
    # The demo official's authenticator, already set up: `manage.py demo_code` shows its code.
    TOTPDevice.objects.create(
        user=by, name="demo", confirmed=True, key=f"{gen.rng.getrandbits(160):040x}"
    )
    services.set_teacher_schools(
        user=users["teacher"], schools=[s for s in schools if s.code in data.TEACHER_SCHOOLS], by=by
    )
    made = gen.children(children, schools, villages, by)
    changes = gen.status_changes(made, by)
    consents = gen.consents(made, by)
    # Each capability adds its own demo records on top of the register, from its own seed.
    more = {}
    more.update(
        demo_volunteers.seed(rng=random.Random(seed + 1), by=by, users=users, today=gen.today)
    )
    more.update(
        demo_programmes.seed(rng=random.Random(seed + 2), by=by, users=users, today=gen.today)
    )
    more.update(
        demo_casework.seed(rng=random.Random(seed + 3), by=by, users=users, today=gen.today)
    )
    more.update(_neighbour(seed=seed, password=password, hashed=gen.hashed))
    DemoMarker.objects.create(note=f"seed_demo: seed {seed}, {children} children")
    return {
        "more": more,
        "towns": len(towns),
        "villages": sum(len(v) for v in villages.values()),
        "schools": len(schools),
        "rooms": rooms,
        "children": len(made),
        "changes": changes,
        "consents": consents,
    }
