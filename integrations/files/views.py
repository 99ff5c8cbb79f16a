"""CSV import (/readings/import/) and streamed CSV export (/readings/export.csv).

An import stores the file's readings through readings.services and its insulin and
carbohydrate rows through treatments.services; both de-duplicate, so a file imported
again adds nothing."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView

from integrations.files import exporters, importers, jobs
from integrations.files.forms import ImportForm
from patients.access import Action
from patients.mixins import RecordMixin
from readings import selectors
from readings.forms import ReadingFilterForm

# Reading a large file takes seconds of a worker's time: a login may upload at most this
# many an hour, and one record reads one upload at a time (its chunks are then stored one
# request at a time, under the job's lease: integrations.files.jobs).
IMPORTS_PER_HOUR = 30
RUNNING_LOCK_SECONDS = 120  # longer than any upload request; released as soon as one ends
EXPORT_CHUNK_SIZE = 2000  # rows fetched per database round trip while streaming


class ReadingImportView(RecordMixin, FormView):
    """Upload a file; every row is checked first, then the good ones are kept as an import
    job (integrations.files.jobs) and stored oldest first, a chunk per request. A small
    file's result page is the POST's response; a large file's upload redirects to its
    progress page. Should the server stop part-way, the import page offers to continue
    (or importing the file again stores the rest); nothing is stored twice.
    """

    template_name = "integrations/import_form.html"
    form_class = ImportForm
    record_action = Action.WRITE

    def form_valid(self, form):
        refusal = _import_allowed(self.request.user, self.patient)
        if refusal:
            form.add_error("file", refusal)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        lock = f"import-running:{self.patient.pk}"
        try:
            return self._import(form)
        finally:
            cache.delete(lock)

    def _import(self, form):
        patient = self.patient
        upload = form.cleaned_data["file"]
        try:
            parsed = importers.parse_file(
                upload.read(),
                tz=patient.tzinfo,
                store_out_of_range=form.cleaned_data["store_out_of_range"],
                date_order=form.cleaned_data["date_order"],
            )
        except importers.ImportRefused as refusal:
            form.add_error("file", str(refusal))
            return self.form_invalid(form)
        if not parsed.readings and not parsed.treatments:
            form.add_error("file", _nothing_to_import(parsed))
            return self.render_to_response(
                self.get_context_data(form=form, **_problem_lists(parsed))
            )
        job = jobs.import_job_create(
            user=self.request.user, patient=patient, parsed=parsed, file_name=upload.name
        )
        # A file of up to CHUNK_ROWS rows (a month of CGM) is stored in this request;
        # a larger one goes on from its progress page, a chunk per request.
        progress = jobs.import_job_advance(job=job)
        if progress.finished:
            return _result(self.request, job, progress)
        return redirect("files:job", pk=job.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending_jobs"] = jobs.import_job_list(user=self.request.user, patient=self.patient)
        return context


class ImportJobView(LoginRequiredMixin, View):
    """An import stored in steps (integrations.files.jobs). GET: its progress page, or the
    result once every row is stored. POST: store the next chunk, then answer with the
    progress as JSON (the page's script asks with ``Accept: application/json``) or, for
    a browser without scripts, the progress page with its Continue button again, or the
    result. Only the login that uploaded the file sees its job (another gets a 404)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.job = jobs.import_job_for(user=request.user, job_id=kwargs["pk"])
        except ObjectDoesNotExist:
            raise Http404("No such import.") from None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        progress = jobs.import_job_progress(job=self.job)
        if progress.finished:
            return _result(request, self.job, progress)
        return _progress_page(request, self.job, progress)

    def post(self, request, *args, **kwargs):
        progress = jobs.import_job_advance(job=self.job)
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse(
                {
                    "rows_done": progress.rows_done,
                    "rows_total": progress.rows_total,
                    "label": progress.label,
                    "finished": progress.finished,
                    "busy": progress.busy,
                },
                headers={"Cache-Control": "no-store"},
            )
        if progress.finished:
            return _result(request, self.job, progress)
        return _progress_page(request, self.job, progress)


class ImportJobDiscardView(LoginRequiredMixin, View):
    """Stop an unfinished import: the rows not stored yet are dropped."""

    def post(self, request, *args, **kwargs):
        try:
            job = jobs.import_job_for(user=request.user, job_id=kwargs["pk"])
        except ObjectDoesNotExist:
            raise Http404("No such import.") from None
        progress = jobs.import_job_discard(job=job)
        stored = progress.imported + progress.treatments_imported
        messages.info(
            request,
            _(
                "The import of %(name)s was stopped. The %(count)s row(s) it had stored "
                "stay; importing the file again stores the rest and nothing twice."
            )
            % {"name": job.file_name, "count": number_format(stored, force_grouping=True)},
        )
        return redirect("files:import")


def _progress_page(request, job, progress):
    return render(
        request,
        "integrations/import_progress.html",
        {"job": job, "progress": progress, "summary": jobs.ImportSummary.from_json(job.summary)},
    )


def _result(request, job, progress):
    """The result page of a finished job, which is then deleted (shown once)."""
    summary = jobs.ImportSummary.from_json(job.summary)
    job.delete()
    return render(
        request,
        "integrations/import_result.html",
        {
            "summary": summary,
            "file_name": job.file_name,
            "imported": progress.imported,
            "duplicates": progress.duplicates,
            "treatments_imported": progress.treatments_imported,
            "treatment_duplicates": progress.treatment_duplicates,
            "rejected": summary.rejected_rows,
            "rejected_count": summary.rejected_count,
            "skipped": summary.skipped_rows,
            "skipped_count": summary.skipped_count,
            "listed_limit": jobs.LISTED_PROBLEMS,
        },
    )


def _import_allowed(user, patient) -> str:
    """ "" when this import may start (and it is counted, and the record marked busy), else
    the reason it may not, for the person."""
    if not cache.add(f"import-running:{patient.pk}", 1, RUNNING_LOCK_SECONDS):
        return _(
            "Another import into this record is still running. Wait until it has finished, "
            "then import this file (anything already stored is not added twice)."
        )
    key = f"imports-per-hour:{user.pk}"
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 3600)
        count = 1
    if count > IMPORTS_PER_HOUR:
        cache.delete(f"import-running:{patient.pk}")
        return _(
            "You have started %(count)s imports in the past hour, the most BGT accepts. "
            "Please try again in an hour."
        ) % {"count": IMPORTS_PER_HOUR}
    return ""


