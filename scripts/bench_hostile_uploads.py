"""Benchmark: peak memory of the web process and of the Celery worker on hostile uploads.

Starts what production runs — gunicorn (one sync worker, ``DEBUG=0``) and a Celery worker
(prefork, one child) on Redis — against a fresh PostgreSQL database, signs in as an official
over HTTP (password, then the authenticator code), and for each hostile file:

- uploads it through the import page, as a browser would (multipart POST), and reads the
  answer: refused on the page, or stored and checked by the worker;
- hands the same bytes to the worker's check directly (a job row and ``check_import``), so
  that the worker meets every file, even those the page refuses;

and reads the peak resident memory (``VmHWM``) of the gunicorn worker and of the Celery child,
reset before each file (``/proc/<pid>/clear_refs``). The worst must stay under 1 GB.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lbc_hostile_bench \\
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python scripts/bench_hostile_uploads.py

The database named in DATABASE_URL is dropped and made anew. Figures go in docs/PERFORMANCE.md
("Hostile uploads").
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-secret-key-not-for-production-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "STATIC_MANIFEST": "0",
    "DJANGO_SETTINGS_MODULE": "lbc_office.settings",
}
for key, value in ENV.items():
    os.environ.setdefault(key, value)
USERNAME, PASSWORD = "bench-official", "bench-password-Hostile-2026"
LIMIT_MB = 1024


def build_files(folder: Path) -> list[tuple[str, Path, str]]:
    """(label, path, file name to upload as)."""
    from tests.registry import hostile_files as h

    files = []

    def add(label, name, data=None, writer=None):
        path = folder / name
        if writer is not None:
            writer(path)
        else:
            path.write_bytes(data)
        files.append((label, path, name))

    add("sparse corner A1 + XFD1048576, declared", "sparse.xlsx", h.sparse_corner_xlsx())
    add("sparse corner, no <dimension>", "sparse-undeclared.xlsx",
        h.sparse_corner_xlsx(dimension=False))  # fmt: skip
    add("a million bad rows, declared", "million.xlsx", writer=h.million_rows_xlsx)
    add("a million bad rows, no <dimension>", "million-undeclared.xlsx",
        writer=lambda p: h.million_rows_xlsx(p, dimension=False))  # fmt: skip
    add("zip bomb (600 MB unpacked)", "bomb.xlsx", h.zip_bomb_xlsx(unpacked_mb=600))
    add("one 100 MB line (CSV)", "line-100mb.csv",
        writer=lambda p: h.single_line_csv(p, megabytes=100))  # fmt: skip
    add("one 19 MB line (CSV, under the size cap)", "line-19mb.csv",
        writer=lambda p: h.single_line_csv(p, megabytes=19))  # fmt: skip
    add("199,999 bad rows x 13 columns (XLSX, at the caps)", "at-caps.xlsx",
        writer=lambda p: at_caps_xlsx(p, rows=199_999))  # fmt: skip
    add("199,999 bad rows x 13 columns (CSV, at the caps)", "at-caps.csv",
        writer=lambda p: at_caps_csv(p, rows=199_999))  # fmt: skip
    return files


def _bad_row(n: int) -> list[str]:
    return [f"5002{n:014d}", f"学生{n}", "女", "2016-06-01", "NOPE", "4", "镇", "村",
            "是", "是", "祖辈", "否", "否"]  # fmt: skip


def at_caps_xlsx(path: Path, rows: int) -> None:
    from tests.registry import hostile_files as h

    letters = "ABCDEFGHIJKLM"

    def chunks():
        yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet {h.NS}><sheetData>'
        yield h._header_row()
        batch = []
        for n in range(2, rows + 2):
            cells = "".join(
                f'<c r="{c}{n}" t="inlineStr"><is><t>{v}</t></is></c>'
                for c, v in zip(letters, _bad_row(n), strict=True)
            )
            batch.append(f'<row r="{n}">{cells}</row>')
            if len(batch) == 5000:
                yield "".join(batch)
                batch = []
        yield "".join(batch) + "</sheetData></worksheet>"

    h._workbook(path, chunks())


def at_caps_csv(path: Path, rows: int) -> None:
    from tests.registry import hostile_files as h

    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(h.CHILD_HEADER) + "\n")
        for n in range(2, rows + 2):
            out.write(",".join(_bad_row(n)) + "\n")


# --- the services -----------------------------------------------------------------------------


def fresh_database() -> None:
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL=postgres://…/lbc_hostile_bench (dropped!) and REDIS_URL.")
    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)
    subprocess.run(
        [python, "-c", "import django; django.setup()\n"
         "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
         "from lbc_office.core.models import Role, User\n"
         f"u = User.objects.create_user({USERNAME!r}, password={PASSWORD!r}, role=Role.OFFICIAL)\n"
         "TOTPDevice.objects.create(user=u, name='bench', confirmed=True)"],
        cwd=ROOT, check=True,
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def peak_mb(pid: int) -> float:
    match = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1)) / 1024


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # the peak becomes the current RSS


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


class Web:
    def __init__(self):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [gunicorn, "lbc_office.wsgi", "-w", "1", "-b", f"127.0.0.1:{self.port}",
             "--timeout", "300"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.worker = _wait(lambda: _children(self.process.pid), 60, "gunicorn's worker")[0]
        _wait(self._healthy, 60, "gunicorn")
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.opener.addheaders = [("Accept-Language", "en")]
        self.jar = jar

    def _healthy(self) -> bool:
        try:
            health = urllib.request.urlopen(self.base + "/healthz", timeout=2)  # noqa: S310
            return health.status == 200
        except OSError:
            return False

    def _csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=300) as response:
            return response.geturl(), response.read().decode()

    def post(self, path: str, fields: dict, file=None) -> tuple[str, str]:
        fields = {"csrfmiddlewaretoken": self._csrf(), **fields}
        if file is None:
            body = urllib.parse.urlencode(fields).encode()
            kind = "application/x-www-form-urlencoded"
        else:
            boundary = uuid.uuid4().hex
            parts = []
            for key, value in fields.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"'
                             f"\r\n\r\n{value}\r\n".encode())  # fmt: skip
            name, data = file
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                         f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                         .encode() + data + b"\r\n")  # fmt: skip
            parts.append(f"--{boundary}--\r\n".encode())
            body = b"".join(parts)
            kind = f"multipart/form-data; boundary={boundary}"
        request = urllib.request.Request(  # noqa: S310 (our own server, http://127.0.0.1)
            self.base + path, data=body, headers={"Content-Type": kind, "Referer": self.base}
        )
        with self.opener.open(request, timeout=300) as response:
            return response.geturl(), response.read().decode()

    def sign_in(self) -> None:
        import django

        django.setup()
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        self.get("/accounts/login/")
        url, _page = self.post("/accounts/login/", {"username": USERNAME, "password": PASSWORD})
        assert "/accounts/2fa/" in url, f"no second step after the password: {url}"
        device = TOTPDevice.objects.get(user__username=USERNAME)
        code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        url, _page = self.post(urllib.parse.urlparse(url).path, {"code": code, "next": "/"})
        assert "/accounts/" not in url, f"the code was not accepted: {url}"

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)


class Worker:
    def __init__(self):
        celery = str(Path(sys.executable).with_name("celery"))
        subprocess.run([celery, "-A", "lbc_office", "purge", "-f"], cwd=ROOT,
                       capture_output=True)  # fmt: skip
        self.process = subprocess.Popen(
            [celery, "-A", "lbc_office", "worker", "--pool=prefork", "--concurrency=1",
             "--loglevel=WARNING"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def child(self) -> int:
        return _wait(lambda: _children(self.process.pid), 60, "the Celery child")[0]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(60)


# --- the measurement --------------------------------------------------------------------------


def through_the_page(web: Web, name: str, data: bytes) -> str:
    from registry.models import ImportJob

    before = ImportJob.objects.count()
    url, page = web.post("/imports/", {"kind": "children"}, file=(name, data))
    if ImportJob.objects.count() == before:
        match = re.search(r'class="invalid-feedback.*?<strong>(.*?)</strong>', page, re.S)
        return "page: " + (match.group(1).strip() if match else "refused")[:60]
    job = ImportJob.objects.defer("data").latest("pk")
    _wait(lambda: not ImportJob.objects.get(pk=job.pk).in_progress, 600, "the check")
    job.refresh_from_db()
    return f"worker: {job.status} {job.message[:50]}".strip()


def through_the_worker(data: bytes) -> str:
    from lbc_office.core.models import User
    from registry import tasks
    from registry.models import ImportJob

    job = ImportJob.objects.create(
        kind="children", filename="x", size=len(data), data=data,
        uploaded_by=User.objects.get(username=USERNAME),
    )  # fmt: skip
    tasks.check_import.delay(job.pk)
    _wait(lambda: not ImportJob.objects.get(pk=job.pk).in_progress, 900, "the worker's check")
    job = ImportJob.objects.defer("data").get(pk=job.pk)
    count = (job.check_report or {}).get("error_count", 0)
    answer = f"{job.status}: {count:,} errors" if count else f"{job.status}: {job.message[:50]}"
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.parse_args()
    fresh_database()
    import django

    django.setup()
    from django.utils import translation

    translation.activate("en")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        files = build_files(Path(tmp))
        web, worker = Web(), Worker()
        try:
            web.sign_in()
            web_base, child_base = peak_mb(web.worker), peak_mb(worker.child())
            print(f"at rest: gunicorn worker {web_base:.0f} MB, Celery child {child_base:.0f} MB")
            print(f"{'file':<50} {'size':>9} {'web peak':>9} {'worker peak':>12}  answers")
            for label, path, name in files:
                data = path.read_bytes()
                reset_peak(web.worker)
                child = worker.child()
                reset_peak(child)
                page = through_the_page(web, name, data)
                reset_peak(child)
                check = through_the_worker(data)
                web_mb, worker_mb = peak_mb(web.worker), peak_mb(worker.child())
                rows.append((label, len(data), web_mb, worker_mb, page, check))
                print(f"{label:<50} {len(data) / 1024 / 1024:>7.1f}MB {web_mb:>7.0f}MB "
                      f"{worker_mb:>10.0f}MB  {page} | {check}", flush=True)  # fmt: skip
        finally:
            web.stop()
            worker.stop()
    worst = max(max(r[2], r[3]) for r in rows)
    print(f"worst peak: {worst:.0f} MB (limit {LIMIT_MB} MB)")
    if worst >= LIMIT_MB:
        sys.exit(1)


if __name__ == "__main__":
    main()
