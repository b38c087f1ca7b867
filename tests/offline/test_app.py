"""The installable app's parts (docs/OFFLINE.md): the manifest, the service worker at the site
root, the offline page (a shell with no one's data) and the sign-out that wipes the phone."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client

from tests.conftest import ROLES

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_in_chinese_with_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "留守儿童关爱" and data["short_name"]
    assert data["theme_color"].startswith("#") and data["display"] == "standalone"
    assert data["start_url"] == "/" and data["scope"] == "/"
    sizes = {icon["sizes"]: icon["src"] for icon in data["icons"]}
    assert set(sizes) == {"192x192", "512x512"}
    for size, src in sizes.items():
        assert src == static(f"img/icon-{size.split('x')[0]}.png")
        path = finders.find(f"img/icon-{size.split('x')[0]}.png")
        with open(path, "rb") as png:
            head = png.read(24)
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        assert f"{width}x{height}" == size


def test_every_page_links_the_manifest(personas):
    html = personas.client_for("teacher_a").get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html


@pytest.mark.parametrize("role", ["anonymous", "teacher_a"])
def test_the_service_worker_is_served_at_the_root_never_from_a_cache(personas, role):
    response = personas.client_for(role).get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    config = json.loads(re.search(r"var CONFIG = (\{.*\});", response.content.decode())[1])
    assert config["shell"] == "/offline/"
    assert config["core"] == static("js/offline.js")
    # The files the shell loads, as {% static %} names them (hashed in production).
    for path in ("js/offline.js", "js/offline-app.js", "img/icon-192.png", "css/lbc.css"):
        assert static(path) in config["assets"]
    assert all(url.startswith("/static/") for url in config["assets"])


def test_a_new_file_in_the_shell_makes_a_new_cache(personas, settings):
    first = json.loads(
        re.search(r"var CONFIG = (\{.*\});", Client().get("/sw.js").content.decode())[1]
    )
    settings.STATIC_URL = "/static/v2/"
    second = json.loads(
        re.search(r"var CONFIG = (\{.*\});", Client().get("/sw.js").content.decode())[1]
    )
    assert first["cache"] != second["cache"]


@pytest.mark.parametrize("role", ROLES)
def test_the_offline_page_is_a_shell_with_no_ones_data(personas, role):
    response = personas.client_for(role).get("/offline/")
    assert response.status_code == 200
    html = response.content.decode()
    for form in ("f-visit", "f-call", "f-roles", "f-contact"):
        assert f'id="{form}"' in html
    for child in (personas.child_a, personas.child_b):
        assert child.name not in html and child.id_number not in html
    assert 'id="offline-texts"' in html and 'data-user=""' in html
    for user in (personas.teacher_a, personas.volunteer, personas.official):
        assert f">{user}" not in html  # no one's name in a page the phone keeps for everyone


def test_a_message_waiting_for_the_next_page_is_not_kept_in_the_shell(personas):
    client = personas.client_for("teacher_a")
    # A save leaves a message for the next page...
    client.post(
        f"/children/{personas.child_a.pk}/visits/new/",
        {"date": "2020-01-01", "met": "grandparents", "education": "x"},
    )
    html = client.get("/offline/").content.decode()
    assert "alert-success" not in html
    # ...which the next real page still shows.
    response = client.get(f"/children/{personas.child_a.pk}/")
    assert "alert-success" in response.content.decode()


@pytest.mark.parametrize("role", ["teacher_a", "volunteer", "official"])
def test_signing_out_tells_the_browser_to_wipe_the_sites_storage(personas, role):
    response = personas.client_for(role).post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"storage"'


def test_signed_in_pages_carry_the_offline_status_and_its_script(personas):
    html = personas.client_for("volunteer").get("/my/").content.decode()
    assert 'id="offline-status"' in html and static("js/offline.js") in html
    assert f'data-user="{personas.volunteer.pk}"' in html and 'data-role="volunteer"' in html
    login = Client().get("/accounts/login/").content.decode()
    assert 'id="offline-status"' not in login and "offline.js" not in login


def test_all_the_offline_script_is_small(settings):
    """It must load on a slow 3G network: under 15 KB gzipped, all of it."""
    import gzip

    total = 0
    for path in ("js/offline.js", "js/offline-app.js"):
        with open(finders.find(path), "rb") as script:
            total += len(gzip.compress(script.read(), 9))
    assert total < 15 * 1024, total
