"""The training demo: staff lists, a cascade caught mid-way, a partial coverage picture; loading
twice changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from compromiso.organizations.models import Organization, Unit
from compromiso.servicemodel.models import (
    Competence,
    StaffMember,
    TrainerCertification,
    TrainingProgramme,
    TrainingSession,
)
from compromiso.servicemodel.training_coverage import TrainingData, cascade, unit_figures

pytestmark = pytest.mark.django_db
MODELS = (StaffMember, TrainingProgramme, TrainingSession, Competence, TrainerCertification)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", cases=10, stdout=StringIO())
        yield
        transaction.set_rollback(True)


def test_each_organisation_has_a_staff_list_with_codes_managers_and_linked_users(demo):
    chile = Organization.objects.get(slug="sntc")
    staff = StaffMember.objects.filter(organization=chile)

    assert staff.count() >= 100
    assert staff.filter(code="CL-0001").exists()
    assert staff.filter(is_manager=True).count() >= 10
    assert staff.filter(user__username="cl-jefe", unit__code="R15", is_manager=True).exists()
    assert StaffMember.objects.filter(code="CT-0001").exists()
    for code in ("S-ARI", "S-PAL", "OAC"):
        unit = Unit.objects.get(code=code)
        assert StaffMember.objects.filter(unit=unit, touch_points__isnull=False).exists()


def test_the_chilean_cascade_is_caught_mid_way(demo):
    chile = Organization.objects.get(slug="sntc")
    model = TrainingProgramme.objects.get(organization=chile, key="service-model")
    assert TrainingProgramme.objects.filter(organization=chile).count() == 7

    (root,) = cascade(model)

    assert root.certification.external_body
    assert root.levels == 3
    assert root.reach == 5  # three regional directors, two branch managers
    data = TrainingData.load(chile)
    on = chile.today()
    units = list(
        Unit.objects.filter(organization=chile, code__in=["S-ARI", "S-PAL"]).order_by("code")
    )
    whole, *rows = unit_figures(data, on, units, whole=True)
    assert 0 < whole.trained.value < 1
    by_code = {r.unit.code: r for r in rows}
    assert by_code["S-PAL"].trained.numerator == 0  # not reached yet
    assert by_code["S-ARI"].trained.numerator > 0
    assert by_code["S-ARI"].trainers == 1
    assert Competence.objects.filter(organization=chile, expires_on__lt=on).exists()


def test_loading_the_training_demo_twice_changes_nothing(demo):
    before = [m.objects.count() for m in MODELS]

    call_command("demo", cases=10, stdout=StringIO())

    assert [m.objects.count() for m in MODELS] == before
