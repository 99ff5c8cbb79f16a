"""The consent flow's emails (templates/patients/email) in each recipient's stored language:
no English sentence or function word left in a German or a French one (issue 19)."""

import re

import pytest
from django.core import mail

from patients import grants

pytestmark = pytest.mark.django_db

ENGLISH_WORDS = re.compile(r"\b(the|your|and|with|you|of|to|their)\b", re.I)


def mail_text(message, *names) -> str:
    text = f"{message.subject}\n{message.body}"
    for name in names:
        text = text.replace(name, " ")
    return re.sub(r"\S+@\S+|https?://\S+", " ", text)  # addresses and links are data


@pytest.mark.parametrize(
    ("language", "words"),
    [("de", ("Hallo", "Messwerte")), ("fr", ("Bonjour", "mesures"))],
)
def test_the_consent_emails_speak_the_recipients_language(physician, patient, language, words):
    for user in (physician, patient):
        user.language = language
        user.save(update_fields=["language"])
    link = grants.physician_access_request(physician=physician, patient_email=patient.email)
    grants.physician_access_accept(grant=link, by=patient)
    grants.physician_access_revoke(grant=link, by=patient)

    names = (patient.record.display_name, grants.physician_title(physician), "BGT")
    texts = [mail_text(message, *names) for message in mail.outbox]

    assert len(texts) >= 3
    for text in texts:
        assert not ENGLISH_WORDS.findall(text), text
    assert all(any(word in text for word in words) for text in texts), texts
