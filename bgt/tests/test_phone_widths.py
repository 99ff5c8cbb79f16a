"""No page is wider than a 390 px phone (DESIGN.md section 3, issue 18): every page, for
every role, in one browser against one live server.

Each role signs in once (a session cookie made by Django's test client) and visits its
pages at 390 x 844; a page fails when ``document.scrollingElement.scrollWidth`` exceeds
390, and the failure names the elements that stick out. The pages come from the site's
URLconf (bgt/tests/site_pages.py): ``test_every_page_is_visited_or_excused`` fails when a
new page is neither in PAGES nor in NOT_PAGES (with the reason), so a new page cannot be
forgotten. Django admin's pages are found from its index, as an administrator sees them.
"""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.tests.factories import AdministratorFactory
from bgt.tests.site_pages import (
    ERROR_PAGES,
    NOT_PAGES,
    PAGES,
    ROLES,
    build_world,
    role_paths,
    url_names,
)
from conftest import screenshot
from patients.tests.factories import GrantFactory

WIDTH = 390


def test_every_page_is_visited_or_excused():
    visited = {name for _, name, _ in PAGES}

    assert not visited & set(NOT_PAGES)
    assert url_names() - visited - set(NOT_PAGES) == set(), "add new pages to PAGES"


def session_cookie(user, live_server) -> list[dict]:
    client = Client()
    client.force_login(user)
    assert client.session[SESSION_KEY] == str(user.pk)
    cookie = client.cookies["sessionid"]
    return [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]


OVERFLOW_JS = """width => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5 && box.width > 0) {
      const parent = el.parentElement.getBoundingClientRect();
      if (parent.right <= width + 0.5) {  // the outermost element that sticks out
        const classes = String(el.className || '').trim().replace(/\\s+/g, '.');
        out.push(el.tagName.toLowerCase() + (classes ? '.' + classes : '')
          + ' right=' + Math.round(box.right));
      }
    }
  }
  return {width: document.scrollingElement.scrollWidth, culprits: out.slice(0, 5)};
}"""


def admin_paths(page) -> list[str]:
    """The administrator's admin pages: the index, each change list and add form it links,
    and the first object's change form in each list."""
    page.goto("/admin/")
    lists = page.eval_on_selector_all(
        "#content-main a[href^='/admin/']", "els => els.map(e => e.getAttribute('href'))"
    )
    paths = sorted(set(lists))
    changes = []
    for path in paths:
        if path.endswith("/add/") or path.count("/") != 4:  # /admin/<app>/<model>/
            continue
        page.goto(path)
        first = page.locator("#result_list tbody th a").first
        if first.count():
            changes.append(first.get_attribute("href"))
    return ["/admin/", *paths, *changes]


@pytest.mark.django_db(transaction=True)
@pytest.mark.browser
def test_no_page_is_wider_than_a_phone(chromium, live_server):
    world = build_world()

    too_wide, visited = [], 0
    for role in ROLES:
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": WIDTH, "height": 844}
        )
        if role != "anonymous":
            context.add_cookies(session_cookie(world.users[role], live_server))
        page = context.new_page()
        page.set_default_timeout(15_000)
        for path, status in role_paths(world, role):
            visited += 1
            too_wide += measure(page, role, path, status)
        context.close()

    assert visited == len(PAGES) + len(ERROR_PAGES)
    assert not too_wide, "\n".join(map(str, too_wide))


def measure(page, role: str, path: str, status: int = 200) -> list[tuple]:
    """Open ``path``; [(role, path, document width, what sticks out)] when too wide."""
    response = page.goto(path)
    assert response.status == status, (role, path, response.status)
    found = page.evaluate(OVERFLOW_JS, WIDTH)
    if (role, path) in SCREENSHOTS:
        screenshot(page, f"phone-{SCREENSHOTS[(role, path)]}")
    if found["width"] > WIDTH:
        return [(role, path, found["width"], found["culprits"])]
    return []


# "$project with a nested inclusion returns 1": on the MongoDB leg an administrator (not a
# superuser) has no model permission, so admin's index lists nothing (accounts/tests/test_admin.py).
@pytest.mark.secantus_deviation(
    "$project with a nested inclusion returns 1: ModelBackend's permission lookup "
    "(values_list('content_type__app_label', 'codename')) yields no permission"
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.browser
def test_no_admin_page_is_wider_than_a_phone(chromium, live_server):
    administrator = AdministratorFactory(email="admin@example.org")
    GrantFactory(mrn="MRN-0000012345")  # a patient, a physician and their grant to list
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": WIDTH, "height": 844}
    )
    context.add_cookies(session_cookie(administrator, live_server))
    page = context.new_page()
    page.set_default_timeout(15_000)

    paths = admin_paths(page)
    too_wide = [row for path in paths for row in measure(page, "administrator", path)]
    context.close()

    assert len([p for p in paths if p.endswith("/change/")]) >= 3  # users, records, grants
    assert not too_wide, "\n".join(map(str, too_wide))


SCREENSHOTS = {
    ("self", "/readings/"): "readings",
    ("physician", "/clinic/"): "roster",
    ("anonymous", "/privacy/"): "privacy",
    ("anonymous", "/no/such/page/"): "404",
}
