"""A physician's read-only API: the roster and each actively linked patient's readings and
statistics (DESIGN.md sections 5 and 6).

roster_for_physician lists the records behind ACTIVE physician grants, and
patients.selectors.patient_for is the gate for one record (any patient who has not
accepted, or has revoked, is a 404); each opening is then written to the record's access
log. Query parameters are checked before the gate, so a rejected request logs nothing.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPhysician
from clinic import selectors as clinic_selectors
from core.api.pagination import PagePagination
from patients import selectors as patient_selectors
from patients.access import Action
from patients.models import AccessLogEntry
from patients.services import access_log_record, access_log_record_many
from readings import selectors
from readings.api.serializers import (
    ReadingFilterSerializer,
    ReadingSerializer,
    local_iso,
)
from readings.api.stats_serializers import GoalSerializer, StatsQuerySerializer, StatsSerializer
from readings.api.views import reading_context, stats_response

PATIENT_ID = OpenApiParameter(
    "patient_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The patient's id."
)


def gate(*, physician, patient_id, what: str):
    """The record behind an ACTIVE grant of ``physician``, its opening logged; else a 404."""
    try:
        patient = patient_selectors.patient_for(
            user=physician, patient_id=patient_id, action=Action.VIEW
        )
    except patient_selectors.PatientNotAvailable:
        raise NotFound("No such patient on your roster.") from None
    access_log_record(grant=patient.grant, what=what)
    return patient


class FlagSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text='A missed goal\'s key (see goals), "wear" (CGM active < 70 %) or "tir_drop" '
        "(time in range fell >= 15 points against the previous 14 days)."
    )
    text = serializers.CharField()


class RosterRowSerializer(serializers.Serializer):
    """One patient of the roster with their last 14 whole local days: the figures of their
    report (CGM only, deduplicated, cadence-weighted; % of CGM time; mg/dL), null when CGM
    figures are withheld (under 24 h of CGM data)."""

    id = serializers.UUIDField(help_text="The patient's id, for the patients/<id>/ endpoints.")
    name = serializers.CharField()
    email = serializers.EmailField()
    age = serializers.IntegerField(allow_null=True)
    mrn = serializers.CharField(help_text="The medical record number on your roster link.")
    timezone = serializers.CharField(help_text="The patient's time zone.")
    preset = serializers.CharField(help_text="The target preset the goals come from.")
    last_reading_at = serializers.DateTimeField(
        allow_null=True, help_text="Newest reading ever, in the patient's zone."
    )
    count = serializers.IntegerField(help_text="Deduplicated CGM readings in the 14 days.")
    active_pct = serializers.FloatField(help_text="% time CGM active.")
    mean_14d = serializers.FloatField(allow_null=True, help_text="CGM mean, mg/dL.")
    gmi = serializers.FloatField(allow_null=True)
    gmi_reason = serializers.CharField(allow_null=True)
    cv = serializers.FloatField(allow_null=True)
    in_range_pct = serializers.FloatField(allow_null=True, help_text="The preset's range.")
    below_70_pct = serializers.FloatField(allow_null=True, help_text="< 70 mg/dL")
    very_low_pct = serializers.FloatField(allow_null=True, help_text="< 54 mg/dL")
    low_pct = serializers.FloatField(allow_null=True, help_text="54-69 mg/dL")
    high_pct = serializers.FloatField(allow_null=True, help_text="181-250 mg/dL")
    very_high_pct = serializers.FloatField(allow_null=True, help_text="> 250 mg/dL")
    lv2_hypo_events = serializers.IntegerField(
        allow_null=True, help_text="Level 2 hypo events (>= 15 min below 54 mg/dL)."
    )
    very_low_count = serializers.IntegerField(
        allow_null=True,
        help_text="Deprecated name of lv2_hypo_events (it counted readings < 54 before).",
    )
    gri = serializers.FloatField(allow_null=True, help_text="Glycemia risk index.")
    gri_zone = serializers.CharField(allow_null=True)
    tir_change = serializers.FloatField(
        allow_null=True, help_text="Time in range minus the previous 14 days', in points."
    )
    goals = GoalSerializer(many=True, help_text="The preset's goals, mean, GMI, CV.")
    missed_goals = serializers.ListField(
        child=serializers.CharField(), help_text="Keys of the goals missed."
    )
    flags = FlagSerializer(many=True, help_text="Missed goals, low wear and a TIR drop.")

    def to_representation(self, row) -> dict:
        tz = row.patient.tzinfo
        return {
            "id": str(row.patient.pk),
            "name": row.name,
            "email": row.email,
            "age": row.age,
            "mrn": row.grant.mrn,
            "timezone": row.patient.timezone,
            "preset": row.patient.target_preset,
            "last_reading_at": local_iso(row.last_reading_at, tz),
            "count": row.count,
            "active_pct": row.active_pct,
            "mean_14d": row.mean_14d,
            "gmi": row.gmi,
            "gmi_reason": row.gmi_reason,
            "cv": row.cv,
            "in_range_pct": row.in_range_pct,
            "below_70_pct": row.below_70_pct,
            "very_low_pct": row.very_low_pct,
            "low_pct": row.low_pct,
            "high_pct": row.high_pct,
            "very_high_pct": row.very_high_pct,
            "lv2_hypo_events": row.lv2_hypo_events,
            "very_low_count": row.lv2_hypo_events,
            "gri": row.gri,
            "gri_zone": row.gri_zone,
            "tir_change": row.tir_change,
            "goals": GoalSerializer(row.goals, many=True).data,
            "missed_goals": [goal.key for goal in row.goal_flags],
            "flags": [{"key": f.key, "text": f.text} for f in row.flags],
        }


class RosterQuerySerializer(serializers.Serializer):
    sort = serializers.ChoiceField(
        choices=[
            *clinic_selectors.ROSTER_SORTS,
            *(f"-{key}" for key in clinic_selectors.ROSTER_SORTS),
            clinic_selectors.DEFAULT_SORT,
        ],
        required=False,
        help_text='A column, "-" first for descending; default "attention": most time below '
        '54, then below 70, then least in range, then stalest data. "low" and '
        '"very_low_count" are the first version\'s names (54-69 %; now L2 hypo events).',
    )


class PatientListView(APIView):
    permission_classes = [IsAuthenticated, IsPhysician]

    @extend_schema(
        summary="Your roster",
        description=(
            "Patients who accepted sharing with you, with their last 14 whole local days: "
            "the same figures as each patient's report (CGM only)."
        ),
        parameters=[RosterQuerySerializer],
        responses={200: RosterRowSerializer(many=True)},
        tags=["patients"],
    )
    def get(self, request):
        query = RosterQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = clinic_selectors.roster_for_physician(
            physician=request.user, sort=query.validated_data.get("sort")
        )
        access_log_record_many(grants=[row.grant for row in rows], what=AccessLogEntry.API_ROSTER)
        return Response(RosterRowSerializer(rows, many=True).data)


class PatientReadingListView(GenericAPIView):
    permission_classes = [IsAuthenticated, IsPhysician]
    pagination_class = PagePagination
    serializer_class = ReadingSerializer

    @extend_schema(
        summary="A patient's readings",
        description=(
            "Newest first, paginated; values in your unit, times in the patient's zone. "
            "Each call is written to the patient's access log."
        ),
        parameters=[PATIENT_ID, ReadingFilterSerializer],
        responses={200: ReadingSerializer(many=True)},
        tags=["patients"],
    )
    def get(self, request, patient_id):
        filters = ReadingFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        patient = gate(
            physician=request.user, patient_id=patient_id, what=AccessLogEntry.API_READINGS
        )
        readings = selectors.reading_list(patient=patient, **filters.validated_data)
        page = self.paginate_queryset(readings)
        context = reading_context(viewer=request.user, patient=patient)
        return self.get_paginated_response(ReadingSerializer(page, many=True, context=context).data)


class PatientStatsView(APIView):
    permission_classes = [IsAuthenticated, IsPhysician]

    @extend_schema(
        summary="A patient's statistics",
        description=(
            "The same figures as /api/v1/stats/ for the patient (mg/dL). Each call is "
            "written to the patient's access log."
        ),
        parameters=[PATIENT_ID, StatsQuerySerializer],
        responses={200: StatsSerializer},
        tags=["patients"],
    )
    def get(self, request, patient_id):
        StatsQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        patient = gate(physician=request.user, patient_id=patient_id, what=AccessLogEntry.API_STATS)
        return stats_response(patient=patient, query_params=request.query_params)
