"""Making a record one looks after, choosing the record one works on, deleting a record."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from accounts import roles
from patients import data, services
from patients.access import Action
from patients.forms import RecordCreateForm
from patients.mixins import RecordMixin, choose_record, working_records
from patients.views import confirm_page


class RecordCreateView(LoginRequiredMixin, FormView):
    """/records/new/: a caregiver makes the record of someone they look after (a child);
    it has no login of its own, and becomes the record they work on."""

    template_name = "patients/record_form.html"
    form_class = RecordCreateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not roles.is_patient(request.user):
            raise PermissionDenied("Physicians' and administrators' accounts keep no records.")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        records = working_records(self.request)
        return {"timezone": records[0].timezone if records else "UTC"}

    def form_valid(self, form):
        data_ = form.cleaned_data
        try:
            patient = services.patient_create_for_caregiver(
                user=self.request.user,
                display_name=data_["display_name"],
                timezone_name=data_["timezone"],
                date_of_birth=data_["date_of_birth"],
                diabetes_type=data_["diabetes_type"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        choose_record(self.request, patient)
        messages.success(
            self.request, _("%(name)s's record is ready.") % {"name": patient.display_name}
        )
        return redirect("reports:dashboard")


class RecordSwitchView(LoginRequiredMixin, View):
    """POST: work on another of one's records (the navigation bar's switcher)."""

    def post(self, request):
        wanted = request.POST.get("record", "")
        record = next((r for r in working_records(request) if str(r.pk) == wanted), None)
        if record is None:
            raise Http404("No such record.")
        choose_record(request, record)
        back = request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = reverse("reports:dashboard")
        # An edit page of one record's reading makes no sense for another: go to its list.
        if "/readings/" in back and back.rstrip("/").split("/")[-1] in ("edit", "delete"):
            back = reverse("readings:list")
        return redirect(back)


class RecordDeleteView(RecordMixin, View):
    """GET: what goes; POST: delete the record with all its data. For its own login, or,
    when it has none, any caregiver."""

    record_action = Action.EDIT_RECORD

    def check(self):
        if not services.may_delete_record(patient=self.patient, user=self.request.user):
            raise PermissionDenied(
                "Only the patient, or a caregiver of a record without its own login, can delete it."
            )

    def get(self, request):
        self.check()
        name = self.patient.display_name
        return confirm_page(
            request,
            title=_("Delete %(name)s's record?") % {"name": name},
            text=_(
                "%(name)s's record and everything in it (readings, targets, sharing, the "
                "access log) are deleted for everyone who sees it, at once. This cannot be "
                "undone; download the data first if you want to keep it."
            )
            % {"name": name},
            button=_("Delete %(name)s's record") % {"name": name},
            cancel_url=reverse("readings:record"),
        )

    def post(self, request):
        self.check()
        name = self.patient.display_name
        data.record_delete(patient=self.patient)
        request.session.pop("bgt_record", None)
        messages.success(
            request, _("%(name)s's record and all its data are deleted.") % {"name": name}
        )
        return redirect("accounts:profile")


class OwnRecordCreateView(LoginRequiredMixin, View):
    """POST /records/own/: someone who signed up only to look after others starts recording
    their own diabetes (the profile offers it)."""

    def post(self, request):
        if not roles.is_patient(request.user):
            raise PermissionDenied("Physicians' and administrators' accounts keep no records.")
        records = working_records(request)
        patient = services.patient_create_for_self(
            user=request.user, timezone_name=records[0].timezone if records else "UTC"
        )
        choose_record(request, patient)
        messages.success(request, _("Your own record is ready; switch between records at the top."))
        return redirect("reports:dashboard")
