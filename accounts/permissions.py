"""Role checks for API views (403); object access is the selectors' job (404)."""

from rest_framework.permissions import BasePermission

from accounts import roles


class IsPatient(BasePermission):
    message = "Only patients have readings; this account is not a patient account."

    def has_permission(self, request, view):
        return roles.is_patient(request.user)


class IsPhysician(BasePermission):
    message = "Only physicians have patients; this account is not a physician account."

    def has_permission(self, request, view):
        return roles.is_physician(request.user)
