"""{{ note|reason_text }}: a not-enough-data note of readings.figures in the reader's
language (reports.reasons)."""

from django import template

from reports.reasons import reason_text as translate_reason

register = template.Library()


@register.filter
def reason_text(text):
    return translate_reason(text)
