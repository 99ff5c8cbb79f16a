"""Nightscout API v1 beyond entries: treatments, devicestatus, profile, verifyauth and the
set-up checks of Loop (``experiments/test``) and Trio (a Note POSTed to treatments).

Paths, defaults and answers follow cgm-remote-monitor ``lib/api/`` (treatments: count 100,
or 1,000 with a find; devicestatus and profile: count 10).
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.schema import FieldErrorsSerializer
from core.units import Unit
from integrations.models import NightscoutCollection, TokenRole
from integrations.nightscout import documents
from integrations.nightscout import treatments as ns_treatments
from integrations.nightscout.authentication import record_of, role_of
from integrations.nightscout.views import NightscoutView
from readings import selectors as reading_selectors


class DocumentSerializer(serializers.Serializer):
    """A stored document: the client's own fields as posted, and these."""

    _id = serializers.CharField(label="_id")
    created_at = serializers.CharField()
    mills = serializers.IntegerField()


_DOCUMENT_LIST = DocumentSerializer(many=True)
_COUNT = OpenApiParameter("count", OpenApiTypes.INT, description="How many, newest first.")
_FIND = OpenApiParameter(
    "find[created_at][$gte]",
    OpenApiTypes.STR,
    description="ISO 8601 or epoch ms; also $gt, $lte, $lt, $eq, and the other find keys "
    "listed in the description.",
)
_BAD = OpenApiResponse(FieldErrorsSerializer, description="A malformed query or body.")


def _items(data) -> list:
    """A JSON array of documents, or one document (Nightscout takes both)."""
    if isinstance(data, dict) and data:
        return [data]
    if isinstance(data, list):
        return data
    raise ValidationError({"non_field_errors": ["Send a JSON object or an array of them."]})


