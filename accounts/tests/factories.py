import factory
from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.roles import ADMINISTRATORS, PHYSICIANS, grant_role

DEFAULT_PASSWORD = "correct-horse-battery-staple"


def role_groups(*default):
    """Post-generation: put the user in ``default`` groups, or in ``roles=[...]`` if given."""

    def grant(obj, create, extracted, **kwargs):
        if create:
            for group_name in default if extracted is None else extracted:
                grant_role(obj, group_name)

    return factory.PostGeneration(grant)


class UserFactory(factory.django.DjangoModelFactory):
    """A user whose email is verified (allauth), so they can sign in. No role."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.save()
        if extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=True)

    roles = role_groups()


class PhysicianFactory(UserFactory):
    roles = role_groups(PHYSICIANS)


class AdministratorFactory(UserFactory):
    is_staff = True
    roles = role_groups(ADMINISTRATORS)
