from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People")  # allauth's own app is "Accounts"

    def ready(self):
        post_migrate.connect(_after_last_app_migrated, dispatch_uid="accounts.sync_role_groups")
        _register_personal_data()
        _revoke_tokens_when_the_password_changes()
        from accounts.tokens import enforce_token_lifetime

        enforce_token_lifetime()
        # Again when the admin's URLs are built, for apps that register after this one.
        from django.contrib import admin

        from accounts.admin import apply_site_rules

        apply_site_rules(admin.site)


def _after_last_app_migrated(sender, **kwargs):
    """post_migrate is sent once per installed app that has models; the role groups are
    synced once, after the last such app's, when every app's permissions exist (also after
    each test flush)."""
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is with_models[-1]:
        from accounts.roles import sync_role_groups

        sync_role_groups(**kwargs)


def _revoke_tokens_when_the_password_changes():
    from allauth.account import signals

    from accounts.tokens import revoke_on_password_change

    for name in ("password_changed", "password_reset", "password_set"):
        getattr(signals, name).connect(revoke_on_password_change, dispatch_uid=f"tokens.{name}")


def _register_personal_data():
    """The login's own data in third-party apps (core.personal_data)."""
    from allauth.account.models import EmailAddress, EmailConfirmation
    from django.contrib.admin.models import LogEntry
    from rest_framework.authtoken.models import Token

    from core.personal_data import Owner, exclude, register, register_credential

    register(EmailAddress, owner=Owner.LOGIN, owner_field="user", section="email_addresses")
    register(
        Token, owner=Owner.LOGIN, owner_field="user", section="api_tokens", secret_fields=("key",)
    )
    # Confirmation keys (stored: ACCOUNT_EMAIL_CONFIRMATION_HMAC = False) confirm an
    # address for whoever holds them; deleted with their email address.
    register_credential(EmailConfirmation)
    exclude(
        LogEntry,
        reason="An administrator's own history of admin actions; the entries about a deleted "
        "user's account are removed by patients.data.account_delete.",
    )
