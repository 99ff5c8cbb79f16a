"""Recompute every record's day summaries (the roster's per-day sums) from its readings.

The write services keep them current; run this after upgrading to the release that added
them, after restoring readings from a backup, or if a write was interrupted on MongoDB
(where the readings and their day's sums are not written in one transaction).
"""

from django.core.management.base import BaseCommand

from patients.models import Patient
from readings.day_summaries import day_summaries_rebuild


class Command(BaseCommand):
    help = "Recompute the roster's per-day sums (DaySummary) of every record from its readings."

    def add_arguments(self, parser):
        parser.add_argument("--record", help="only this record (its id)")

    def handle(self, *args, record=None, **options):
        records = Patient.objects.order_by("pk")
        if record:
            records = records.filter(pk=record)
        count = days = 0
        for patient in records.iterator():
            days += day_summaries_rebuild(patient=patient)
            count += 1
        self.stdout.write(f"Rebuilt the day summaries of {count} records ({days} days with CGM).")
