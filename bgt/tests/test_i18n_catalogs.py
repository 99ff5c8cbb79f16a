"""The message catalogs (issue 19): they compile, every translation is there and keeps its
placeholders, and makemessages finds no marked string that a catalog lacks.

Fast and without a browser. ``makemessages`` and ``bin/compile-messages`` run once, in a
copy of the source tree in a temporary directory, so the catalogs of the checkout are never
rewritten by a test.
"""

import re
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
SKIP = {".venv", "var", "node_modules", ".git", "staticfiles"}
# %(name)s / %(count)d, bare %s / %d, and str.format's {name}.
PLACEHOLDER = re.compile(r"%\([a-zA-Z_]\w*\)[sdif]|%[sdif]|\{[a-zA-Z_]\w*\}")


def catalogs(root: Path = ROOT) -> list[Path]:
    found = root.rglob("locale/*/LC_MESSAGES/*.po")
    return sorted(p for p in found if not SKIP.intersection(p.relative_to(root).parts))


def catalog_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def problems(po_text: bytes) -> list[str]:
    """What is wrong with one catalog: untranslated or fuzzy messages, and translations that
    drop, add or rename a placeholder (python-format, python-brace-format, javascript)."""
    catalog = read_po(BytesIO(po_text), abort_invalid=True)
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        label = repr(ids[0])[:80]
        if message.fuzzy:
            found.append(f"fuzzy: {label}")
        if not all(strings):
            found.append(f"untranslated: {label}")
            continue
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if sorted(PLACEHOLDER.findall(string)) != wanted:
                found.append(f"placeholders {wanted} not kept: {label} -> {string!r}"[:240])
    return found


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """A copy of the source tree after `make messages`' two makemessages runs."""
    copy = tmp_path_factory.mktemp("tree") / "bgt"
    skip = shutil.ignore_patterns(*SKIP, "*.mo", "__pycache__", ".pytest_cache", "*.sqlite3")
    shutil.copytree(ROOT, copy, ignore=skip)
    common = ["--no-obsolete", "--no-location", "--ignore", ".venv", "--ignore", "var"]
    languages = [arg for code in LANGUAGES for arg in ("-l", code)]
    for domain in (["-d", "django"], ["-d", "djangojs", "--ignore", "static/vendor/*"]):
        subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", "makemessages", *domain, *common, *languages],
            cwd=copy,
            check=True,
            capture_output=True,
        )
    return copy


def test_every_language_has_its_catalogs():
    for app_catalog in ("locale", "accounts/locale", "core/locale"):
        for code in LANGUAGES:
            assert (ROOT / app_catalog / code / "LC_MESSAGES" / "django.po").exists()


def test_every_catalog_compiles(extracted):
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "bin/compile-messages"], cwd=extracted, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert all(po.with_suffix(".mo").exists() for po in catalogs(extracted))


@pytest.mark.parametrize("path", catalogs(), ids=catalog_id)
def test_every_message_is_translated_and_keeps_its_placeholders(path):
    assert problems(path.read_bytes()) == []


BROKEN = """
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Not translated"
msgstr ""

#, fuzzy
msgid "Guessed"
msgstr "Geraten"

#, python-format
msgid "Hello %(name)s"
msgstr "Hallo %(nom)s"

#, python-brace-format
msgid "Time below {mgdl} mg/dL"
msgstr "Zeit unter mg/dL"

#, javascript-format
msgid "%(count)s reading"
msgid_plural "%(count)s readings"
msgstr[0] "%(count)s Messwert"
msgstr[1] "viele Messwerte"

#, python-format
msgid "Keeps %s"
msgstr "Behält %s"
"""


def test_a_broken_catalog_is_caught():
    found = problems(BROKEN.encode())

    assert [line.split(":")[0] for line in found] == [
        "untranslated",
        "fuzzy",
        "placeholders ['%(name)s'] not kept",
        "placeholders ['{mgdl}'] not kept",
        "placeholders ['%(count)s'] not kept",
    ]


def msgids(path: Path) -> set:
    with path.open("rb") as source:
        return {m.id for m in read_po(source) if m.id}


def extracted_catalogs() -> list:
    return [pytest.param(path, id=catalog_id(path)) for path in catalogs()]


@pytest.mark.parametrize("path", extracted_catalogs())
def test_makemessages_finds_nothing_new(extracted, path):
    """A string marked for translation but missing from its catalog (never extracted, so
    never translated) fails here, and so does a catalog entry no source uses any more."""
    fresh = extracted / path.relative_to(ROOT)

    missing = msgids(fresh) - msgids(path)
    unused = msgids(path) - msgids(fresh)

    assert not missing, f"run `make messages` and translate: {sorted(map(str, missing))}"
    assert not unused, f"run `make messages`: {sorted(map(str, unused))}"
