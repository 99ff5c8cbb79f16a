"""reports.reasons: readings.figures' English notes shown in the reader's language, with
their numbers in its decimal format; the figures themselves stay English (the API's)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
from django.utils import translation

from readings.figures.streams import CgmStream
from readings.figures.sufficiency import BANNER_TEXT, agp_gate, report_window, sufficiency_of
from reports.reasons import reason_text

TZ = ZoneInfo("Europe/Berlin")


def window(days: int):
    return report_window(
        datetime(2026, 3, 1, tzinfo=TZ), datetime(2026, 3, 1 + days, tzinfo=TZ), TZ
    )


def test_the_gmi_and_withheld_notes_in_german_keep_their_numbers():
    short = sufficiency_of(minutes=1500, mean=140.0, days_with_data=2, window=window(10))
    none = sufficiency_of(minutes=600, mean=None, days_with_data=1, window=window(14))

    with translation.override("de"):
        assert reason_text(short.gmi_reason) == (
            "Der GMI braucht einen Zeitraum von mindestens 14 Tagen mit mindestens 235,2 "
            "Stunden CGM-Daten; dieser Zeitraum hat 10 Tage und 25,0 Stunden."
        )
        assert (
            reason_text(none.gmi_reason) == "Der GMI braucht CGM-Daten; dieser Zeitraum hat keine."
        )
        assert reason_text(none.cgm_withheld_reason) == (
            "CGM-Kennzahlen brauchen mindestens 24 Stunden CGM-Daten; dieser Zeitraum hat "
            "10,0 Stunden."
        )
        assert reason_text(BANNER_TEXT).startswith("Weniger als 70 % der möglichen")
    assert short.gmi_reason.startswith("GMI needs a window of at least 14 days")  # the API's


def test_the_profile_note_in_french():
    epochs = np.array(
        [datetime(2026, 3, 2, 8, tzinfo=UTC).timestamp() + 300 * i for i in range(24)]
    )
    stream = CgmStream(
        epochs=epochs.astype(np.int64), values=np.full(24, 120), cadences=np.full(24, 5)
    )
    reason = agp_gate(stream, TZ)

    with translation.override("fr"):
        assert reason_text(reason) == (
            "Données CGM insuffisantes pour tracer le profil : il faut 7 jours avec au moins "
            "1 heure de données chacun ; il y en a 1."
        )


def test_an_unknown_note_is_shown_as_it_is_and_none_as_nothing():
    with translation.override("de"):
        assert reason_text("Something new.") == "Something new."
        assert reason_text(None) == ""
    with translation.override("en"):
        assert reason_text(BANNER_TEXT) == BANNER_TEXT
