"""Access tokens on the sharing page in a real browser, at a phone's and a desktop's width."""

import pytest
import requests

from conftest import screenshot
from integrations.models import AccessToken

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.mark.parametrize("width", [390, 1366])
def test_make_a_follower_token_use_it_and_revoke_it(
    browser_page, live_server, patient, password, width
):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(patient.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/dashboard/")

    page.goto("/sharing/")
    page.get_by_label("Name").fill("Mum's Nightguard")
    page.get_by_label("Role").select_option("readable")
    page.get_by_role("button", name="Make a token").click()
    token = page.locator("[data-token]").inner_text().strip()
    assert token.startswith("mums-nightguard-")
    assert page.locator("main").inner_text().count(f"/?token={token}") == 1
    assert "//?token" not in page.locator("main").inner_text()
    # AndroidAPS's set-up needs websockets off (BGT serves no socket.io).
    assert "Connect to websockets off" in page.locator("main").inner_text()
    screenshot(page, f"access-token-created-{width}")

    answer = requests.get(
        f"{live_server.url}/api/v2/properties", params={"token": token}, timeout=10
    )
    assert answer.status_code == 200
    refused = requests.post(
        f"{live_server.url}/api/v1/treatments", params={"token": token}, json=[], timeout=10
    )
    assert refused.status_code == 403

    page.goto("/sharing/")
    row = page.locator('[data-access-token="Mum\'s Nightguard"]')
    assert "Read only" in row.inner_text() and "never" not in row.inner_text()
    screenshot(page, f"sharing-access-tokens-{width}")
    row.get_by_role("link", name="Revoke Mum's Nightguard").click()
    page.get_by_role("button", name="Revoke the token").click()
    page.wait_for_url("**/sharing/")
    assert "is revoked" in page.locator("main").inner_text()
    assert not AccessToken.objects.exists()
    answer = requests.get(
        f"{live_server.url}/api/v2/properties", params={"token": token}, timeout=10
    )
    assert answer.status_code == 401
