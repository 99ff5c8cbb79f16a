"""Device credentials of outside sources (DESIGN.md section 6), and file imports being
stored in steps (integrations.files.jobs)."""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from patients.models import Patient


class UploadSecret(models.Model):
    """A record's device upload secret for Nightscout-compatible uploaders (xDrip+ etc.).

    Uploaders send SHA-1(secret) as hex in the ``api-secret`` header, so that hex digest is
    itself a credential: we store only SHA-256 of it, and show the secret once, when made.
    The table keeps the name it had when the model lived in the readings app.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="upload_secret")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "readings_uploadsecret"

    def __str__(self):
        return f"Upload secret {self.pk}"

    @staticmethod
    def digest_of(api_secret_sha1_hex: str) -> str:
        """What is stored for a secret: SHA-256 of the SHA-1 hex an uploader sends."""
        return hashlib.sha256(api_secret_sha1_hex.strip().lower().encode()).hexdigest()


class NightscoutCollection(models.TextChoices):
    DEVICESTATUS = "devicestatus", "devicestatus"
    PROFILE = "profile", "profile"
    FOOD = "food", "food"
    CAL = "cal", "cal"  # entries of type cal: a CGM's calibrations (never glucose)


class NightscoutDocument(models.Model):
    """A document of a Nightscout collection BGT has no model of its own for: a loop's or
    uploader's device status (battery, IOB, COB, predictions) and therapy profiles, kept as
    the client sent them so that followers read back what it uploaded (DESIGN.md section 6).

    ``created_at`` is the document's own time (Nightscout's ``created_at``, else ``date`` or
    ``mills``), ``identifier`` the client's id (API v3 ``identifier``, AndroidAPS's,
    Loop's), unique per record and collection when given. ``srv_modified`` changes on
    every write (API v3 ``srvModified``); a deleted document stays as ``is_valid=False`` for
    the v3 history of clients that sync.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="nightscout_documents"
    )
    collection = models.CharField(max_length=20, choices=NightscoutCollection.choices)
    created_at = models.DateTimeField()
    # NULL, not "", when absent: NULLs never collide in the unique constraint below.
    identifier = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    document = models.JSONField()
    srv_modified = models.DateTimeField(auto_now=True)
    is_valid = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["patient", "collection", "created_at"], name="nsdoc_patient_coll_time"
            ),
            models.Index(
                fields=["patient", "collection", "srv_modified"], name="nsdoc_patient_coll_mod"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "collection", "identifier"], name="nsdoc_unique_identifier"
            )
        ]

    def __str__(self):
        return f"Nightscout {self.collection} {self.pk}"


class TokenRole(models.TextChoices):
    # readable: reads only (followers); upload: reads, adds and changes, never deletes
    # (devices); full: everything the API secret may do.
    READABLE = "readable", pgettext_lazy("token role", "Read only")
    UPLOAD = "upload", pgettext_lazy("token role", "Upload")
    FULL = "full", pgettext_lazy("token role", "Full")


class AccessToken(models.Model):
    """A named Nightscout access token of a record, with a role (DESIGN.md section 6).

    Clients send the token itself (``?token=``, ``api-secret: token=...``) or trade it for
    a short-lived JWT (``/api/v2/authorization/request/<token>``). Only SHA-256 of the token
    is stored; ``prefix`` (its name part and first characters) identifies it on the sharing
    page. Revoking deletes the row: the token, and any JWT made from it, stop at once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=50)
    role = models.CharField(max_length=10, choices=TokenRole.choices)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "created_at"]

    def __str__(self):
        return f"Access token {self.pk}"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.strip().encode()).hexdigest()


class DeletedRecord(models.Model):
    """That a reading or treatment of a record was deleted, and when: what API v3's history
    lists as ``isValid: false`` so that syncing clients (AndroidAPS) invalidate their copy,
    as cgm-remote-monitor's soft delete does (lib/api3/generic/delete/operation.js).

    ``document`` is the API v3 document as it was when deleted: AndroidAPS finds its copy
    by the identifier but only parses a document with its type's fields (a bolus needs its
    insulin, carbs their grams, a temporary target its range and duration), so a bare
    identifier never reaches it. It is kept for integrations.nightscout.deletions
    .KEEP_DOCUMENT (100 days) and cleared after; the identifier and time stay.

    Written by every deletion (the web pages, BGT's API, Nightscout's v1 and v3 DELETE)
    through ``core.signals.record_data_deleted``; deleted with the record.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="nightscout_deletions"
    )
    collection = models.CharField(max_length=20)  # "entries" or "treatments"
    # The API v3 identifier: the uploader's id (external_id), else BGT's own id.
    identifier = models.CharField(max_length=200)
    srv_modified = models.DateTimeField(auto_now=True)
    document = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["srv_modified"]
        indexes = [
            models.Index(
                fields=["patient", "collection", "srv_modified"], name="nsdeleted_coll_mod"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "collection", "identifier"], name="nsdeleted_unique"
            )
        ]

    def __str__(self):
        return f"Deleted {self.collection} {self.pk}"


class ImportJob(models.Model):
    """A file import being stored in steps (integrations.files.jobs): parsed once when it
    was uploaded, its rows kept in ``ImportChunk`` rows until each is stored, so that no
    request runs past the server's timeout and a request that dies leaves a job to continue.

    Private to the login that uploaded it (``user``), which must still be able to write
    to ``patient``. ``summary`` is what the result page says about the file (its source,
    unit, date order, clock changes, rejected and skipped rows). Deleted once the result
    is shown, when discarded, or a day after the upload. ``lease_until``: a request is
    storing a chunk until then (one at a time).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="import_jobs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    file_name = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    summary = models.JSONField()
    rows_total = models.PositiveIntegerField()
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["patient", "user"], name="importjob_patient_user")]

    def __str__(self):
        return f"Import job {self.pk}"


class ImportChunk(models.Model):
    """Up to a few thousand of an import job's parsed rows (readings or treatments), stored
    by one request. ``rows`` is their JSON (integrations.files.jobs), emptied when the chunk
    is stored, in the same write that records what storing it did: a document well under
    MongoDB's 16 MB limit, and no count lost or counted twice without a transaction.
    ``started``: a request began storing it (a resumed chunk counts the rows that request
    stored as imported, by their ids)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    # The job's record again: MongoDB deletes only within one collection, so the record's
    # deletion finds a chunk by its own key.
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    index = models.PositiveIntegerField()
    kind = models.CharField(max_length=10)  # "readings" or "treatments"
    first_row = models.PositiveIntegerField()  # the job's row number of its first row
    size = models.PositiveIntegerField()
    rows = models.TextField()
    started = models.BooleanField(default=False)
    done = models.BooleanField(default=False)
    imported = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["index"]  # within a job (ordering by the job would join it)
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="importchunk_unique_index")
        ]

    def __str__(self):
        return f"Import chunk {self.pk}"
