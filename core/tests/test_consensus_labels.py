"""The consensus labels stay English data (the API and stored figures carry them) and every
one of them is in core's catalog, so a page shows gettext(label) in its language."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from core import consensus


def every_label() -> list[str]:
    labels = list(consensus.Band.LABELS.values())
    for preset in consensus.PRESETS.values():
        labels += [preset.label, *(spec.label for spec in preset.goals)]
    return labels + [spec.label for spec in consensus.METRIC_GOALS]


def test_labels_are_plain_english_strings():
    labels = every_label()

    assert all(type(label) is str for label in labels)  # never a lazy object: JSON, plotly
    assert "Time below 54 mg/dL" in labels and "In range" in labels


@pytest.mark.parametrize("language", ["de", "fr", "es", "it", "nl"])
def test_every_label_is_translated(language):
    with translation.override(language):
        untranslated = [label for label in every_label() if gettext(label) == label]

    assert untranslated == []


def test_the_consensus_terms_are_the_agreed_ones():
    with translation.override("de"):
        assert gettext("Time in range (70–180 mg/dL)") == "Zeit im Zielbereich (70–180 mg/dL)"
    with translation.override("fr"):
        assert gettext("Time below 54 mg/dL") == "Temps sous 54 mg/dL"
