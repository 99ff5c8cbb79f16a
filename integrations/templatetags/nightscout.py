"""``{% device_credentials patient %}``: the device-upload panel of a record's sharing page.

A template tag, so that the sharing page (patients, a layer below) shows it without its
code importing this app."""

from django import template

from integrations.models import TokenRole
from integrations.nightscout.credentials import upload_secret_of
from integrations.nightscout.tokens import access_tokens_of

register = template.Library()


@register.inclusion_tag("integrations/_device_credentials.html", takes_context=True)
def device_credentials(context, patient):
    return {
        "patient": patient,
        "upload_secret": upload_secret_of(patient=patient),
        "access_tokens": access_tokens_of(patient=patient),
        "roles": TokenRole.choices,
        "csrf_token": context.get("csrf_token"),
    }