def _nothing_to_import(parsed: importers.ParsedFile) -> str:
    if parsed.format == importers.Format.BGT:
        nothing = _("Nothing was imported: this %(format)s file has no valid readings.")
    else:
        nothing = _(
            "Nothing was imported: this %(format)s file has no valid readings, insulin or carbs."
        )
    parts = [nothing % {"format": parsed.format_label}]
    if parsed.rejected:
        count = len(parsed.rejected)
        parts.append(
            ngettext(
                "%(count)s row was rejected (listed below).",
                "%(count)s rows were rejected (listed below).",
                count,
            )
            % {"count": count}
        )
    if parsed.skipped:
        count = len(parsed.skipped)
        parts.append(
            ngettext(
                "%(count)s “Low”/“High” marker was skipped; tick the option to import it at "
                "the sensor's limits.",
                "%(count)s “Low”/“High” markers were skipped; tick the option to import them "
                "at the sensor's limits.",
                count,
            )
            % {"count": count}
        )
    return " ".join(parts)


def _problem_lists(parsed: importers.ParsedFile) -> dict:
    return {
        "rejected": parsed.rejected[: jobs.LISTED_PROBLEMS],
        "rejected_count": len(parsed.rejected),
        "skipped": parsed.skipped[: jobs.LISTED_PROBLEMS],
        "skipped_count": len(parsed.skipped),
        "listed_limit": jobs.LISTED_PROBLEMS,
    }


class ReadingExportView(RecordMixin, View):
    """The patient's readings as BGT CSV, streamed (memory flat for any number of rows).

    Takes the readings table's filters (start and end as the patient's local days,
    inclusive; context; kind), so "Export CSV" downloads what the table shows.
    """

    record_action = Action.EXPORT

    def get(self, request, *args, **kwargs):
        patient = self.patient
        filters = ReadingFilterForm(request.GET or None)
        if request.GET and not filters.is_valid():
            messages.error(request, _("Fix the filters before exporting."))
            return redirect(f"{reverse('readings:list')}?{request.GET.urlencode()}")
        start, end = filters.bounds(patient.tzinfo)
        rows = (
            selectors.reading_list(patient=patient, start=start, end=end, **filters.selected())
            .order_by("taken_at")
            .values_list(*exporters.FIELDS)
            .iterator(chunk_size=EXPORT_CHUNK_SIZE)
        )
        response = StreamingHttpResponse(
            exporters.stream_csv(rows, tz=patient.tzinfo), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{_export_name(filters.cleaned_data if request.GET else {})}"'
        )
        response["Cache-Control"] = "no-store"  # health data: never kept by a shared cache
        return response


def _export_name(data: dict) -> str:
    start: date | None = data.get("start")
    end: date | None = data.get("end")
    name = "bgt-readings"
    if start:
        name += f"-from-{start.isoformat()}"
    if end:
        name += f"-to-{end.isoformat()}"
    return f"{name}.csv"
