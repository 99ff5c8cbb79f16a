"""The privacy notice, terms and contact page (settings-driven), their links from every
page's footer and from the sign-up form, and account mail that names BGT and its domain."""

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-unguessable-passphrase"


@pytest.mark.parametrize("name", ["home", "account_login", "privacy"])
def test_every_page_links_the_trust_pages_in_its_footer(client, name):
    html = client.get(reverse(name)).content.decode()
    footer = html[html.index("<footer") :]

    for url in ("/privacy/", "/terms/", "/contact/"):
        assert f'href="{url}"' in footer


def test_the_sign_up_form_links_the_privacy_notice_and_terms(client):
    html = client.get(reverse("account_signup")).content.decode()
    form = html[html.index("<form") : html.index("</form>")]

    assert 'href="/privacy/">privacy notice</a>' in form
    assert 'href="/terms/">terms of use</a>' in form


def test_the_privacy_notice_says_what_is_stored_who_sees_it_and_how_to_leave(client):
    response = client.get(reverse("privacy"))
    html = response.content.decode()

    assert response.status_code == 200
    for heading in ("What is stored", "Who sees it", "Taking your data with you"):
        assert heading in html
    # The ways out it names are the real pages.
    assert f'href="{reverse("accounts:profile")}"' in html
    assert "Download all my data (JSON)" in html and "Delete my account" in html
    assert "never see readings" in html  # administrators


def test_contact_details_come_from_the_settings(client, settings):
    settings.BGT_OPERATOR = "Example Diabetes Association"
    settings.BGT_CONTACT_EMAIL = "privacy@bgt.example.org"
    settings.BGT_CONTACT_ADDRESS = "1 Example Street, Exampletown"

    contact = client.get(reverse("contact")).content.decode()
    privacy = client.get(reverse("privacy")).content.decode()

    assert "run by <strong>Example Diabetes Association</strong>" in contact
    assert 'href="mailto:privacy@bgt.example.org"' in contact
    assert "1 Example Street, Exampletown" in contact
    assert 'href="mailto:privacy@bgt.example.org"' in privacy
    assert "Example Diabetes Association, who runs this site" in privacy


def test_without_a_contact_address_the_page_says_so_and_how_to_act_alone(client, settings):
    settings.BGT_CONTACT_EMAIL = ""

    html = client.get(reverse("contact")).content.decode()

    assert "mailto:" not in html
    assert "has not published a contact address" in html
    assert f'href="{reverse("privacy")}#your-rights"' in html


def test_account_mail_names_bgt_and_the_configured_domain(client, settings):
    settings.BGT_SITE_DOMAIN = "bgt.example.org"

    client.post(
        reverse("account_signup"),
        {"email": "alice@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    body = mail.outbox[0].body
    assert body.startswith("Hello from BGT!")
    assert "bgt.example.org" in body
    assert "testserver" not in body.replace("http://testserver/accounts/confirm-email/", "")
    assert mail.outbox[0].subject.startswith("[BGT] ")


def test_account_mail_defaults_to_the_domain_the_request_came_to(client, settings):
    settings.BGT_SITE_DOMAIN = ""

    client.post(
        reverse("account_reset_password"), {"email": "nobody@example.org"}, HTTP_HOST="localhost"
    )

    body = mail.outbox[0].body
    assert body.startswith("Hello from BGT!")
    assert "your blood glucose tracker at localhost." in body
