import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

AUTH_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_email_verification_sent",
]


def assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+\.(?:css|js))"', html)


@pytest.mark.parametrize("name", ["home", *AUTH_PAGES])
def test_pages_render_with_local_bootstrap_and_no_cdn(client, name):
    response = client.get(reverse(name))

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/bootstrap/css/bootstrap.min.css" in assets(html)
    assert "/static/bootstrap/js/bootstrap.bundle.min.js" in assets(html)
    assert all(url.startswith("/static/") for url in assets(html)), assets(html)
    assert "<script>" not in html  # no inline code: a strict CSP must hold


@pytest.mark.parametrize(
    "path",
    ["/static/bootstrap/css/bootstrap.min.css", "/static/bootstrap/js/bootstrap.bundle.min.js"],
)
def test_bootstrap_assets_are_served_by_the_app(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert re.search(rb"Bootstrap +v5\.3", b"".join(response.streaming_content))


def test_auth_forms_have_labels(client):
    html = client.get(reverse("account_signup")).content.decode()

    for field_id in ("id_email", "id_password1", "id_password2"):
        assert f'for="{field_id}"' in html


def test_navigation_shows_what_the_role_can_use(client, patient, admin_user):
    anonymous = client.get(reverse("home")).content.decode()
    assert "Sign in" in anonymous and "Admin</a>" not in anonymous

    client.force_login(admin_user)
    assert "Admin</a>" in client.get(reverse("home")).content.decode()

    client.force_login(patient)
    as_patient = client.get(reverse("home")).content.decode()
    assert "Admin</a>" not in as_patient and "Sign out" in as_patient


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response.url == "/static/favicon.svg"
