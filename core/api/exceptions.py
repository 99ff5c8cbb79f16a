"""Every API error is JSON: DRF's handler, plus Django's own exceptions that services raise."""

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from core.api.errors import django_errors_as_api
from core.api.parsers import PayloadTooLarge


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_errors_as_api(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    return drf_exception_handler(exc, context)


class InvalidItems(exceptions.APIException):
    """400 whose body is given as is: ``{"detail": str, "items": [{"index": int, ...}]}``
    (a DRF ValidationError would turn every value, the indexes too, into strings)."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, body: dict):
        self.detail = body
