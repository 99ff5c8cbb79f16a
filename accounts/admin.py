"""Django admin for administrators: users, and who may enter admin at all.

Administrators manage accounts (activate, deactivate, groups, names, emails) and never see
medical data (DESIGN.md section 1). The user admin therefore shows account fields only:
no medical profile, targets or readings (none of those models is registered anywhere),
no unit or time zone, no password hash and no way to set another person's password (which
would let an administrator sign in as a patient). Search covers email and names only.

Site-wide rules, applied to every model admin when the admin's URLs are built (after every
app has registered its admin and its personal data): no model the personal-data registry
marks as holding credentials is in admin at all (API tokens, email-confirmation keys,
device secrets), and change lists filter only by the filters they declare
(core.adminkit). An email typed in by an administrator takes effect only when the new
address's owner confirms it, and the old address is told at once; allauth's email
addresses are read-only here (re-pointing one at another account, or marking it
verified, would hand that account over). Administrators who are not superusers can
neither change nor delete a superuser.
"""

from functools import wraps

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import ModelForm
from django.http import Http404
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken import admin as _authtoken_admin  # noqa: F401 (registers it)

from accounts import roles, services
from accounts.managers import normalize_email
from accounts.models import User
from core import adminkit, personal_data

# --- who may enter admin ---------------------------------------------------------------------


def _site_admins_only(request) -> bool:
    """Active staff in the Administrators group, or superusers; not physicians or patients,
    even when someone marked them staff."""
    return roles.is_site_admin(request.user)


def _sign_in_through_allauth(login_view):
    """Admin's own login form would skip allauth's email verification and rate limits: send
    visitors to the site's sign-in page instead, and refuse signed-in non-administrators."""

    @wraps(login_view)
    def view(request, extra_context=None):
        if not request.user.is_authenticated:
            return redirect_to_login(
                request.GET.get("next") or reverse("admin:index"), settings.LOGIN_URL
            )
        if not roles.is_site_admin(request.user):
            raise PermissionDenied("Only administrators can use the admin site.")
        return login_view(request, extra_context)

    return view


admin.site.has_permission = _site_admins_only
admin.site.login = _sign_in_through_allauth(admin.site.login)
admin.site.site_header = _("BGT administration")
admin.site.site_title = _("BGT administration")
admin.site.index_title = _("Users, clinics and roster links")
admin.site.site_url = "/"


def _is_credential_model(model) -> bool:
    credentials = personal_data.credential_models()
    return model in credentials or model._meta.concrete_model in credentials


def apply_site_rules(site) -> None:
    """No credential model in admin (DRF's TokenProxy shows token keys, allauth's
    EmailConfirmation admin shows confirmation keys); every change list filters only by
    its declared filters. Idempotent."""
    for model in [m for m in site._registry if _is_credential_model(m)]:
        site.unregister(model)
    for model_admin in site._registry.values():
        adminkit.allow_only_declared_filters(model_admin)


def _with_site_rules(get_urls):
    # The admin's URLs are built once every app is ready, so every app's admin and its
    # personal-data entries are known by then (admin modules load before apps' ready()).
    @wraps(get_urls)
    def urls():
        apply_site_rules(admin.site)
        return get_urls()

    return urls


admin.site.get_urls = _with_site_rules(admin.site.get_urls)


# --- users -----------------------------------------------------------------------------------


class UserAddForm(BaseUserCreationForm):
    """Email and password (twice); the email is the login, stored lower-cased."""

    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        email = normalize_email(self.cleaned_data.get("email"))
        if User.objects.filter(email=email).exists():
            raise ValidationError(_("A user with this email address already exists."))
        return email


class UserChangeForm(ModelForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "is_active", "is_staff", "groups")

    def clean_email(self):
        email = normalize_email(self.cleaned_data.get("email"))
        taken = User.objects.filter(email=email).exclude(pk=self.instance.pk).exists()
        if (
            taken
            or EmailAddress.objects.filter(email__iexact=email).exclude(user=self.instance).exists()
        ):
            raise ValidationError(_("A user with this email address already exists."))
        return email


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserAddForm
    fieldsets = (
        (None, {"fields": ("email",)}),
        (_("Name"), {"fields": ("first_name", "last_name")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "groups")}),
        (_("Dates"), {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ("date_joined", "last_login")
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "groups")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    filter_horizontal = ("groups",)

    def get_deleted_objects(self, objs, request):
        """The delete confirmation without health data or credentials: Django would list
        each reading, target and profile (by str(), so no values) and count them, and even a
        count of readings says something about a person's health; it would print an API
        token by its str(), which is the key. Neutral lines replace them."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Models the personal-data registry marks medical or as credentials: never listed,
        # not even on delete confirmations.
        health_models = personal_data.medical_models()
        secret_models = personal_data.credential_models()
        hidden = set()
        for kind, models in (("health", health_models), ("credentials", secret_models)):
            for model in models:
                if model_count.pop(model._meta.verbose_name_plural, None) is not None:
                    hidden.add(kind)
        prefixes = {
            kind: tuple(f"{capfirst(model._meta.verbose_name)}: " for model in models)
            for kind, models in (("health", health_models), ("credentials", secret_models))
        }

        def without_hidden(items):
            kept = []
            for item in items:
                if isinstance(item, list):
                    kept.append(without_hidden(item))
                    continue
                kind = next((k for k, p in prefixes.items() if str(item).startswith(p)), None)
                if kind:
                    hidden.add(kind)
                else:
                    kept.append(item)
            return [item for item in kept if item != []]

        to_delete = without_hidden(to_delete)
        # Records only these logins look after go with them (patients.data), although no
        # foreign key from the login reaches them.
        if any(personal_data.deleting_login_deletes_health_data(obj) for obj in objs):
            hidden.add("health")
        if "health" in hidden:
            model_count[_("health data")] = _("all of it (never shown to administrators)")
        if "credentials" in hidden:
            model_count[_("sign-in credentials")] = _("all of them (never shown)")
        return to_delete, model_count, perms_needed, protected

    def _protects_superuser(self, request, obj) -> bool:
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if self._protects_superuser(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._protects_superuser(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        old_email = form.initial.get("email")
        new_email = obj.email
        changing_email = change and old_email and new_email != old_email
        if changing_email:
            obj.email = old_email  # unchanged until the new address's owner confirms it
        super().save_model(request, obj, form, change)
        if changing_email:
            services.user_email_change_request(user=obj, email=new_email, request=request)
            self.message_user(
                request,
                _(
                    "A confirmation link went to %(new)s: the account's email changes when "
                    "it is followed. Until then it stays %(old)s, which has been told."
                )
                % {"new": new_email, "old": old_email},
                messages.WARNING,
            )

    def user_change_password(self, request, id, form_url=""):
        # Setting someone's password would let an administrator sign in as them and read
        # their medical data; people reset their own password by email instead.
        raise Http404("Passwords are reset by their owners, by email.")


# --- allauth's email addresses ---------------------------------------------------------------


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(AllauthEmailAddressAdmin):
    """Read-only: which addresses an account has and whether they are confirmed. Deleting
    stays possible (deleting a user deletes them). No "mark verified" action: only the
    address's owner can confirm it."""

    actions = []
    readonly_fields = ("user", "email", "verified", "primary")
    raw_id_fields = ()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
