"""Roster links and the access log now live in the patients app (copied by patients.0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_initial"),
        ("patients", "0002_records_from_logins"),
    ]

    operations = [
        migrations.DeleteModel(name="AccessLogEntry"),
        migrations.DeleteModel(name="RosterLink"),
    ]
