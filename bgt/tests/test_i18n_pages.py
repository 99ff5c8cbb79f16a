"""No English left (issue 19): every page a patient, caregiver or physician uses, rendered in
German and in French, shows no English sentence of the catalogs and no common English word.

The pages and their data come from bgt/tests/site_pages.py (the phone-width test's list).
Each page is fetched with Django's test client; its visible text (scripts, styles and tags
removed, attribute texts a screen reader reads kept) is searched for
- every msgid of the project's catalogs with two words or more, in its untranslated form
  (its fixed parts between placeholders and tags), and
- the English function words of ENGLISH_WORDS as whole words,
after removing the data this test itself entered (DATA_VALUES) and e-mail addresses. A
failure lists every offending page with every string found on it.
"""

import html
import re
import zoneinfo

import pytest
from babel.messages.pofile import read_po
from django.test import Client

from bgt.tests.site_pages import ERROR_PAGES, PAGES, ROLES, build_world, role_paths
from bgt.tests.test_i18n_catalogs import catalogs

pytestmark = pytest.mark.django_db

ENGLISH_WORDS = ("the", "your", "and", "with", "you", "of")
# The data build_world() enters, shown as typed: notes, token names and people's names.
DATA_VALUES = (
    "Shaky before lunch, juice and a biscuit,",
    "Nightguard on the kitchen tablet",
    "nightguard-on-the-ki",  # that token name's start in the token's shown prefix
    "Maximiliana Bartholomew-Featherstonehaugh",
    "Pasta",
)
# The time zone choices' IANA names, shown as the tz database spells them ("Europe/Isle of
# Man"): identifiers, not sentences a translation could change. Only those with a word of
# ENGLISH_WORDS matter.
ZONE_NAMES = sorted(
    (
        name.replace("_", " ")
        for name in zoneinfo.available_timezones()
        if re.search(r"_(" + "|".join(ENGLISH_WORDS) + r")_", name, flags=re.I)
    ),
    key=len,
    reverse=True,
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PLACEHOLDER_OR_TAG = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w+\}|<[^>]+>")

# The pages of i18n-platform's area: the signed-out pages (but an invitation), the account
# pages and the error pages. The others belong to i18n-records and i18n-clinic.
PLATFORM_NAMES = {
    "home",
    "privacy",
    "terms",
    "contact",
    "accounts:profile",
    "account_email",
    "account_change_password",
    "account_reauthenticate",
    "error-404",
    "error-403",
}
RECORD_BAR_ROLES = {"caregiver", "follower"}  # their record bar (patients' template) says "you"


def platform_page(role: str, name: str) -> bool:
    if role in RECORD_BAR_ROLES:
        return False
    return name in PLATFORM_NAMES or (name.startswith("account_") and role == "anonymous")


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    labels = re.findall(r'\b(?:aria-label|placeholder|title|alt)="([^"]*)"', page)
    text = " ".join([re.sub(r"<[^>]+>", " ", page), *labels])
    text = html.unescape(text)
    for value in (*DATA_VALUES, *ZONE_NAMES):
        text = text.replace(value, " ")
    return " ".join(EMAIL.sub(" ", text).split())


def english_fragments() -> dict[str, list[str]]:
    """Each msgid (two words or more) of the project's catalogs: its fixed parts of two
    words or more, with each language's translation (to skip text that a language keeps)."""
    fragments = {}
    for path in catalogs():
        language = path.parts[-3]
        with path.open("rb") as source:
            for message in read_po(source):
                msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                if not msgid or len(msgid.split()) < 2:
                    continue
                string = message.string[0] if isinstance(message.string, tuple) else message.string
                parts = [" ".join(p.split()) for p in PLACEHOLDER_OR_TAG.split(msgid)]
                for part in (p.strip(" .,;:") for p in parts):
                    if len(part.split()) >= 2:
                        fragments.setdefault(part, {})[language] = " ".join(string.split())
    return fragments


def english_on(text: str, language: str, fragments) -> list[str]:
    found = [
        fragment
        for fragment, translations in fragments.items()
        if fragment in text and fragment not in translations.get(language, "")
    ]
    words = re.findall(r"\b(" + "|".join(ENGLISH_WORDS) + r")\b", text, flags=re.I)
    if words:
        found.append(f"English words {sorted(set(w.lower() for w in words))}")
    return found


def offending_pages(language: str, *, platform: bool) -> tuple[int, list[str]]:
    """(pages rendered, "role path: strings" for each page with English on it)."""
    world = build_world()
    fragments = english_fragments()
    rendered, offending = 0, []
    for role in ROLES:
        if role == "administrator":
            continue  # Django admin: no page a patient, caregiver or physician uses
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        if role != "anonymous":
            client.force_login(world.users[role])
        for (path, status), name in zip(role_paths(world, role), page_names(role), strict=True):
            if platform_page(role, name) != platform:
                continue
            response = client.get(path)
            assert response.status_code == status, (role, path, response.status_code)
            rendered += 1
            text = visible_text(response.content.decode())
            if found := english_on(text, language, fragments):
                offending.append(f"{role} {path}: {found}")
    return rendered, offending


def page_names(role: str) -> list[str]:
    """The URL names of role_paths(world, role), in its order (errors named by status)."""
    names = [name for who, name, _ in PAGES if who == role]
    return names + [f"error-{status}" for who, _, status in ERROR_PAGES if who == role]


@pytest.mark.parametrize("language", ["de", "fr"])
def test_no_english_left_on_the_platform_pages(language):
    rendered, offending = offending_pages(language, platform=True)

    assert rendered >= 19
    assert not offending, "\n".join(offending)


@pytest.mark.parametrize("language", ["de", "fr"])
def test_no_english_left_on_the_other_areas_pages(language):
    rendered, offending = offending_pages(language, platform=False)

    assert rendered >= 30
    assert not offending, "\n".join(offending)


def test_the_search_finds_english_sentences_and_words():
    fragments = {"Your blood glucose, clearly": {"de": "Ihr Blutzucker"}, "Zeit im": {}}
    page = '<p title="Save the day">Ihr Blutzucker</p><p>Your blood glucose, clearly.</p>'

    found = english_on(visible_text(page), "de", fragments)

    assert found == ["Your blood glucose, clearly", "English words ['the', 'your']"]
    assert english_on(visible_text("<p>Ihr Blutzucker</p>"), "de", fragments) == []
