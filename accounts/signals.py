"""Signals the login sends for the layers above it to act on (they may not be imported here)."""

from django.dispatch import Signal

# Sent once a person has signed up (before they confirm their email address), with
# ``user``, ``timezone`` (the browser's IANA zone, or "" when unknown) and ``own_record``
# (False when they record only someone else's diabetes). The patients app makes the
# person's own health record when they want one.
signed_up = Signal()
