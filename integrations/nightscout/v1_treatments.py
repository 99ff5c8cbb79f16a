"""Nightscout API v1 ``treatments``: read with find, upload (POST and PUT upsert), delete
with find or by id, and Trio's set-up check (a Note POSTed to ``treatments.json``).

Paths, defaults and answers follow cgm-remote-monitor ``lib/api/treatments`` (count 100, or
1,000 with a find). Parsing, upserts and output are in treatments.py, finds in
treatment_queries.py.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from integrations.nightscout import treatments as ns_treatments
from integrations.nightscout.authentication import record_of
from integrations.nightscout.treatment_queries import count_of, treatments_queryset
from integrations.nightscout.v1 import BAD_REQUEST, COUNT_PARAM, FIND_PARAM, items_of, max_count
from integrations.nightscout.views import NightscoutView


class NightscoutTreatmentSerializer(serializers.Serializer):
    """A treatment as returned (see treatments.treatment_of)."""

    _id = serializers.CharField(label="_id")
    eventType = serializers.CharField()  # noqa: N815
    created_at = serializers.CharField(help_text="ISO 8601, UTC.")
    mills = serializers.IntegerField(help_text="Unix epoch milliseconds.")
    insulin = serializers.FloatField(allow_null=True, help_text="Units.")
    carbs = serializers.FloatField(allow_null=True, help_text="Grams.")
    notes = serializers.CharField(allow_blank=True)
    enteredBy = serializers.CharField()  # noqa: N815


class TreatmentOutcomeSerializer(NightscoutTreatmentSerializer):
    """One element of an upload's answer: the treatment, or for a skipped item the reason."""

    _id = serializers.CharField(label="_id", required=False)
    eventType = serializers.CharField(required=False)  # noqa: N815
    created_at = serializers.CharField(required=False)
    mills = serializers.IntegerField(required=False)
    insulin = serializers.FloatField(required=False, allow_null=True)
    carbs = serializers.FloatField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    enteredBy = serializers.CharField(required=False)  # noqa: N815
    outcome = serializers.ChoiceField(choices=["stored", "updated", "duplicate", "skipped"])
    reason = serializers.CharField(required=False)


class TreatmentsView(NightscoutView):
    """``/api/v1/treatments`` and ``/api/v1/treatments.json``."""

    def _answer(self, request, outcomes) -> Response:
        tz = record_of(request).tzinfo
        body = []
        for outcome in outcomes:
            if outcome.treatment is not None:
                body.append(
                    {
                        **ns_treatments.treatment_of(outcome.treatment, tz),
                        "outcome": outcome.outcome,
                    }
                )
            else:
                body.append({"outcome": "skipped", "reason": outcome.reason})
        return Response(body)

    @extend_schema(
        summary="Nightscout: treatments",
        description=(
            "Newest first; count defaults to 100 (1,000 with a find). find on created_at "
            "($gte, $gt, $lte, $lt, $eq), eventType, _id, uuid, identifier, enteredBy ($eq, "
            "$ne), carbs, insulin and duration ($exists); find[$and][n][...] and "
            "find[$or][n][...] as Trio sends them."
        ),
        parameters=[COUNT_PARAM, FIND_PARAM],
        responses={200: NightscoutTreatmentSerializer(many=True), 400: BAD_REQUEST},
    )
    def get(self, request):
        params = request.query_params
        has_find = any(key.startswith("find") for key in params)
        count = count_of(params, default=1000 if has_find else 100, maximum=max_count())
        found = treatments_queryset(patient=record_of(request), query_params=params, count=count)
        tz = record_of(request).tzinfo
        return Response([ns_treatments.treatment_of(t, tz) for t in found])

    @extend_schema(
        summary="Nightscout: upload treatments",
        description=(
            "A treatment or an array of them; each is upserted as Nightscout does (same "
            "client id -- identifier, uuid, syncIdentifier or _id -- else "
            "same created_at and eventType: updated; otherwise stored). One element per "
            "item in the answer, with `outcome` stored, updated, duplicate or skipped (and "
            "a `reason`). eventType is kept verbatim."
        ),
        request=OpenApiTypes.OBJECT,
        responses={200: TreatmentOutcomeSerializer(many=True), 400: BAD_REQUEST},
    )
    def post(self, request):
        outcomes = ns_treatments.treatments_upload(
            patient=record_of(request), items=items_of(request.data)
        )
        return self._answer(request, outcomes)

    @extend_schema(
        summary="Nightscout: upsert treatments (as POST)",
        request=OpenApiTypes.OBJECT,
        responses={200: TreatmentOutcomeSerializer(many=True), 400: BAD_REQUEST},
    )
    def put(self, request):
        return self.post(request)

    @extend_schema(
        summary="Nightscout: delete the treatments a find matches",
        description="A find is required (Nightscout would otherwise delete everything).",
        parameters=[FIND_PARAM],
        responses={200: OpenApiTypes.OBJECT, 400: BAD_REQUEST},
    )
    def delete(self, request):
        params = request.query_params
        if not any(key.startswith("find") for key in params):
            raise ValidationError({"find": ["Say which treatments to delete with find[...]."]})
        found = treatments_queryset(
            patient=record_of(request), query_params=params, count=max_count()
        )
        deleted = ns_treatments.treatments_delete(treatments=list(found))
        return Response({"n": deleted, "ok": 1, "deletedCount": deleted})


class TreatmentDetailView(NightscoutView):
    """``DELETE /api/v1/treatments/<_id>`` (xDrip+ deletes by the _id it looked up,
    Juggluco by the _id it uploaded with)."""

    @extend_schema(
        summary="Nightscout: delete one treatment",
        description="By BGT's id or the client's. 200 with n = 0 when none has it, as "
        "Nightscout answers: Juggluco (NightPost.deleteUrl) takes anything but 200 as a "
        "failure and retries, so a treatment already deleted must not block it.",
        parameters=[OpenApiParameter("treatment_id", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def delete(self, request, treatment_id):
        found = treatments_queryset(
            patient=record_of(request), query_params={"find[_id]": treatment_id}, count=1
        )
        deleted = ns_treatments.treatments_delete(treatments=list(found))
        return Response({"n": deleted, "ok": 1, "deletedCount": deleted})


def carries_nightscout_credential(request) -> bool:
    """A Nightscout credential (api-secret header, secret= or token=, a Bearer JWT) rather
    than BGT's own (session, ``Authorization: Token``)."""
    if "HTTP_API_SECRET" in request.META:
        return True
    if "secret" in request.GET or "token" in request.GET:
        return True
    return request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")


def treatments_slash_view(bgt_view):
    """``/api/v1/treatments/`` is BGT's own treatments endpoint, and also a path Nightscout
    accepts for its treatments: the credential decides which one answers."""
    nightscout_view = TreatmentsView.as_view()

    def view(request, *args, **kwargs):
        if carries_nightscout_credential(request):
            return nightscout_view(request)
        return bgt_view(request, *args, **kwargs)

    view.csrf_exempt = True
    view.cls = getattr(bgt_view, "cls", None)
    view.initkwargs = getattr(bgt_view, "initkwargs", {})
    view.actions = getattr(bgt_view, "actions", None)
    return view
