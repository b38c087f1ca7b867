"""Steps the offline app's browser tests share (docs/OFFLINE.md)."""

from __future__ import annotations

PASSWORD = "pw-for-tests-2026"


def sign_in(page, live_server, username: str, lands: str = "/") -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{lands}")


def until(page, script: str, what: str, tries: int = 150) -> object:
    """Poll ``script`` (a function, may return a promise) until it answers something truthy."""
    for _ in range(tries):
        answer = page.evaluate(script)
        if answer:
            return answer
        page.wait_for_timeout(100)
    raise AssertionError(f"never happened: {what}")


def ready_for_offline(page) -> dict:
    """The worker controls the site and the user's working set is on the phone."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    return until(
        page, "() => window.LBC ? LBC.workingSet() : null", "the working set reached the phone"
    )


def records(page) -> list[dict]:
    return page.evaluate("() => LBC.records()")


def send_again(page, live_server, user_pk: int, record: dict) -> dict:
    """What a second tab sends when it still holds a record another tab already sent."""
    return page.evaluate(
        """([url, user, record]) => fetch(url, {
            method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json",
                      "X-CSRFToken": document.cookie.match(/csrftoken=([^;]+)/)[1]},
            body: JSON.stringify({user: user, records: [record]})
        }).then(r => r.json())""",
        [f"{live_server.url}/offline/sync/", user_pk, record],
    )
