"""One form for a meal, as people record it: the glucose before it (with its meal
context), the carbohydrates and the bolus, at one time. It lives in reports because it
writes to both readings and treatments, which are siblings that never import each other.

Nothing is stored unless everything is valid: the treatments are built and validated
first, then the reading is stored (its service validates before saving), then the
treatments.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from core.days import DayField
from core.localtime import local_datetime
from patients.access import Action
from patients.mixins import RecordMixin
from readings import services as reading_services
from readings.forms import GlucoseField
from readings.models import Context, Kind
from treatments import services as treatment_services
from treatments.forms import AmountField
from treatments.models import TreatmentType

MEAL_CONTEXTS = [
    (Context.BEFORE_MEAL, Context.BEFORE_MEAL.label),
    (Context.AFTER_MEAL, Context.AFTER_MEAL.label),
    (Context.BEFORE_SNACK, Context.BEFORE_SNACK.label),
    (Context.AFTER_SNACK, Context.AFTER_SNACK.label),
    (Context.UNSPECIFIED, Context.UNSPECIFIED.label),
]


class MealForm(forms.Form):
    date = DayField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    glucose = forms.CharField(required=False)  # a GlucoseField in the user's unit
    context = forms.ChoiceField(
        label=_("Meal context"), choices=MEAL_CONTEXTS, initial=Context.BEFORE_MEAL
    )
    carbs_g = AmountField(label=_("Carbohydrates (g)"))
    bolus_units = AmountField(label=_("Bolus (units)"))
    insulin_name = forms.CharField(label=_("Insulin name"), required=False, max_length=100)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you ate, for example. Optional."),
    )

    def __init__(self, *args, user, patient, **kwargs):
        self.patient = patient
        now = timezone.now().astimezone(patient.tzinfo)
        kwargs["initial"] = {
            "date": now.date(),
            "time": now.time().replace(second=0, microsecond=0),
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)
        self.fields["glucose"] = GlucoseField(unit=user.unit, required=False)
        self.fields["glucose"].help_text = _("Optional. %(range)s") % {
            "range": self.fields["glucose"].help_text
        }
        self.fields["time"].help_text = _("Local time (%(zone)s).") % {"zone": patient.tzinfo.key}

    def clean(self):
        cleaned = super().clean()
        day, clock = cleaned.get("date"), cleaned.get("time")
        if day and clock:
            try:
                cleaned["taken_at"] = local_datetime(day, clock, self.patient.tzinfo)
            except ValidationError as error:
                self.add_error("time", error)
        given = [cleaned.get(name) for name in ("glucose", "carbs_g", "bolus_units")]
        if not self.errors and all(value is None for value in given):
            raise ValidationError(_("Enter a glucose value, carbohydrates or a bolus."))
        return cleaned


# Service field -> the meal form's field, per entry.
READING_FIELDS = {"value_mgdl": "glucose", "taken_at": "time", "context": "context"}
CARBS_FIELDS = {"carbs_g": "carbs_g", "taken_at": "time", "notes": "notes"}
BOLUS_FIELDS = {"insulin_units": "bolus_units", "taken_at": "time", "insulin_name": "insulin_name"}


def _show(form, error: ValidationError, fields: dict) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(fields.get(name), errors)


class MealCreateView(RecordMixin, FormView):
    """/meal/new/: a reading, carbohydrates and a bolus at once; then the day view."""

    record_action = Action.WRITE
    template_name = "reports/meal_form.html"
    form_class = MealForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "patient": self.patient}

    def form_valid(self, form):
        data, patient = form.cleaned_data, self.patient
        taken_at, notes = data["taken_at"], data["notes"]
        pending = []
        try:
            if data["carbs_g"] is not None:
                pending.append(
                    treatment_services.treatment_build(
                        patient=patient,
                        type=TreatmentType.CARBS,
                        taken_at=taken_at,
                        carbs_g=data["carbs_g"],
                        notes=notes,
                    )
                )
        except ValidationError as error:
            _show(form, error, CARBS_FIELDS)
        try:
            if data["bolus_units"] is not None:
                pending.append(
                    treatment_services.treatment_build(
                        patient=patient,
                        type=TreatmentType.BOLUS,
                        taken_at=taken_at,
                        insulin_units=data["bolus_units"],
                        insulin_name=data["insulin_name"],
                        notes="" if data["carbs_g"] is not None else notes,
                    )
                )
        except ValidationError as error:
            _show(form, error, BOLUS_FIELDS)
        if form.errors:
            return self.form_invalid(form)
        saved = []
        if data["glucose"] is not None:
            try:
                reading_services.reading_create(
                    patient=patient,
                    value_mgdl=data["glucose"],
                    taken_at=taken_at,
                    kind=Kind.FINGERSTICK,
                    context=data["context"],
                    notes="" if pending else notes,
                )
            except ValidationError as error:
                _show(form, error, READING_FIELDS)
                return self.form_invalid(form)
            saved.append("a reading")
        for treatment in pending:
            treatment.save(force_insert=True)
            saved.append("carbohydrates" if treatment.type == TreatmentType.CARBS else "a bolus")
        messages.success(self.request, f"Saved {_words(saved)}.")
        local_day = taken_at.astimezone(patient.tzinfo).date()
        return redirect("reports:day", day=local_day.isoformat())


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
