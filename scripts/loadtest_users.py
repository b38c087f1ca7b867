"""The load test's users, run by locust (``scripts/loadtest.py run`` starts it; by hand:
``LOADTEST_USERS=var/loadtest/users.json .venv/bin/locust -f scripts/loadtest_users.py …``), and
the one-user timings (``single``).

Teachers: their list, a name search (two or three characters of a name they see), a child's
file, now and then a home visit through the real form (its one-time key; one visit in five is
sent twice, as a double tap, and must be stored once). Volunteers: their page, a check-in form,
a check-in. Officials (of the city): a filtered list (one county), the dashboard, a report, a
download.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

# --- 2. the users (locust) --------------------------------------------------------------------


class _Form(HTMLParser):
    """The fields of the first form on a page whose action is ``action`` (or the page itself),
    with the values a person who changes nothing would send: hidden and filled inputs, checked
    boxes, the selected (else first) option, the first choice of each radio group."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._radio: dict[str, str] = {}
        self._select: str | None = None
        self._chosen = False
        self._textarea: str | None = None
        self._in_form = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._in_form += 1
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox",) and "checked" in a:
                self.fields.setdefault(name, []).append(a.get("value", "on"))
            elif kind == "radio":
                if "checked" in a:
                    self.fields[name] = [a.get("value", "")]
                self._radio.setdefault(name, a.get("value", ""))
            elif kind not in ("checkbox", "radio", "submit", "button", "file"):
                self.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select, self._chosen = name, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if "selected" in a:
                self.fields[self._select] = [value]
                self._chosen = True
            elif self._select not in self.fields and value:
                self.fields[self._select] = [value]
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.setdefault(name, [""])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form -= 1

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] = [data]

    def data(self) -> dict[str, list[str]]:
        for name, value in self._radio.items():
            self.fields.setdefault(name, [value])
        return self.fields


def form_fields(html: str) -> dict[str, list[str]]:
    parser = _Form()
    parser.feed(html)
    return parser.data()


