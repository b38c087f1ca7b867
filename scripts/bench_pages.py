"""How heavy and how fast the field workers' pages are on a slow county network (issue 13).

Real Chromium (Debian's, driven by Playwright), the production stack (gunicorn + whitenoise,
``DEBUG=0``, collected static files), real HTTP on 127.0.0.1, the seeded demo county:

- bytes: what crossed the wire for each page (compressed, headers included, every resource),
  on a first visit (empty cache) and a later visit (warm cache);
- first paint and load with Chromium's network throttling (CDP: 400 ms latency, 400 kbit/s
  each way), empty and warm cache;
- the volunteer's whole monthly check-in with a warm cache, from opening the app to "saved".

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lbc_bench \\
      .venv/bin/python scripts/bench_pages.py --label after [--write]

The database is migrated and the demo seeded when it holds none. ``--write`` puts the table
into docs/PERFORMANCE.md (the section "Light pages on a slow network"), under ``--label``.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv/bin/python"
CHROMIUM = os.environ.get("LBC_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "lbc-demo-2026"
LATENCY_MS = 400
KBIT = 400
THROTTLE = {
    "offline": False,
    "latency": LATENCY_MS,
    "downloadThroughput": KBIT * 1000 / 8,
    "uploadThroughput": KBIT * 1000 / 8,
}
SECTION = "## Light pages on a slow network (issue 13)"


def production_env(static_root: str, port: int) -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY="bench-pages-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=static_root,
        # Plain HTTP on the loopback: the TLS proxy's part is not measured.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        PORT=str(port),
    )
    return env


def prepare(env: dict) -> None:
    run = lambda *a: subprocess.run([str(PY), "manage.py", *a], cwd=ROOT, env=env, check=True)  # noqa: E731
    run("migrate", "--noinput", "-v0")
    run("seed_demo", "--password", PASSWORD)
    run("collectstatic", "--noinput", "-v0", "--clear")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict, port: int) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "lbc_office.wsgi", "-b", f"127.0.0.1:{port}"]
    cmd += ["-w", "2", "--log-level", "warning"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not answer on /healthz")


class Meter:
    """Counts what one page fetched over the wire, through the DevTools protocol."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.bytes = 0
        self.requests = 0
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.requestWillBeSent", self._sent)

    def _finished(self, event):
        self.bytes += event.get("encodedDataLength", 0)

    def _sent(self, event):
        self.requests += 1

    def throttle(self, on: bool = True):
        conditions = THROTTLE if on else {**THROTTLE, "latency": 0}
        if not on:
            conditions = {**conditions, "downloadThroughput": -1, "uploadThroughput": -1}
        self.cdp.send("Network.emulateNetworkConditions", conditions)

    def reset(self):
        self.bytes = 0
        self.requests = 0


TIMING_JS = """() => {
  const paint = performance.getEntriesByType('paint').find(e => e.name === 'first-paint');
  const nav = performance.getEntriesByType('navigation')[0];
  return {paint: paint ? paint.startTime : null, load: nav ? nav.loadEventEnd : null};
}"""


def visit(page, meter, url: str) -> dict:
    meter.reset()
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)  # late loadingFinished events (the favicon)
    timing = page.evaluate(TIMING_JS)
    return {"bytes": meter.bytes, "requests": meter.requests, **timing}


def measure_page(browser, state, url: str, runs: int) -> dict:
    """A first visit (new context: empty cache) and a later one (same context), throttled."""
    cold, warm = [], []
    for _ in range(runs):
        context = browser.new_context(storage_state=state, viewport={"width": 360, "height": 740})
        page = context.new_page()
        meter = Meter(page)
        meter.throttle()
        cold.append(visit(page, meter, url))
        warm.append(visit(page, meter, url))
        context.close()
    return {"cold": cold, "warm": warm}


