"""A family's whole story in a real browser (Playwright, Debian's Chromium, strict CSP): a
parent signs up as a caregiver and makes two children's records, records readings for
each, a second parent and a grandparent join, one child is shared with a physician, and
the older child, grown up, takes her record over and removes the follower.

browser_page fails the test on any console error, uncaught exception or failed request.
Screenshots of the switcher and the sharing page at 390 and 1366 pixels wide are saved
under test-artifacts/ for people to look at.
"""

import re

import pytest
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from accounts.models import User
from accounts.tests.factories import PhysicianFactory
from clinic.tests.factories import ClinicFactory, ClinicMembershipFactory
from conftest import screenshot
from patients.models import Patient, PatientAccess
from readings.models import Reading

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "a-long-unguessable-passphrase"


def sign_in(page, email, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def last_link(pattern: str) -> str:
    """The path of the newest mailed link matching ``pattern``."""
    for message in reversed(mail.outbox):
        found = re.search(rf"https?://[^/\s]+({pattern}\S*/)", message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no mail with {pattern}")


def add_reading(page, value: str, note: str):
    page.get_by_role("link", name="Add reading").click()
    page.get_by_label("Glucose (mg/dL)").fill(value)
    page.get_by_label("Notes").fill(note)
    page.get_by_role("button", name="Save reading").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Saved a reading of {value} mg/dL")


def switch_to(page, name: str):
    page.get_by_label("Show the record of").select_option(label=name)
    page.get_by_role("button", name="Switch").click()
    expect(page.locator(".record-bar strong")).to_have_text(name)


def accept_with_new_account(page, link: str):
    page.goto(link)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("The password again").fill(PASSWORD)
    page.get_by_role("button", name="Make my account and accept").click()


def invite(page, email: str, role_label: str):
    page.get_by_role("link", name="Sharing").click()
    page.get_by_label("Their email").fill(email)
    page.get_by_label(role_label).check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".alert-success")).to_contain_text(
        f"An invitation is on its way to {email}"
    )


def test_a_family_looks_after_two_children(browser_page, settings):
    page = browser_page
    doctor = PhysicianFactory(email="doctor@example.org", first_name="Grace", last_name="Ho")
    ClinicMembershipFactory(clinic=ClinicFactory(name="Children's Clinic"), physician=doctor)

    # A parent signs up to look after someone else's diabetes, confirms, signs in.
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password*", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_label("Someone I look after (a child, a partner)").check()
    page.get_by_role("button", name="Sign Up").click()
    page.goto(last_link("/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()
    expect(
        page.get_by_role("heading", name="Add the record of someone you look after")
    ).to_be_visible()

    # Two children's records.
    for name in ("Mia", "Leo"):
        if name == "Leo":
            page.goto("/records/new/")
        page.get_by_label("Their name").fill(name)
        page.get_by_label("Diabetes type").select_option(label="Type 1")
        page.get_by_role("button", name="Add the record").click()
        expect(page.locator(".record-bar strong")).to_have_text(name)
    parent = User.objects.get(email="sam@example.org")
    assert not PatientAccess.objects.filter(user=parent, role="self").exists()

    # Readings for each, through the web form.
    add_reading(page, "150", "LEO-FIRST")
    switch_to(page, "Mia")
    add_reading(page, "95", "MIA-FIRST")
    expect(page.locator(".reading-table")).to_contain_text("MIA-FIRST")
    expect(page.locator(".reading-table")).not_to_contain_text("LEO-FIRST")
    mia, leo = Patient.objects.get(display_name="Mia"), Patient.objects.get(display_name="Leo")
    assert list(Reading.objects.filter(patient=mia).values_list("notes", flat=True)) == [
        "MIA-FIRST"
    ]
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/dashboard/")
        screenshot(page, f"family-switcher-{width}")

    # The second parent is invited to both children, accepts, and sees both.
    invite(page, "alex@example.org", "Help look after the record")
    switch_to(page, "Leo")
    invite(page, "alex@example.org", "Help look after the record")
    # The grandparent follows Mia.
    switch_to(page, "Mia")
    invite(page, "grandma@example.org", "Follow: see the readings and charts")
    # Mia is offered to the physician.
    page.get_by_label("Physician's email").fill("doctor@example.org")
    page.get_by_role("button", name="Send offer").click()
    sign_out(page)

    links = [
        re.search(r"(/invitations/\S+/)", m.body).group(1)
        for m in mail.outbox
        if "alex@example.org" in m.to
    ]
    accept_with_new_account(page, links[0])
    page.goto(links[1])
    page.get_by_role("button", name="Accept").click()
    options = page.get_by_label("Show the record of").locator("option")
    expect(options).to_have_text(["Leo", "Mia"])
    sign_out(page)

    grandma_link = next(
        re.search(r"(/invitations/\S+/)", m.body).group(1)
        for m in mail.outbox
        if "grandma@example.org" in m.to
    )
    accept_with_new_account(page, grandma_link)
    expect(page.locator(".record-bar")).to_contain_text("read-only")
    expect(page.get_by_role("link", name="Add reading")).to_have_count(0)
    page.get_by_role("link", name="Readings").click()
    expect(page.locator(".reading-table")).to_contain_text("MIA-FIRST")
    expect(page.get_by_role("link", name="Add a reading")).to_have_count(0)
    grandma = User.objects.get(email="grandma@example.org")
    refused = Client()
    refused.force_login(grandma)
    assert refused.post("/readings/new/", {"value": "100"}).status_code == 403
    sign_out(page)

    # The physician accepts the offer and sees Mia on the roster.
    sign_in(page, "doctor@example.org", "correct-horse-battery-staple")
    page.get_by_role("button", name="Accept").first.click()
    expect(page.locator("table")).to_contain_text("Mia")
    sign_out(page)

    # Sam hands Mia's record over to Mia's own email; Mia takes it and removes grandma.
    sign_in(page, "sam@example.org")
    switch_to(page, "Mia")
    page.get_by_role("link", name="Sharing").click()
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        screenshot(page, f"family-sharing-{width}")
    page.get_by_label("The patient's own email").fill("mia@example.org")
    page.get_by_role("button", name="Hand over").click()
    expect(page.locator(".alert-success")).to_contain_text("It becomes theirs when they accept")
    sign_out(page)
    accept_with_new_account(page, last_link("/invitations/"))
    expect(page.locator(".record-bar")).to_contain_text("yours")
    page.get_by_role("link", name="Readings").click()
    expect(page.locator(".reading-table")).to_contain_text("MIA-FIRST")
    page.get_by_role("link", name="Sharing").click()
    page.locator('[data-role="follower"]').get_by_role("link", name="Remove").click()
    page.get_by_role("button", name=re.compile("Remove")).click()
    expect(page.locator(".alert-success")).to_contain_text("no longer has access")
    assert PatientAccess.objects.get(user=grandma, patient=mia).status == "revoked"
    assert PatientAccess.objects.get(patient=mia, role="self").user.email == "mia@example.org"
    assert PatientAccess.objects.get(user=parent, patient=mia).status == "active"
    assert PatientAccess.objects.get(user=doctor, patient=mia).status == "active"
    assert leo.pk != mia.pk
