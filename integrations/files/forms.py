"""The import form: which file, and the two choices a file cannot answer by itself."""

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.files.importers import MAX_UPLOAD_BYTES, DateOrder


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export file"),
        help_text=_(
            "A Dexcom Clarity, LibreView, xDrip+, Nightscout, mySugr, Medtronic CareLink, "
            "Glooko, Tandem or BGT export (CSV, or the zip or JSON file the program saves), "
            "up to 10 MB. The source is recognised from the file itself."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.txt,.tsv,.json,.zip,text/csv,application/json,application/zip"}
        ),
        error_messages={
            "required": _("Choose a CSV file to import."),
            "empty": _("The file is empty."),
        },
    )
    store_out_of_range = forms.BooleanField(
        label=_("Import “Low” and “High” sensor readings at the sensor’s limits"),
        required=False,
        help_text=_(
            "A sensor writes “Low” or “High” when glucose is beyond what it can measure. If "
            "ticked, they are stored at the sensor's limits (Dexcom: 40 and 400 mg/dL, 2.2 "
            "and 22.2 mmol/L; others 20 and 600 mg/dL) with a note saying so; if not, they "
            "are skipped and counted."
        ),
    )
    date_order = forms.ChoiceField(
        label=_("Date order (LibreView and CareLink files)"),
        choices=DateOrder.CHOICES,
        initial=DateOrder.AUTO,
        required=False,  # absent (a script posting only the file) means "work it out"
        help_text=_(
            "LibreView and CareLink write dates day first or month first depending on the "
            "country. BGT works it out from the file (a day after the 12th, AM/PM times) and "
            "asks only when every date reads both ways."
        ),
    )

    def clean_date_order(self):
        return self.cleaned_data["date_order"] or DateOrder.AUTO

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _(
                    "This file is %(size).1f MB; files up to 10 MB can be imported. Export a "
                    "shorter period and import the parts one after another."
                ),
                code="too_large",
                params={"size": upload.size / 1024 / 1024},
            )
        return upload
