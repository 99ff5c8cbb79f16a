"""``/api/v1/entries/cal.json``: the calibrations uploaders sent (see calibrations.py)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core.api.schema import FieldErrorsSerializer
from integrations.nightscout import calibrations
from integrations.nightscout.authentication import record_of
from integrations.nightscout.views import NightscoutView


def calibrations_response(request) -> Response:
    found = calibrations.calibrations_queryset(
        patient=record_of(request), query_params=request.query_params
    )
    return Response([calibrations.entry_of(document) for document in found])


class CalibrationEntrySerializer(serializers.Serializer):
    """A calibration entry as returned: the uploader's fields as sent, and these."""

    _id = serializers.CharField(label="_id")
    type = serializers.ChoiceField(choices=["cal"])
    date = serializers.FloatField(help_text="Unix epoch milliseconds, as sent.")
    dateString = serializers.CharField()  # noqa: N815 (Nightscout's field name)
    slope = serializers.FloatField(required=False, help_text="As sent.")
    intercept = serializers.FloatField(required=False, help_text="As sent.")
    scale = serializers.FloatField(required=False, help_text="As sent.")
    device = serializers.CharField(required=False)


class CalibrationEntriesView(NightscoutView):
    """``/api/v1/entries/cal.json``."""

    @extend_schema(
        summary="Nightscout: calibration entries (cal.json)",
        description="The CGM calibrations uploaders sent (slope, intercept, scale, as sent), "
        "newest first; count (default 10) and find[date] / find[dateString].",
        parameters=[
            OpenApiParameter("count", OpenApiTypes.INT),
            OpenApiParameter("find[date][$gte]", OpenApiTypes.STR),
        ],
        responses={200: CalibrationEntrySerializer(many=True), 400: FieldErrorsSerializer},
    )
    def get(self, request):
        return calibrations_response(request)
