"""The 403, 404, 500 and CSRF-failure pages in production (DEBUG off): the site's layout
with its navigation, plain words, and a way on."""

import pytest
from django.test import Client
from django.urls import path

from bgt import urls as site_urls

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a bug")


# The site's URLs plus one that fails, for the 500 page.
urlpatterns = [*site_urls.urlpatterns, path("boom/", _boom)]


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def page_of(response) -> str:
    html = response.content.decode()
    assert 'aria-label="Main navigation"' in html  # the site's navigation bar
    assert "/static/bootstrap/css/bootstrap.min.css" in html  # styled like every page
    assert 'href="/privacy/"' in html  # and its footer
    return html


def test_404_says_what_happened_with_a_way_home(client):
    response = client.get("/no/such/page/")

    html = page_of(response)
    assert response.status_code == 404
    assert "<title>Page not found · BGT</title>" in html
    assert "There is no such page" in html
    assert 'href="/">Go to the home page</a>' in html


def test_404_for_a_signed_in_person_leads_to_their_dashboard(client, patient):
    client.force_login(patient)

    html = page_of(client.get("/readings/00000000-0000-0000-0000-000000000000/edit/"))

    assert 'href="/dashboard/">Go to your dashboard</a>' in html
    assert patient.email in html  # the navigation knows who is signed in


def test_403_explains_and_keeps_the_navigation(client, physician):
    client.force_login(physician)

    response = client.get("/readings/")

    html = page_of(response)
    assert response.status_code == 403
    assert "You may not open this page" in html
    assert "My patients" in html  # the physician's own menu, to go on from here
    assert 'href="/clinic/">Go to your patients</a>' in html  # not a dashboard they lack


def test_500_is_styled_without_touching_the_request(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    html = page_of(response)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert 'href="/">Go to the home page</a>' in html


def test_a_form_without_its_csrf_token_gets_a_styled_page_and_a_way_back(patient):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)

    response = client.post(
        "/readings/new/",
        {"value": "120"},
        HTTP_REFERER="http://testserver/readings/new/",
    )

    html = page_of(response)
    assert response.status_code == 403
    assert "This form could not be sent" in html
    assert 'href="http://testserver/readings/new/">Back to the form</a>' in html


def test_the_way_back_never_leads_off_the_site(patient):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)

    html = client.post(
        "/readings/new/", {"value": "120"}, HTTP_REFERER="https://evil.example/phish"
    ).content.decode()

    assert "evil.example" not in html
    assert "Back to the form" not in html
