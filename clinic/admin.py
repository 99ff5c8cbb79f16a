"""Admin for clinics, their physicians, and roster links (parties and status only).

Never registered: AccessLogEntry (it tells which patient a physician looked at and when:
the patient's own business), and the MRN on a roster link is neither shown, searched nor
filtered. Administrators cannot open or re-open a link: consent comes only from the
patient and the physician. They can end one (with the same emails as a revocation) or
delete it.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import User
from clinic import services
from clinic.models import Clinic, ClinicMembership, RosterLink


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


@admin.register(RosterLink)
class RosterLinkAdmin(admin.ModelAdmin):
    list_display = ("physician", "patient", "status", "initiated_by", "created_at", "ended_at")
    list_filter = ("status", "initiated_by")
    search_fields = ("physician__email", "patient__email")
    # Everything is read-only and the MRN is left out entirely.
    fields = (
        "physician",
        "patient",
        "status",
        "initiated_by",
        "created_at",
        "responded_at",
        "ended_at",
        "ended_by",
    )
    readonly_fields = fields
    actions = ["end_links"]
    list_select_related = False  # joins are $lookups on MongoDB; str() needs the two users

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("End the selected links now"), permissions=["change"])
    def end_links(self, request, queryset):
        ended = 0
        for link in queryset:
            if link.is_open:
                services.roster_link_revoke(
                    link=link, by=request.user, base_url=request.build_absolute_uri("/")
                )
                ended += 1
        messages.success(request, _("%(count)d link(s) ended.") % {"count": ended})
