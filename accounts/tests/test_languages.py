"""The language BGT speaks to a person: the browser's (Accept-Language, or the switcher's
cookie) until they sign in with a stored one (the profile's setting, or the language their
signup page was shown in); their email always in their stored language."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.languages import in_language_of
from accounts.models import User
from accounts.tests.factories import UserFactory
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-unguessable-passphrase"


def sign_up(client, email, **headers):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
        **headers,
    )


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


# --- chosen and stored -------------------------------------------------------------------


def test_the_browser_language_picks_the_page_language(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr-CH, fr;q=0.9, en;q=0.5")

    assert html_lang(response) == "fr" and response.headers["Content-Language"] == "fr"
    assert "Votre glycémie, en toute clarté." in response.content.decode()


def test_without_accept_language_pages_stay_english(client):
    response = client.get(reverse("home"))

    assert html_lang(response) == "en"
    assert "Your blood glucose, clearly." in response.content.decode()


def test_signed_out_visitors_get_a_labelled_switcher_that_works_without_javascript(client):
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    form = re.search(r'<form action="/i18n/setlang/".*?</form>', html, flags=re.S).group(0)
    assert '<label for="language-select"' in form and 'id="language-select"' in form
    assert 'type="submit"' in form and "csrfmiddlewaretoken" in form
    assert '<option value="de" lang="de">Deutsch</option>' in form

    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")

    assert html_lang(response) == "fr"


def test_signed_in_users_choose_on_the_profile_not_in_the_footer(client, patient):
    client.force_login(patient)

    html = client.get(reverse("home")).content.decode()

    assert "/i18n/setlang/" not in html


def test_the_stored_language_wins_over_the_browser(client):
    user = PatientFactory(language="de")
    client.force_login(user)

    response = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="fr")

    assert html_lang(response) == "de"
    assert "Ihr Profil" in response.content.decode()


def test_a_blank_setting_follows_the_browser(client, patient):
    assert patient.language == ""
    client.force_login(patient)

    response = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="nl")

    assert html_lang(response) == "nl" and "Je profiel" in response.content.decode()


def test_the_profile_setting_switches_the_next_page_and_says_so_in_it(client, patient):
    client.force_login(patient)
    form = {"form": "preferences", "preferences-unit": "mg/dL", "preferences-language": "de"}

    response = client.post(reverse("accounts:profile"), form, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en")

    patient.refresh_from_db()
    assert patient.language == "de"
    html = page.content.decode()
    assert html_lang(page) == "de" and "Ihre Änderungen sind gespeichert." in html
    assert '<option value="de" selected>Deutsch</option>' in html


def test_an_unknown_language_is_refused_in_the_users_language(client):
    user = PatientFactory(language="de")
    client.force_login(user)
    form = {"form": "preferences", "preferences-unit": "mg/dL", "preferences-language": "xx"}

    response = client.post(reverse("accounts:profile"), form)

    user.refresh_from_db()
    assert user.language == "de"
    assert "Bitte eine gültige Auswahl treffen. xx ist keine gültige Auswahl." in (
        response.content.decode()
    )


def test_a_signup_stores_the_language_its_page_was_shown_in(client):
    sign_up(client, "amelie@example.org", HTTP_ACCEPT_LANGUAGE="fr")
    sign_up(client, "ann@example.org")

    assert User.objects.get(email="amelie@example.org").language == "fr"
    assert User.objects.get(email="ann@example.org").language == "en"


# --- email in the recipient's language ---------------------------------------------------


def test_a_french_signup_gets_its_confirmation_in_french(client):
    sign_up(client, "amelie@example.org", HTTP_ACCEPT_LANGUAGE="fr")

    (message,) = mail.outbox
    assert message.subject == "[BGT] Confirmez votre adresse e-mail"
    assert message.body.startswith("Bonjour, c'est BGT !")
    assert "Merci d'utiliser BGT, votre suivi de glycémie" in message.body
    assert "Hello" not in message.body and "Thank you" not in message.body


def test_a_german_user_gets_a_password_reset_in_german_from_an_english_request(client):
    user = UserFactory(email="jonas@example.org", language="de")

    client.post(reverse("account_reset_password"), {"email": user.email}, HTTP_ACCEPT_LANGUAGE="en")

    (message,) = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "[BGT] E-Mail zum Zurücksetzen des Passworts"
    assert "Danke, dass Sie BGT nutzen" in message.body
    assert "password" not in message.body.lower().replace("/password/", "")
    # The request itself stays English: only the mail follows the recipient.
    assert (
        client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").headers["Content-Language"] == "en"
    )


def test_a_user_without_a_stored_language_gets_mail_in_the_requests(client):
    user = UserFactory(email="lotte@example.org")

    client.post(reverse("account_reset_password"), {"email": user.email}, HTTP_ACCEPT_LANGUAGE="nl")

    assert "Bedankt dat je BGT gebruikt" in mail.outbox[0].body


# --- the JavaScript catalog --------------------------------------------------------------


def test_the_javascript_catalog_is_a_static_script_before_the_page_scripts(client):
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="it").content.decode()

    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert all(body.strip() == "" for _, body in scripts)  # nothing inline (strict CSP)
    sources = [re.search(r'src="([^"]+)"', attrs).group(1) for attrs, _ in scripts]
    catalog = sources.index(reverse("javascript-catalog") + "?language=it")
    assert catalog < sources.index("/static/js/timezone.js")


def test_the_javascript_catalog_is_in_the_language_it_names_and_revalidates(client):
    url = reverse("javascript-catalog")

    french = client.get(url, {"language": "fr"}, HTTP_ACCEPT_LANGUAGE="de")
    again = client.get(
        url, {"language": "fr"}, HTTP_IF_MODIFIED_SINCE=french.headers["Last-Modified"]
    )

    assert french.status_code == 200 and french.headers["Content-Language"] == "fr"
    assert "django.gettext" in french.content.decode()
    assert '"Cancel": "Annuler"' in french.content.decode()  # French, not the browser's German
    assert again.status_code == 304
    assert "script-src 'self'" in french.headers["Content-Security-Policy"]


def test_every_language_of_the_settings_has_a_name_in_itself_in_the_profile(client, patient):
    client.force_login(patient)

    html = client.get(reverse("accounts:profile")).content.decode()

    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}">{name}</option>' in html


def test_mail_to_an_address_follows_its_login_or_else_the_sender():
    UserFactory(email="jonas@example.org", language="de")
    UserFactory(email="ann@example.org")

    with translation.override("fr"):
        with in_language_of("Jonas@Example.org"):
            assert translation.get_language() == "de"
        with in_language_of("ann@example.org"):  # blank: the sender's
            assert translation.get_language() == "fr"
        with in_language_of("grandma@example.org"):  # no login (an invitation)
            assert translation.get_language() == "fr"
        assert translation.get_language() == "fr"
