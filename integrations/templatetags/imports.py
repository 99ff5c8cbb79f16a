"""Template filters of the import pages."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def count(value) -> str:
    """A whole number with thousands separators, as the progress bar's label writes it:
    25920 -> "25,920"."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""


@register.filter
def uploaded(moment) -> str:
    """ "just now" or "12 minutes ago": when an unfinished import's file was uploaded."""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"
