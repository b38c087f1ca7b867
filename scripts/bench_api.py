"""Benchmark: the API's children list and detail against the equivalent screens (issue 16).

Uses bench_register's generated register (county scale by default) and times each screen and
its API twin through Django's full request stack, the API with a token, N runs each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lbc_api_bench \
        REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python scripts/bench_api.py

--reuse keeps a database bench_register (or an earlier run) generated.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("API_RATE", "1000000/min")  # the rate limit is not what is measured

import bench_data  # noqa: E402
import bench_register as bench  # noqa: E402


def _token_client(user):
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lbc_office.api import services

    if user.role == "official":
        TOTPDevice.objects.get_or_create(user=user, defaults={"confirmed": True})
    secret = services.issue_token(user=user, by=user, name="bench").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def measure(runs: int) -> None:
    from lbc_office.core.models import User
    from registry.models import Child

    sample = Child.objects.order_by("id")[Child.objects.count() // 2]
    teacher_child = Child.objects.filter(school__teachers__user__username="bench-teacher").first()
    filters = f"town={sample.village.town_id}&grade={sample.grade}&poor=yes"
    pairs = [
        ("bench-official", "list, first page (active)", "/children/", "/api/v1/children/"),
        ("bench-official", "filters: town + grade + poor", f"/children/?{filters}",
         f"/api/v1/children/?{filters}"),
        ("bench-official", "search by name (2 characters)", f"search:{sample.name[:2]}",
         f"/api/v1/children/?q={sample.name[:2]}"),
        ("bench-official", "detail (personal file)", f"/children/{sample.pk}/",
         f"/api/v1/children/{sample.pk}/"),
        ("bench-teacher", "teacher: list of two schools", "/children/", "/api/v1/children/"),
        ("bench-teacher", "teacher: detail", f"/children/{teacher_child.pk}/",
         f"/api/v1/children/{teacher_child.pk}/"),
    ]  # fmt: skip
    screens, tokens = {}, {}
    print(f"{'':36s} {'screen':>18s} {'API':>18s}  API/screen")
    for username, label, screen_url, api_url in pairs:
        user = User.objects.get(username=username)
        screen = screens.setdefault(username, bench._signed_in(user))
        api = tokens.setdefault(username, _token_client(user))
        if screen_url.startswith("search:"):
            posted = screen.post("/children/", {"q": screen_url.removeprefix("search:")})
            screen_url = posted["Location"]
        s_med, s_p95, s_q = bench._time(screen, screen_url, runs)
        a_med, a_p95, a_q = bench._time(api, api_url, runs)
        print(
            f"{label:36s} {s_med:6.1f} ms ({s_q:2d} q) {a_med:6.1f} ms ({a_q:2d} q)  "
            f"{a_med / s_med:5.2f}   p95 {s_p95:.1f} / {a_p95:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=54_660)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep the generated database")
    args = parser.parse_args()
    bench._setup(args.reuse)
    if not args.reuse:
        bench_data.generate(args.children)
    measure(args.runs)


if __name__ == "__main__":
    main()
