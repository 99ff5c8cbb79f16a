"""The import form: which file, and the two choices a file cannot answer by itself."""

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.files.importers import MAX_UPLOAD_BYTES, DateOrder


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "A BGT export, a Dexcom Clarity export or a LibreView export, up to 10 MB. "
            "The format is recognised from the file's header row."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": _("Choose a CSV file to import."),
            "empty": _("The file is empty."),
        },
    )
    store_out_of_range = forms.BooleanField(
        label=_("Import “Low” and “High” sensor readings at the meter limits"),
        required=False,
        help_text=_(
            "A sensor writes “Low” or “High” when glucose is beyond what it can measure. If "
            "ticked, they are stored as 20 mg/dL (1.1 mmol/L) or 600 mg/dL (33.3 mmol/L) with "
            "a note; if not, they are skipped and counted."
        ),
    )
    date_order = forms.ChoiceField(
        label=_("Date order (LibreView files)"),
        choices=DateOrder.CHOICES,
        initial=DateOrder.AUTO,
        required=False,  # absent (a script posting only the file) means "work it out"
        help_text=_(
            "LibreView writes dates day first or month first depending on the country. BGT "
            "works it out from the file and asks only when every date reads both ways."
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
