"""Template filters of the import pages."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.timesince import timesince
from django.utils.translation import gettext

register = template.Library()


@register.filter
def count(value) -> str:
    """A whole number with thousands separators, as the progress bar's label writes it:
    25920 -> "25,920" (German "25.920")."""
    try:
        return number_format(int(value), force_grouping=True)
    except (TypeError, ValueError):
        return ""


@register.filter
def uploaded(moment) -> str:
    """ "just now" or "12 minutes ago": when an unfinished import's file was uploaded."""
    if timezone.now() - moment < timedelta(minutes=1):
        return gettext("just now")
    return gettext("%(time)s ago") % {"time": timesince(moment)}
