"""The charter's lifecycle: drafting with its checks, review, approval, publication blocked
while incomplete, immutability once published, renewal, comparison, expiry and reminders."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.charters import services
from compromiso.charters.models import (
    Charter,
    CharterStatus,
    Compliance,
    Measurement,
    SectionKind,
)
from compromiso.charters.tests.conftest import commit
from compromiso.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        (dt.date(2025, 1, 1), dt.date(2028, 1, 2)),  # over three years
        (dt.date(2025, 1, 1), dt.date(2024, 12, 31)),  # ends before it starts
        (dt.date(2025, 1, 1), dt.date(2025, 1, 1)),
        (dt.date(2025, 1, 1), dt.date(2025, 1, 2)),  # one day
        (dt.date(2025, 1, 1), dt.date(2025, 12, 30)),  # a day short of one year
    ],
)
def test_a_validity_outside_one_to_three_years_is_refused(
    organization, quality_manager, valid_from, valid_to
):
    with pytest.raises(ValidationError) as refused:
        services.create_charter(
            organization,
            by=quality_manager,
            title="Carta",
            valid_from=valid_from,
            valid_to=valid_to,
        )

    assert "valid_to" in refused.value.message_dict
    assert not Charter.objects.exists()


def test_one_year_exactly_is_allowed(organization, quality_manager):
    charter = services.create_charter(
        organization,
        by=quality_manager,
        title="Carta",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2025, 12, 31),
    )

    assert charter.valid_to == dt.date(2025, 12, 31)


def test_the_model_refuses_a_validity_of_one_day(organization):
    charter = Charter(
        organization=organization,
        title="Carta",
        profile="cl_public",
        language="es",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2025, 1, 2),
    )

    with pytest.raises(ValidationError) as refused:
        charter.full_clean()

    assert "valid_to" in refused.value.message_dict


def test_three_years_exactly_is_allowed(organization, quality_manager):
    charter = services.create_charter(
        organization,
        by=quality_manager,
        title="Carta",
        valid_from=dt.date(2024, 2, 29),
        valid_to=dt.date(2027, 2, 28),
    )

    assert charter.profile == organization.jurisdiction
    assert charter.status == CharterStatus.DRAFT


def test_a_commitment_needs_a_target_and_a_covered_service(
    organization, draft, quality_manager, service
):
    elsewhere = ServiceFactory(organization=organization, name="Otro servicio")

    with pytest.raises(ValidationError) as no_target:
        commit(draft, quality_manager, service, target=None)
    with pytest.raises(ValidationError) as not_covered:
        commit(draft, quality_manager, elsewhere)

    assert "target" in no_target.value.message_dict
    assert "service" in not_covered.value.message_dict
    assert not draft.commitments.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"source": "cases_within_days", "threshold_days": None}, "threshold_days"),
        ({"is_guarantee": True, "redress_policy": " "}, "redress_policy"),
        ({"target": Decimal("120")}, "target"),
        ({"text": "x" * 501}, "text"),
        ({"source": "nonsense"}, "source"),
    ],
)
def test_incoherent_commitments_are_refused(draft, quality_manager, service, extra, field):
    with pytest.raises(ValidationError) as refused:
        commit(draft, quality_manager, service, **extra)

    assert field in refused.value.message_dict


def test_publication_is_blocked_until_every_required_section_and_service_is_covered(
    draft, quality_manager, service
):
    services.submit_for_review(draft, by=quality_manager)
    services.approve_charter(draft, by=quality_manager, reference="Res. 1/2025")

    with pytest.raises(services.CharterError) as refused:
        services.publish_charter(draft, by=quality_manager, today=dt.date(2025, 1, 2))

    assert refused.value.code == "incomplete"
    assert "Licencias" in refused.value.message  # the service has no commitment
    assert str(SectionKind.RIGHTS.label) in refused.value.message  # an empty required section
    draft.refresh_from_db()
    assert draft.status == CharterStatus.APPROVED


def test_only_quality_managers_and_administrators_approve_and_publish(
    organization, branch, unit_head, quality_manager, service
):
    charter = services.create_charter(
        organization,
        by=unit_head,
        unit=branch,
        title="Carta de la sucursal",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2026, 1, 1),
        services=[service],
    )
    services.submit_for_review(charter, by=unit_head)

    with pytest.raises(PermissionDenied):
        services.approve_charter(charter, by=unit_head, reference="Res. 2")
    services.approve_charter(charter, by=quality_manager, reference="Res. 2")
    with pytest.raises(PermissionDenied):
        services.publish_charter(charter, by=unit_head)


def test_approval_records_who_when_and_the_act(draft, quality_manager):
    services.submit_for_review(draft, by=quality_manager)
    with pytest.raises(ValidationError):
        services.approve_charter(draft, by=quality_manager, reference="   ")

    services.approve_charter(draft, by=quality_manager, reference="Informe favorable DGGP 12/2025")

    assert draft.approved_by == quality_manager
    assert draft.approved_at is not None
    assert draft.approval_reference == "Informe favorable DGGP 12/2025"
    assert AuditEntry.objects.filter(action="charters.charter.approved").exists()


def test_a_published_version_is_immutable(published, quality_manager, service):
    with pytest.raises(services.CharterError):
        services.update_charter(published, by=quality_manager, title="Otra")
    with pytest.raises(services.CharterError):
        services.save_sections(published, {"rights": "Nuevo"}, by=quality_manager)
    with pytest.raises(services.CharterError):
        commit(published, quality_manager, service)
    with pytest.raises(services.CharterError):
        services.remove_commitment(published.commitments.get(), by=quality_manager)


def test_renewing_copies_the_version_and_publishing_it_supersedes_the_old(
    published, quality_manager, service
):
    with time_machine.travel(dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC), tick=False):
        renewed = services.renew_charter(published, by=quality_manager)
        with pytest.raises(services.CharterError):
            services.renew_charter(published, by=quality_manager)  # one draft at a time

        assert (renewed.version, renewed.status) == (2, CharterStatus.DRAFT)
        assert renewed.valid_from == dt.date(2027, 1, 1)
        old_commitment = published.commitments.get()
        new_commitment = renewed.commitments.get()
        assert new_commitment.lineage == old_commitment.lineage
        assert new_commitment.pk != old_commitment.pk

        services.save_commitment(
            renewed, by=quality_manager, commitment=new_commitment, target=Decimal("95")
        )
        services.save_sections(renewed, {"rights": "Derechos ampliados."}, by=quality_manager)
        diff = services.compare(published, renewed)
        assert [c["change"] for c in diff["commitments"]] == ["changed"]
        assert diff["commitments"][0]["fields"][0]["new"] == Decimal("95")
        assert [s["label"] for s in diff["sections"]] == [SectionKind.RIGHTS.label]

        services.submit_for_review(renewed, by=quality_manager)
        services.approve_charter(renewed, by=quality_manager, reference="Res. 9/2026")
        services.publish_charter(renewed, by=quality_manager)

    published.refresh_from_db()
    assert published.status == CharterStatus.SUPERSEDED
    assert Charter.objects.get(pk=renewed.pk).status == CharterStatus.PUBLISHED


def test_expiry_and_a_single_review_reminder(
    published, quality_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.expire_and_remind(today=dt.date(2026, 10, 15))
    with django_capture_on_commit_callbacks(execute=True):
        again = services.expire_and_remind(today=dt.date(2026, 10, 16))

    assert (first["reminded"], again["reminded"]) == (1, 0)
    assert len(mail.outbox) == 1
    assert "Carta de servicios" in mail.outbox[0].subject

    assert services.expire_and_remind(today=dt.date(2027, 1, 1))["expired"] == 1
    published.refresh_from_db()
    assert published.status == CharterStatus.EXPIRED


def test_catalan_charters_are_reviewed_every_two_years(organization, quality_manager, service):
    charter = services.create_charter(
        organization,
        by=quality_manager,
        title="Carta de serveis",
        profile="es_ct_public",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2027, 12, 31),
        services=[service],
    )
    charter.published_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

    assert services.review_due(charter) == dt.date(2027, 1, 1)


def test_a_manual_result_counts_once_someone_else_approves_it(
    published, quality_manager, admin_user, service
):
    manual = Charter.objects.get(pk=published.pk).commitments.create(
        service=service,
        text="Atendemos en menos de 15 minutos.",
        indicator="% atendidos en 15 minutos",
        source="manual",
        unit="%",
        comparator="gte",
        target=Decimal("80"),
        periodicity="quarterly",
    )
    with pytest.raises(ValidationError):
        services.record_manual_measurement(
            manual,
            by=quality_manager,
            period_start=dt.date(2025, 2, 1),
            value=Decimal(85),
            evidence="",
        )
    with pytest.raises(ValidationError):  # the period has not ended
        services.record_manual_measurement(
            manual,
            by=quality_manager,
            period_start=dt.date.today(),
            value=Decimal(85),
            evidence="Conteo",
        )
    result = services.record_manual_measurement(
        manual,
        by=quality_manager,
        period_start=dt.date(2025, 2, 1),
        value=Decimal("78.5"),
        evidence="Registro del sistema de filas, trimestre 1.",
    )
    assert (result.period_start, result.period_end) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert result.compliance == Compliance.PENDING
    with pytest.raises(services.CharterError):
        services.approve_measurement(result, by=quality_manager)  # not the one who entered it

    services.approve_measurement(result, by=admin_user)

    assert Measurement.objects.get(pk=result.pk).compliance == Compliance.NOT_MET
    services.compute_measurements(published.organization, today=dt.date(2025, 6, 1))
    assert Measurement.objects.get(pk=result.pk).value == Decimal("78.5")  # left as entered


def test_a_computed_indicator_cannot_be_typed(published, quality_manager):
    with pytest.raises(services.CharterError):
        services.record_manual_measurement(
            published.commitments.get(),
            by=quality_manager,
            period_start=dt.date(2025, 2, 1),
            value=Decimal(1),
            evidence="x",
        )


def test_a_unit_head_cannot_touch_another_units_charter(
    organization, other_branch, quality_manager, unit_head, service
):
    theirs = services.create_charter(
        organization,
        by=quality_manager,
        unit=other_branch,
        title="Carta de Temuco",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2026, 1, 1),
    )

    with pytest.raises(PermissionDenied):
        services.update_charter(theirs, by=unit_head, title="Mía")
    assert list(Charter.objects.visible_to(unit_head)) == []


def test_a_manual_indicator_needs_its_unit(draft, quality_manager, service):
    manual = {
        "source": "manual",
        "indicator": "Espera media en sucursal",
        "threshold_days": None,
        "case_kind": "",
        "comparator": "lte",
        "target": 15,
    }
    with pytest.raises(ValidationError) as refused:
        commit(draft, quality_manager, service, **manual)

    assert "unit" in refused.value.message_dict
    saved = commit(draft, quality_manager, service, **manual, unit="minutos")
    assert saved.unit_symbol == "minutos"
