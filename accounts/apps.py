from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People"  # allauth's own app is "Accounts"

    def ready(self):
        post_migrate.connect(_after_last_app_migrated, dispatch_uid="accounts.sync_role_groups")


def _after_last_app_migrated(sender, **kwargs):
    """post_migrate is sent once per installed app; the role groups are synced once, after
    the last app's, when every app's permissions exist (also after each test flush)."""
    if sender is list(apps.get_app_configs())[-1]:
        from accounts.roles import sync_role_groups

        sync_role_groups(**kwargs)
