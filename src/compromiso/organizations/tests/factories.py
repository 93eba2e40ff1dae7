import factory

from compromiso.core.permissions import Role
from compromiso.organizations.models import Membership, Organization, Unit, User


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organización {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    country = "CL"
    subdivision = ""
    time_zone = "America/Santiago"
    language = "es"


class UnitFactory(factory.django.DjangoModelFactory):
    """Units get their tree path the way the service does."""

    class Meta:
        model = Unit
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Unidad {n}")
    kind = "area"

    @factory.post_generation
    def set_path(self, create, extracted, **kwargs):
        parent_path = self.parent.path if self.parent_id else "/"
        self.path = f"{parent_path}{self.pk}/"
        if create:
            self.save(update_fields=["path"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    unit = None
    role = Role.VIEWER
