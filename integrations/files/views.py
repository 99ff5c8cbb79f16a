"""CSV import (/readings/import/) and streamed CSV export (/readings/export.csv).

An import stores the file's readings through readings.services and its insulin and
carbohydrate rows through treatments.services; both de-duplicate, so a file imported
again adds nothing."""

from datetime import date

from django.contrib import messages
from django.core.cache import cache
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView

from core.perf import collector_paused
from integrations.files import exporters, importers
from integrations.files.forms import ImportForm
from patients.access import Action
from patients.mixins import RecordMixin
from readings import selectors, services
from readings.forms import ReadingFilterForm
from treatments import services as treatment_services

# Rejected or skipped rows listed on the result page; a file of thousands of bad rows
# would make a page nobody reads. The counts are always complete.
LISTED_PROBLEMS = 200
# An import of a large file takes seconds of a worker's time: a login may start at most
# this many an hour, and one record takes one import at a time.
IMPORTS_PER_HOUR = 30
RUNNING_LOCK_SECONDS = 120  # longer than any import; released as soon as one ends
EXPORT_CHUNK_SIZE = 2000  # rows fetched per database round trip while streaming


class ReadingImportView(RecordMixin, FormView):
    """Upload a CSV; every row is checked first, then the good ones are stored, oldest
    first, in batches of bulk writes (readings_bulk_create). Should the server stop part-way,
    importing the file again stores the rest and nothing twice.

    The result page is the POST's response (not a redirect): it lists rejected rows, which
    are too many to keep in a session. Sending the form again is harmless, as an import of
    readings already stored adds nothing.
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
        imported = duplicates = 0
        for batch in importers.reading_batches(parsed):
            with collector_paused():
                result = services.readings_bulk_create(patient=patient, readings=batch)
            imported += len(result.created)
            duplicates += result.duplicates
        treatments = treatment_duplicates = 0
        for batch in importers.treatment_batches(parsed):
            result = treatment_services.treatments_bulk_create(patient=patient, treatments=batch)
            treatments += len(result.created)
            treatment_duplicates += result.duplicates
        return render(
            self.request,
            "integrations/import_result.html",
            {
                "parsed": parsed,
                "file_name": upload.name,
                "imported": imported,
                "duplicates": duplicates,
                "treatments_imported": treatments,
                "treatment_duplicates": treatment_duplicates,
                **_problem_lists(parsed),
            },
        )


def _import_allowed(user, patient) -> str:
    """ "" when this import may start (and it is counted, and the record marked busy), else
    the reason it may not, for the person."""
    if not cache.add(f"import-running:{patient.pk}", 1, RUNNING_LOCK_SECONDS):
        return (
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
        return (
            f"You have started {IMPORTS_PER_HOUR} imports in the past hour, the most BGT "
            "accepts. Please try again in an hour."
        )
    return ""


def _nothing_to_import(parsed: importers.ParsedFile) -> str:
    what = "readings" if parsed.format == importers.Format.BGT else "readings, insulin or carbs"
    parts = [f"Nothing was imported: this {parsed.format_label} file has no valid {what}."]
    if parsed.rejected:
        parts.append(f"{len(parsed.rejected)} row(s) were rejected (listed below).")
    if parsed.skipped:
        parts.append(
            f"{len(parsed.skipped)} “Low”/“High” marker(s) were skipped; tick the option "
            "to import them at the sensor's limits."
        )
    return " ".join(parts)


def _problem_lists(parsed: importers.ParsedFile) -> dict:
    return {
        "rejected": parsed.rejected[:LISTED_PROBLEMS],
        "rejected_count": len(parsed.rejected),
        "skipped": parsed.skipped[:LISTED_PROBLEMS],
        "skipped_count": len(parsed.skipped),
        "listed_limit": LISTED_PROBLEMS,
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
            messages.error(request, "Fix the filters before exporting.")
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
