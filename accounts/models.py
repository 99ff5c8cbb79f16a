import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.managers import UserManager, normalize_email
from core.localtime import validate_timezone  # noqa: F401 (named by migration 0001)
from core.text import one_line, validate_name
from core.units import Unit


class User(AbstractUser):
    """A person who signs in with an email address. Roles are groups (accounts.roles).

    A login, not a health record: names and preferences only. Health data lives in
    patients.Patient records, which a login reaches through its grants, so that Django
    admin can manage users without ever loading a medical field.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = None
    email = models.EmailField(_("email address"), unique=True)
    unit = models.CharField(
        _("glucose unit"), max_length=6, choices=Unit.choices, default=Unit.MGDL
    )
    # Pages and email in this language (accounts.middleware.UserLanguageMiddleware,
    # accounts.languages); blank: the browser's (Accept-Language or the switcher's cookie).
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default=""
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)
        errors = {}
        for field in ("first_name", "last_name"):
            try:
                validate_name(getattr(self, field))
            except ValidationError as error:
                errors[field] = error.messages
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        # On one line even for names stored before validate_name: it reaches emails.
        return one_line(super().get_full_name())

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email
