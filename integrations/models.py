"""Device credentials of outside sources (DESIGN.md section 6)."""

import hashlib
import uuid

from django.db import models

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
