"""View guards by role. Anonymous visitors are sent to sign in; signed-in users without the
role get 403. Object-level access is the selectors' job (another user's data is a 404)."""

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin

from accounts import roles


class PatientRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return roles.is_patient(self.request.user)


class PhysicianRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return roles.is_physician(self.request.user)