if "locust" in sys.modules:  # loaded by locust (prepare, check and run never import it)
    from http.cookiejar import Cookie
    from urllib.parse import urlencode

    from locust import FastHttpUser, between, task

    # FastHttpUser (geventhttpclient), not HttpUser (python-requests): locust runs on the same
    # two cores as the server, and requests cost it several times the CPU for each request
    # (docs/PERFORMANCE.md, "Many users at once").
    _FORM = {"Content-Type": "application/x-www-form-urlencoded"}

    _USERS: dict[str, list[dict]] = {}
    _NEXT = {"teacher": 0, "volunteer": 0, "official": 0}

    def _account(role: str) -> dict:
        if not _USERS:
            for user in json.loads(Path(os.environ["LOADTEST_USERS"]).read_text()):
                _USERS.setdefault(user["role"], []).append(user)
        accounts = _USERS[role]
        account = accounts[_NEXT[role] % len(accounts)]
        _NEXT[role] += 1
        return account

    def search_as(user, role: str, text: str) -> None:
        page = user.client.get("/children/", name=f"{role}: children list")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if not token:
            return
        response = user.client.post(
            "/children/", data=urlencode({"q": text, "csrfmiddlewaretoken": token.group(1)}),
            name=f"{role}: search (post)", allow_redirects=False,
            headers={**_FORM, "Referer": user.host + "/children/"},
        )  # fmt: skip
        if response.status_code == 302:
            kind = "2 chars" if len(text) == 2 else f"{len(text)} chars"
            user.client.get(response.headers["Location"], name=f"{role}: search, {kind}")

    class _Signed(FastHttpUser):
        abstract = True
        wait_time = between(1, 4)
        role = ""

        def on_start(self):
            self.account = _account(self.role)
            host = self.host.split("//", 1)[1].split(":")[0]
            self.client.cookiejar.set_cookie(
                Cookie(0, "sessionid", self.account["session"], None, False, host, False, False,
                       "/", True, False, None, False, None, None, {})
            )  # fmt: skip

        def post_form(self, url: str, name: str, fill: dict, *, twice: bool = False):
            """GET the form, send it back with ``fill`` (its one-time key and CSRF token as
            the page gave them); ``twice`` sends the same again, as a double tap. A form sent
            back (200, refused) is a failure."""
            page = self.client.get(url, name=f"{name} (form)")
            if page.status_code != 200:
                return
            data = form_fields(page.text)
            data.update({k: v if isinstance(v, list) else [v] for k, v in fill.items()})
            for attempt in range(2 if twice else 1):
                with self.client.post(
                    url,
                    data=urlencode(data, doseq=True),
                    name=name + (" (again)" if attempt else ""),
                    headers={**_FORM, "Referer": self.host + url},
                    allow_redirects=False,
                    catch_response=True,
                ) as response:
                    if response.status_code in (302, 303):
                        response.success()
                    else:
                        errors = re.findall(
                            r"invalid-feedback.*?<strong>([^<]+)", response.text, re.S
                        )
                        response.failure(f"{response.status_code}: {errors[:3]}")

    class Teacher(_Signed):
        weight = 60
        role = "teacher"

        def on_start(self):
            super().on_start()
            self.visited: set[int] = set()

        @task(4)
        def children_list(self):
            self.client.get("/children/", name="teacher: children list")

        @task(3)
        def search(self):
            """The list page open, two or three characters of a name typed into its box."""
            names = self.account["names"]
            search_as(self, "teacher", random.choice(names) if names else "王")

        @task(3)
        def personal_file(self):
            child = random.choice(self.account["children"])
            self.client.get(f"/children/{child}/", name="teacher: personal file")

        @task(1)
        def home_visit(self):
            # Each number of users visits its own third of the children: the same teacher
            # visiting a child twice in a day would be two visits, not one stored twice.
            todo = [
                c
                for i, c in enumerate(self.account["children"])
                if c not in self.visited and i % 3 == int(os.environ.get("LOADTEST_ROUND", "0")) % 3
            ]
            if not todo:
                return
            child = random.choice(todo)
            self.visited.add(child)
            self.post_form(
                f"/children/{child}/visits/new/",
                "teacher: home visit",
                {"child_said": "负载测试家访", "education": "每天按时完成作业"},
                twice=random.random() < 0.2,
            )

    class Volunteer(_Signed):
        weight = 25
        role = "volunteer"

        @task(4)
        def my_children(self):
            self.client.get("/my/", name="volunteer: my children")

        @task(2)
        def checkin_form(self):
            if self.account["assignments"]:
                pk = random.choice(self.account["assignments"])
                self.client.get(f"/my/checkins/{pk}/", name="volunteer: check-in form")

        @task(1)
        def checkin(self):
            if self.account["assignments"]:
                pk = random.choice(self.account["assignments"])
                self.post_form(
                    f"/my/checkins/{pk}/",
                    "volunteer: check-in",
                    {"contact": "visit", "notes": "负载测试"},
                    twice=random.random() < 0.2,
                )

    class Official(_Signed):
        weight = 15
        role = "official"

        @task(4)
        def filtered_list(self):
            county = self.account["activity"] or random.choice(self.account["counties"])
            self.client.get(f"/children/?county={county}&grade=3", name="official: filtered list")

        @task(2)
        def dashboard(self):
            self.client.get("/", name="official: dashboard")

        @task(2)
        def report(self):
            slug = random.choice(["status", "programmes", "volunteer-coverage", "contact-gaps"])
            self.client.get(f"/reports/{slug}/", name="official: report")

        @task(1)
        def download(self):
            self.client.get("/reports/status/?format=xlsx", name="official: download (XLSX)")


def _sessions(accounts: list[dict]) -> dict:
    import requests

    sessions = {}
    for role in ("official", "county", "teacher"):
        s = requests.Session()
        s.cookies.set("sessionid", next(a for a in accounts if a["role"] == role)["session"])
        sessions[role] = s
    return sessions


