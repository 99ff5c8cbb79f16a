"""Names people type (a login's first and last name, a record's name): one line of text.

Names are printed in emails, page titles and other people's pages. A line break in one
lets its author write their own paragraphs into an email BGT sends to someone else ("Dr.
House asks to see your readings.\\n\\nConfirm at https://..."); control and bidirectional
formatting characters (U+202E turns "gpj.exe" around) disguise text. A name is refused
when it holds any of them, or a web address.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Unicode categories a name never needs: control (Cc, line breaks included), format (Cf:
# bidi overrides, zero-width spaces), line and paragraph separators, surrogates, private
# use, unassigned.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
# Format characters that names do need: zero-width non-joiner (Persian) and joiner (emoji).
_ALLOWED_FORMAT = frozenset({"\u200c", "\u200d"})
_WEB_ADDRESS = re.compile(r"://|\bwww\.|\bhttps?:", re.IGNORECASE)


def _refused(character: str) -> bool:
    return (
        unicodedata.category(character) in _REFUSED_CATEGORIES and character not in _ALLOWED_FORMAT
    )


def validate_name(value: str) -> None:
    """Raise ValidationError when ``value`` is not a one-line name."""
    if any(_refused(character) for character in value):
        raise ValidationError(
            _("A name cannot contain line breaks, tabs or control characters."),
            code="control_character",
        )
    if _WEB_ADDRESS.search(value):
        raise ValidationError(_("A name cannot contain a web address."), code="web_address")


def one_line(value: str) -> str:
    """``value`` with every refused character turned into a space and runs of spaces
    collapsed: for names stored before validate_name existed."""
    return " ".join("".join(" " if _refused(c) else c for c in value).split())
