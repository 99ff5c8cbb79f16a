"""Admin for access grants: who may act on which record, with what role and status.

Never registered: Patient (every field but the name is medical), AccessLogEntry (which
record someone looked at, and when: the patient's own business). A grant's MRN is neither
shown, searched nor filtered (core.personal_data marks it medical). Administrators cannot
open or re-open a grant: consent comes only from the record's side and the grantee. They
can end a physician's grant (with the same emails as a revocation) or delete a grant.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from patients import grants
from patients.models import PatientAccess


@admin.register(PatientAccess)
class PatientAccessAdmin(admin.ModelAdmin):
    list_display = ("user", "patient", "role", "status", "initiated_by", "created_at", "ended_at")
    list_filter = ("role", "status", "initiated_by")
    search_fields = ("user__email", "patient__display_name")
    # Everything is read-only and the MRN is left out entirely.
    fields = (
        "user",
        "patient",
        "role",
        "status",
        "initiated_by",
        "created_at",
        "responded_at",
        "ended_at",
        "ended_by",
    )
    readonly_fields = fields
    actions = ["end_grants"]
    list_select_related = False  # joins are $lookups on MongoDB

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("End the selected physicians' access now"), permissions=["change"])
    def end_grants(self, request, queryset):
        ended = 0
        for grant in queryset.select_related("user", "patient"):
            if grant.is_open and grant.role == PatientAccess.Role.PHYSICIAN:
                grants.physician_access_revoke(
                    grant=grant, by=request.user, base_url=request.build_absolute_uri("/")
                )
                ended += 1
        messages.success(request, _("%(count)d link(s) ended.") % {"count": ended})