def _search_url(host: str, s, text: str, extra: str = "") -> str:
    """The tokenised URL a search's POST redirects to (what was typed never goes in a URL)."""
    page = s.get(f"{host}/children/{extra}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    data = {"q": text, "csrfmiddlewaretoken": token}
    if extra:
        data.update(dict(p.split("=") for p in extra.lstrip("?").split("&")))
    response = s.post(
        f"{host}/children/", data=data, allow_redirects=False,
        headers={"Referer": f"{host}/children/"},
    )  # fmt: skip
    return host + response.headers["Location"]


def _deep_url(s, first: str, pages: int) -> str:
    """The list's page ``pages + 1``, by following "Next" (cursor pages)."""
    url = first
    for _ in range(pages):
        found = re.search(r'id="page-next" href="\?([^"]+)"', s.get(url).text)
        url = first.split("?")[0] + "?" + found.group(1).replace("&amp;", "&")
    return url


def _pages(host: str, accounts: list[dict], sessions: dict) -> list[tuple[str, str, str]]:
    c = next(a for a in accounts if a["role"] == "probes")
    teacher_child = next(a for a in accounts if a["role"] == "teacher")["children"][0]
    city, county = sessions["official"], sessions["county"]
    return [
        ("official", "list, first page", f"{host}/children/"),
        ("official", "list, page 50 (cursor)", _deep_url(city, f"{host}/children/", 49)),
        ("official", "filters: grade 3, poor", f"{host}/children/?grade=3&poor=yes"),
        ("official", "search: 1 character (surname)", _search_url(host, city, c["surname"])),
        ("official", "search: 2 characters (start)", _search_url(host, city, c["name2"])),
        ("official", "search: 2 characters (given name)", _search_url(host, city, c["given2"])),
        ("official", "search: 3 characters", _search_url(host, city, c["name3"])),
        ("official", "search: whole identity number", _search_url(host, city, c["id"])),
        ("official", "search: last four digits", _search_url(host, city, c["last4"])),
        ("official", "personal file", f"{host}/children/{c['child']}/"),
        ("official", "list of one county, first page", f"{host}/children/?county={c['county']}"),
        ("county", "list, first page", f"{host}/children/"),
        ("county", "list, page 50 (cursor)", _deep_url(county, f"{host}/children/", 49)),
        ("county", "filters: town, grade 3", f"{host}/children/?town={c['town']}&grade=3"),
        ("county", "search: 1 character (surname)", _search_url(host, county, c["surname"])),
        ("county", "search: 2 characters", _search_url(host, county, c["given2"])),
        ("county", "search: 3 characters", _search_url(host, county, c["name3"])),
        ("county", "search: whole identity number", _search_url(host, county, c["id"])),
        ("county", "search: last four digits", _search_url(host, county, c["last4"])),
        ("county", "personal file", f"{host}/children/{c['child']}/"),
        ("teacher", "list, first page", f"{host}/children/"),
        ("teacher", "personal file", f"{host}/children/{teacher_child}/"),
    ]  # fmt: skip


def single(host: str, users_file: str, runs: int) -> list[str]:
    """One user at a time: each page ``runs`` times through the server, median and p95 (ms)."""
    import statistics
    import time

    accounts = json.loads(Path(users_file).read_text())
    sessions = _sessions(accounts)
    lines = []
    for role, label, url in _pages(host, accounts, sessions):
        times, size = [], 0
        for _ in range(runs + 1):
            started = time.perf_counter()
            response = sessions[role].get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (label, response.status_code)
            size = len(response.content)
        times = sorted(times[1:])  # the first warms the worker's caches
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        lines.append(
            f"| {role} | {label} | {statistics.median(times):,.0f} ms | {p95:,.0f} ms | "
            f"{size / 1024:,.0f} KB |"
        )
        print(lines[-1], flush=True)
    return lines