def _max_count() -> int:
    return settings.BGT_NIGHTSCOUT_MAX_COUNT


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
        parameters=[_COUNT, _FIND],
        responses={200: NightscoutTreatmentSerializer(many=True), 400: _BAD},
    )
    def get(self, request):
        params = request.query_params
        has_find = any(key.startswith("find") for key in params)
        count = ns_treatments.count_of(
            params, default=1000 if has_find else 100, maximum=_max_count()
        )
        found = ns_treatments.treatments_queryset(
            patient=record_of(request), query_params=params, count=count
        )
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
        responses={200: TreatmentOutcomeSerializer(many=True), 400: _BAD},
    )
    def post(self, request):
        outcomes = ns_treatments.treatments_upload(
            patient=record_of(request), items=_items(request.data)
        )
        return self._answer(request, outcomes)

    @extend_schema(
        summary="Nightscout: upsert treatments (as POST)",
        request=OpenApiTypes.OBJECT,
        responses={200: TreatmentOutcomeSerializer(many=True), 400: _BAD},
    )
    def put(self, request):
        return self.post(request)

    @extend_schema(
        summary="Nightscout: delete the treatments a find matches",
        description="A find is required (Nightscout would otherwise delete everything).",
        parameters=[_FIND],
        responses={200: OpenApiTypes.OBJECT, 400: _BAD},
    )
    def delete(self, request):
        params = request.query_params
        if not any(key.startswith("find") for key in params):
            raise ValidationError({"find": ["Say which treatments to delete with find[...]."]})
        found = ns_treatments.treatments_queryset(
            patient=record_of(request), query_params=params, count=_max_count()
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
        found = ns_treatments.treatments_queryset(
            patient=record_of(request), query_params={"find[_id]": treatment_id}, count=1
        )
        deleted = ns_treatments.treatments_delete(treatments=list(found))
        return Response({"n": deleted, "ok": 1, "deletedCount": deleted})


class DocumentsView(NightscoutView):
    """A collection kept as documents (devicestatus, profile)."""

    collection = ""
    default_count = 10

    def get(self, request):
        params = request.query_params
        count = ns_treatments.count_of(params, default=self.default_count, maximum=_max_count())
        found = documents.documents_queryset(
            patient=record_of(request),
            collection=self.collection,
            query_params=params,
            count=count,
        )
        return Response([documents.document_of(doc) for doc in found])

    def post(self, request):
        patient = record_of(request)
        items = _items(request.data)
        for item in items:  # all checked before any is stored: nothing half-written
            if not isinstance(item, dict):
                raise ValidationError({"non_field_errors": ["Each item must be an object."]})
            documents.check_storable(item)
        stored = [
            documents.document_store(patient=patient, collection=self.collection, doc=item)
            for item in items
        ]
        return Response([documents.document_of(doc) for doc in stored])

    def delete_matching(self, request):
        params = request.query_params
        if not any(key.startswith("find") for key in params):
            raise ValidationError({"find": ["Say which documents to delete with find[...]."]})
        found = documents.documents_queryset(
            patient=record_of(request),
            collection=self.collection,
            query_params=params,
            count=_max_count(),
        )
        for doc in found:
            documents.document_delete(document=doc)
        return Response({"n": len(found), "ok": 1, "deletedCount": len(found)})


_DOC_DESCRIPTION = (
    "Documents as the client posted them, with `_id`, `created_at` and `mills`; newest "
    "first (count defaults to 10); find on created_at ($gte, $gt, $lte, $lt, $eq) or _id."
)


class DeviceStatusView(DocumentsView):
    collection = NightscoutCollection.DEVICESTATUS

    @extend_schema(
        summary="Nightscout: device statuses",
        description=_DOC_DESCRIPTION,
        parameters=[_COUNT, _FIND],
        responses={200: _DOCUMENT_LIST, 400: _BAD},
    )
    def get(self, request):
        return super().get(request)

    @extend_schema(
        summary="Nightscout: upload device statuses",
        description="An object or an array of objects (battery, IOB, COB, pump, ...).",
        request=OpenApiTypes.OBJECT,
        responses={200: _DOCUMENT_LIST, 400: _BAD},
    )
    def post(self, request):
        return super().post(request)

    @extend_schema(
        summary="Nightscout: delete the device statuses a find matches",
        parameters=[_FIND],
        responses={200: OpenApiTypes.OBJECT, 400: _BAD},
    )
    def delete(self, request):
        return self.delete_matching(request)


def default_profile(patient, unit: str) -> dict:
    """The profile BGT shows when no client uploaded one: the record's zone and its target
    range (mg/dL or mmol/L as the record's own login reads), nothing it does not know."""
    target = reading_selectors.target_get(patient=patient)
    mmol = unit == Unit.MMOLL

    def value(mgdl):
        return round(mgdl / 18.0182, 1) if mmol else mgdl

    stamp = patient.created_at
    return {
        "_id": f"bgt-{patient.pk}",
        "defaultProfile": "default",
        "startDate": documents._iso(stamp),
        "created_at": documents._iso(stamp),
        "mills": int(stamp.timestamp() * 1000),
        "units": "mmol" if mmol else "mg/dl",
        "store": {
            "default": {
                "timezone": patient.timezone,
                "units": "mmol" if mmol else "mg/dl",
                "target_low": [
                    {"time": "00:00", "timeAsSeconds": 0, "value": value(target.low_mgdl)}
                ],
                "target_high": [
                    {"time": "00:00", "timeAsSeconds": 0, "value": value(target.high_mgdl)}
                ],
            }
        },
    }


class ProfileView(DocumentsView):
    collection = NightscoutCollection.PROFILE

    def _profiles(self, request, count: int) -> list[dict]:
        patient = record_of(request)
        found = documents.documents_queryset(
            patient=patient, collection=self.collection, query_params={}, count=count
        )
        profiles = [documents.document_of(doc) for doc in found]
        return profiles or [default_profile(patient, request.user.unit)]

    @extend_schema(
        summary="Nightscout: profiles",
        description=(
            "The profiles clients uploaded, newest first (count defaults to 10); with none, "
            "one made from the record's zone and target range."
        ),
        parameters=[_COUNT],
        responses={200: _DOCUMENT_LIST, 400: _BAD},
    )
    def get(self, request):
        count = ns_treatments.count_of(
            request.query_params, default=self.default_count, maximum=_max_count()
        )
        return Response(self._profiles(request, count))

    @extend_schema(
        summary="Nightscout: upload a profile",
        request=OpenApiTypes.OBJECT,
        responses={200: _DOCUMENT_LIST, 400: _BAD},
    )
    def post(self, request):
        return super().post(request)

    @extend_schema(
        summary="Nightscout: replace a profile (as POST)",
        request=OpenApiTypes.OBJECT,
        responses={200: _DOCUMENT_LIST, 400: _BAD},
    )
    def put(self, request):
        return super().post(request)


class ProfileCurrentView(ProfileView):
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="Nightscout: the current profile",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return Response(self._profiles(request, 1)[0])


class VerifyAuthSerializer(serializers.Serializer):
    canRead = serializers.BooleanField()  # noqa: N815
    canWrite = serializers.BooleanField()  # noqa: N815
    isAdmin = serializers.BooleanField()  # noqa: N815
    message = serializers.CharField()
    rolefound = serializers.CharField()
    permissions = serializers.CharField()


class VerifyAuthView(NightscoutView):
    @extend_schema(
        summary="Nightscout: what the credential may do",
        description="As cgm-remote-monitor lib/api/verifyauth.js answers it, wrapped in "
        "{status, message}.",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        role = role_of(request)
        return Response(
            {
                "status": 200,
                "message": {
                    "canRead": True,
                    "canWrite": role != TokenRole.READABLE,
                    "isAdmin": role == TokenRole.FULL,
                    "message": "OK",
                    "rolefound": "FOUND",
                    "permissions": "ROLE",
                },
            }
        )


class ExperimentsTestView(NightscoutView):
    @extend_schema(
        summary="Nightscout: credential check (Loop's set-up)",
        description="Loop (NightscoutService CredentialsViewModel) calls this to check the "
        "site URL and secret: 200 {status: ok} with a valid credential, 401 without.",
        responses={200: OpenApiTypes.OBJECT, 401: OpenApiResponse(description="No credential.")},
    )
    def get(self, request):
        return Response({"status": "ok"})


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
