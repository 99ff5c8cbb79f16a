"""Inviting people to a record from its sharing page, removing them, and the invitee's side:
the page behind the emailed link, where they accept (signing in, or making their account)
or decline."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import User
from patients import invitations, selectors, services
from patients.access import Action
from patients.forms import HandOverForm, InviteForm, NewLoginForm
from patients.mixins import RecordMixin, choose_record
from patients.models import Invitation, PatientAccess
from patients.views import base_url, confirm_page, sharing_page, show_service_errors

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


class InviteView(RecordMixin, View):
    """POST /sharing/invite/: invite a caregiver or follower; the same answer whether or not
    the email has an account."""

    record_action = Action.SHARE

    def post(self, request):
        form = InviteForm(request.POST)
        if not form.is_valid():
            return sharing_page(request, self.patient, invite_form=form)
        email = form.cleaned_data["email"]
        try:
            invitations.invitation_send(
                patient=self.patient,
                by=request.user,
                email=email,
                role=form.cleaned_data["role"],
                base_url=base_url(request),
            )
        except ValidationError as error:
            show_service_errors(request, error)
        else:
            messages.success(
                request,
                _(
                    "An invitation is on its way to %(email)s. They get access once they "
                    "accept it; until then it is listed below, where you can withdraw it."
                )
                % {"email": email},
            )
        return redirect("patients:sharing")


class HandOverView(RecordMixin, View):
    """POST /sharing/hand-over/: hand the record to the grown-up patient's own email."""

    record_action = Action.SHARE

    def post(self, request):
        form = HandOverForm(request.POST)
        if not form.is_valid():
            return sharing_page(request, self.patient, handover_form=form)
        email = form.cleaned_data["email"]
        try:
            invitations.invitation_send(
                patient=self.patient,
                by=request.user,
                email=email,
                role=PatientAccess.Role.SELF,
                keep_caregivers=form.cleaned_data["keep_caregivers"],
                base_url=base_url(request),
            )
        except ValidationError as error:
            show_service_errors(request, error)
        else:
            messages.success(
                request,
                _("%(name)s's record is offered to %(email)s. It becomes theirs when they accept.")
                % {"name": self.patient.display_name, "email": email},
            )
        return redirect("patients:sharing")


class InvitationWithdrawView(RecordMixin, View):
    record_action = Action.SHARE

    def post(self, request, pk):
        invitation = Invitation.objects.filter(
            pk=selectors.as_uuid(pk), patient=self.patient, status=Invitation.Status.PENDING
        ).first()
        if invitation is None:
            raise Http404("No such invitation.")
        invitations.invitation_withdraw(invitation=invitation, by=request.user)
        messages.success(
            request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
        )
        return redirect("patients:sharing")


class GrantRevokeView(RecordMixin, View):
    """GET: confirm; POST: remove a caregiver's or follower's access (or leave, oneself)."""

    record_action = Action.VIEW  # a follower may leave; services checks the rest

    def get_grant(self):
        grant = (
            PatientAccess.objects.filter(
                pk=selectors.as_uuid(self.kwargs["pk"]),
                patient=self.patient,
                role__in=[PatientAccess.Role.CAREGIVER, PatientAccess.Role.FOLLOWER],
                status=PatientAccess.Status.ACTIVE,
            )
            .select_related("user")
            .first()
        )
        if grant is None:
            raise Http404("No such access.")
        return grant

    def get(self, request, pk):
        grant = self.get_grant()
        leaving = grant.user_id == request.user.pk
        name = self.patient.display_name
        who = grant.user.get_full_name() or grant.user.email
        return confirm_page(
            request,
            title=(
                _("Leave %(name)s's record?") % {"name": name}
                if leaving
                else _("Remove %(who)s?") % {"who": who}
            ),
            text=(
                _("You will no longer see %(name)s's record.") % {"name": name}
                if leaving
                else _("%(who)s will no longer see %(name)s's record, starting now.")
                % {"who": who, "name": name}
            ),
            button=_("Leave the record") if leaving else _("Remove %(who)s") % {"who": who},
            cancel_url=reverse("patients:sharing"),
        )

    def post(self, request, pk):
        grant = self.get_grant()
        try:
            services.grant_revoke(grant=grant, by=request.user)
        except ValidationError as error:
            show_service_errors(request, error)
            return redirect("patients:sharing")
        if grant.user_id == request.user.pk:
            messages.success(
                request, _("You left %(name)s's record.") % {"name": self.patient.display_name}
            )
            request.session.pop("bgt_record", None)
            return redirect("accounts:profile")
        who = grant.user.get_full_name() or grant.user.email
        messages.success(request, _("%(who)s no longer has access.") % {"who": who})
        return redirect("patients:sharing")


class InvitationView(View):
    """/invitations/<token>/: the invitee's page. Signed in with the invited email: accept
    or decline. Signed out: decline, sign in to accept, or (an email without an account)
    make the account here and accept at once."""

    template_name = "patients/invitation.html"

    def get_invitation(self, token):
        try:
            return invitations.invitation_for_token(token=token)
        except Invitation.DoesNotExist:
            raise Http404("This invitation is not valid any more.") from None

    def context(self, request, invitation, **extra):
        user = request.user
        signed_in_as_invitee = user.is_authenticated and user.email == invitation.email
        return {
            "invitation": invitation,
            "signed_in_as_invitee": signed_in_as_invitee,
            "signed_in_as_other": user.is_authenticated and not signed_in_as_invitee,
            "has_account": User.objects.filter(email=invitation.email).exists(),
            "login_url": f"{reverse('account_login')}?next={request.path}",
            "password_form": extra.get("password_form") or NewLoginForm(),
        }

    def get(self, request, token):
        invitation = self.get_invitation(token)
        return render(request, self.template_name, self.context(request, invitation))

    def post(self, request, token):
        invitation = self.get_invitation(token)
        answer = request.POST.get("answer")
        if answer == "decline":
            invitations.invitation_decline(invitation=invitation)
            messages.success(request, _("You declined the invitation. Nothing was shared."))
            return redirect("home")
        if request.user.is_authenticated:
            try:
                grant = invitations.invitation_accept(invitation=invitation, user=request.user)
            except ValidationError as error:
                show_service_errors(request, error)
                return redirect(request.path)
        else:
            form = NewLoginForm(request.POST)
            if not form.is_valid():
                context = self.context(request, invitation, password_form=form)
                return render(request, self.template_name, context)
            try:
                user = invitations.invitation_accept_new_login(
                    invitation=invitation, password=form.cleaned_data["password1"]
                )
            except ValidationError as error:
                form.add_error("password1", error)
                context = self.context(request, invitation, password_form=form)
                return render(request, self.template_name, context)
            login(request, user, backend=AUTH_BACKEND)
            grant = PatientAccess.objects.get(
                user=user, patient=invitation.patient, status=PatientAccess.Status.ACTIVE
            )
        choose_record(request, invitation.patient)
        messages.success(
            request,
            _("Welcome: you now see %(name)s's record.")
            % {"name": invitation.patient.display_name},
        )
        if grant.role == PatientAccess.Role.SELF:
            messages.info(
                request, _("The record is yours now; its Sharing page lists who else sees it.")
            )
        return redirect("reports:dashboard")
