"""``/api/v1/entries/cal.json``: the calibrations uploaders sent (see calibrations.py)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from integrations.nightscout import calibrations
from integrations.nightscout.authentication import record_of
from integrations.nightscout.views import NightscoutView


def calibrations_response(request) -> Response:
    found = calibrations.calibrations_queryset(
        patient=record_of(request), query_params=request.query_params
    )
    return Response([calibrations.entry_of(document) for document in found])


class CalibrationEntriesView(NightscoutView):
    """``/api/v1/entries/cal.json``."""

    @extend_schema(
        summary="Nightscout: calibration entries (cal.json)",
        description="The CGM calibrations uploaders sent (slope, intercept, scale, as sent), "
        "newest first; count (default 10) and find[date] / find[dateString].",
        parameters=[OpenApiParameter("count", OpenApiTypes.INT)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return calibrations_response(request)