def sign_in(browser, base: str, username: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    state = context.storage_state()
    context.close()
    return state


def find_urls(browser, base: str, states: dict) -> dict:
    urls = {"login page": f"{base}/accounts/login/"}
    context = browser.new_context(storage_state=states["volunteer"])
    page = context.new_page()
    page.goto(f"{base}/my/")
    urls["volunteer: my children"] = f"{base}/my/"
    checkin = page.locator("a[href*='/my/checkins/']").first.get_attribute("href")
    urls["volunteer: check-in form"] = base + checkin
    context.close()
    context = browser.new_context(storage_state=states["teacher"])
    page = context.new_page()
    page.goto(f"{base}/")
    urls["teacher: first screen"] = f"{base}/"
    urls["teacher: children list"] = f"{base}/children/"
    page.goto(f"{base}/children/")
    href = page.locator("a[href^='/children/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href')).find(h => /^\\/children\\/[^/]+\\/$/.test(h))"
    )
    urls["teacher: personal file"] = base + href
    context.close()
    return urls


def checkin_flow(browser, base: str, state: dict, runs: int) -> list[dict]:
    """Opening the app to "saved", warm cache, throttled: the wall time and the navigations."""
    results = []
    for _ in range(runs):
        context = browser.new_context(storage_state=state, viewport={"width": 360, "height": 740})
        page = context.new_page()
        meter = Meter(page)
        page.goto(f"{base}/")  # warm the cache once, as yesterday's visit did
        page.locator("a[href*='/my/checkins/']").first.click()
        page.wait_for_load_state("load")
        meter.throttle()
        meter.reset()
        navigations = []
        page.on(
            "framenavigated",
            lambda f, seen=navigations, main=page.main_frame: f == main and seen.append(f.url),
        )
        start = time.perf_counter()
        page.goto(f"{base}/", wait_until="load")
        form = page.locator("form.checkin-form").first
        if not form.count():
            page.locator("a[href*='/my/checkins/']").first.click()
            page.wait_for_load_state("load")
            form = page.locator("form.checkin-form").first
        boxes = form.locator("input[type=checkbox]")
        for i in range(boxes.count()):
            boxes.nth(i).check()
        form.locator("button[type=submit]").click()
        page.wait_for_selector(".alert-success")  # "saved"
        page.wait_for_load_state("load")
        elapsed = time.perf_counter() - start
        results.append({"seconds": elapsed, "bytes": meter.bytes, "pages": len(navigations)})
        context.close()
    return results


def kb(n: float) -> str:
    return f"{n / 1024:.1f} KB"


def ms(values) -> str:
    values = [v for v in values if v is not None]
    return f"{statistics.median(values) / 1000:.2f} s" if values else "–"


def table(results: dict, flow: list[dict]) -> str:
    lines = [
        "| page | first visit | later visit | first paint, empty cache | first paint, warm | load, empty cache |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        cold, warm = r["cold"], r["warm"]
        lines.append(
            f"| {name} | {kb(statistics.median(c['bytes'] for c in cold))} "
            f"({cold[0]['requests']} requests) | {kb(statistics.median(w['bytes'] for w in warm))} "
            f"| {ms(c['paint'] for c in cold)} | {ms(w['paint'] for w in warm)} "
            f"| {ms(c['load'] for c in cold)} |"
        )
    seconds = statistics.median(f["seconds"] for f in flow)
    lines.append(
        f"| volunteer's whole check-in, warm cache ({flow[0]['pages']} pages loaded) "
        f"| {kb(statistics.median(f['bytes'] for f in flow))} | | | | {seconds:.2f} s |"
    )
    return "\n".join(lines)


def write_doc(label: str, text: str) -> None:
    doc = ROOT / "docs/PERFORMANCE.md"
    content = doc.read_text()
    block = f"### {label}\n\n{text}\n"
    if SECTION not in content:
        content = content.rstrip() + f"\n\n{SECTION}\n\n{block}"
    else:
        head, tail = content.split(SECTION, 1)
        pattern = re.compile(rf"### {re.escape(label)}\n.*?(?=\n### |\n## |\Z)", re.S)
        tail = (
            pattern.sub(lambda _m: block.rstrip("\n"), tail)
            if pattern.search(tail)
            else (tail.rstrip() + "\n\n" + block if tail.strip() else "\n\n" + block)
        )
        content = head + SECTION + tail
    doc.write_text(content.rstrip() + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", default="measured")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="write the table to PERFORMANCE.md")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("set DATABASE_URL (a PostgreSQL database of its own)")
    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as static_root:
        env = production_env(static_root, port)
        prepare(env)
        server = start_server(env, port)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                states = {u: sign_in(browser, base, u) for u in ("teacher", "volunteer")}
                states["anonymous"] = {"cookies": [], "origins": []}
                urls = find_urls(browser, base, states)
                results = {}
                for name, url in urls.items():
                    who = name.split(":")[0] if ":" in name else "anonymous"
                    results[name] = measure_page(browser, states[who], url, args.runs)
                    print(name, results[name]["cold"][0], results[name]["warm"][0], file=sys.stderr)
                flow = checkin_flow(browser, base, states["volunteer"], args.runs)
                print("check-in", flow, file=sys.stderr)
                browser.close()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
    text = table(results, flow)
    print(text)
    if args.write:
        write_doc(args.label, text)


if __name__ == "__main__":
    main()
