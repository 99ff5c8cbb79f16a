"""``{% device_credentials patient %}``: the device-upload panel of a record's sharing page.

A template tag, so that the sharing page (patients, a layer below) shows it without its
code importing this app."""

from django import template

from integrations.nightscout.credentials import upload_secret_of

register = template.Library()


@register.inclusion_tag("integrations/_device_credentials.html", takes_context=True)
def device_credentials(context, patient):
    return {
        "patient": patient,
        "upload_secret": upload_secret_of(patient=patient),
        "csrf_token": context.get("csrf_token"),
    }
