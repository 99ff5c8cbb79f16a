"""Admin for clinics and their physicians. Access grants are in patients.admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import User
from clinic.models import Clinic, ClinicMembership


class ClinicMembershipInline(admin.TabularInline):
    model = ClinicMembership
    extra = 1
    fields = ("physician", "joined_at")
    readonly_fields = ("joined_at",)
    verbose_name = _("physician")
    verbose_name_plural = _("physicians")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "physician":
            # Only physicians can join; an email list, no medical field.
            kwargs["queryset"] = User.objects.filter(groups__name=roles.PHYSICIANS).order_by(
                "email"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)
    fields = ("name", "created_at")
    readonly_fields = ("created_at",)
    inlines = [ClinicMembershipInline]
