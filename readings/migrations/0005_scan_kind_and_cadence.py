"""Libre scans get a kind of their own (``scan``), CGM readings a cadence (``cadence_min``).

Existing rows: nothing is migrated, on purpose. Since LibreView import first existed
(commit 2097afb), integrations/files/libreview.py has stored Record Type 1 (scan) exactly
like Record Type 0 (historic): kind ``cgm``, source ``import``, no external id, no device,
and the file's own Notes cell (empty on most scans). Dexcom Clarity EGVs are stored the same
way too (kind ``cgm``, source ``import``). So no stored field tells a scan apart, and a
timing rule ("a LibreView row between two 15-minute history rows is a scan") cannot be
applied either: the importer left no trace of which rows came from LibreView, and such a
rule would also hit a Dexcom user's 5-minute rows. Turning rows into scans on a guess
would remove real CGM readings from the figures.

What protects the figures instead: readings.figures.streams deduplicates CGM with
Tidepool's blackout rule, so a scan stored as ``cgm`` inside a 15-minute history slot is
dropped there, and legacy rows keep ``cadence_min`` NULL, so their cadence is inferred per
source from the median interval (15 for a LibreView history). Imports from now on store
Record Type 1 as ``scan`` (integrations/files/libreview.py).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('readings', '0004_readings_belong_to_records'),
    ]

    operations = [
        migrations.AddField(
            model_name='reading',
            name='cadence_min',
            field=models.PositiveSmallIntegerField(blank=True, choices=[(1, '1'), (5, '5'), (15, '15')], null=True, verbose_name='CGM cadence (minutes)'),
        ),
        migrations.AlterField(
            model_name='reading',
            name='kind',
            field=models.CharField(choices=[('fingerstick', 'Fingerstick (meter)'), ('cgm', 'CGM (sensor)'), ('scan', 'Scan (Libre, on demand)')], default='fingerstick', max_length=12, verbose_name='kind'),
        ),
    ]
