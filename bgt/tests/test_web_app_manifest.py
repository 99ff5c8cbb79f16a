"""The web app manifest (add to home screen) and the colour-mode script every page loads."""

import json
import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "static"


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_every_page_links_the_manifest_and_sets_the_colour_mode_before_paint(client):
    html = client.get(reverse("account_login")).content.decode()
    head = html[: html.index("</head>")]

    assert '<link rel="manifest" href="/static/manifest.webmanifest">' in head
    # A plain (blocking) script in <head>, before the style sheets: no flash of light mode.
    assert head.index('<script src="/static/js/theme.js"></script>') < head.index("stylesheet")


def test_the_manifest_is_served_with_icons_a_phone_can_use(client):
    response = client.get("/static/manifest.webmanifest")
    manifest = json.loads(b"".join(response.streaming_content))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert manifest["start_url"] == "/dashboard/" and manifest["display"] == "standalone"
    icons = {(icon["purpose"], icon["sizes"]): icon for icon in manifest["icons"]}
    assert set(icons) == {
        (purpose, size) for purpose in ("any", "maskable") for size in ("any", "192x192", "512x512")
    }
    for (_, size), icon in icons.items():
        path = STATIC / icon["src"]
        assert client.get(f"/static/{icon['src']}").status_code == 200
        if size != "any":
            assert f"{png_size(path)[0]}x{png_size(path)[1]}" == size
