"""Django ValidationErrors (raised by services) as DRF error bodies."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.settings import api_settings

# Model field names (service errors) -> API field names.
API_FIELD_OF = {"value_mgdl": "value", NON_FIELD_ERRORS: api_settings.NON_FIELD_ERRORS_KEY}


def django_errors_as_api(error: DjangoValidationError) -> dict:
    detail = serializers.as_serializer_error(error)
    return {API_FIELD_OF.get(name, name): messages for name, messages in detail.items()}
