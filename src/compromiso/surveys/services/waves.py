"""Waves: creating one, opening it to answers (internal waves once their client units have
validated the attributes), closing it, and its sample design and weighting targets."""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compromiso.catalog.models import Audience, Channel, Service, TouchPoint
from compromiso.core.actors import Actor
from compromiso.core.audit import log_action
from compromiso.organizations.models import Organization, Unit
from compromiso.surveys.models import (
    Questionnaire,
    Stratum,
    Wave,
    WaveStatus,
)
from compromiso.surveys.services.access import require_manager
from compromiso.surveys.services.errors import SurveyError


@transaction.atomic
def create_wave(
    organization: Organization,
    *,
    by: Actor,
    questionnaire: Questionnaire,
    title: str,
    kind: str,
    services: Iterable[Service],
    opens_on: dt.date,
    closes_on: dt.date,
    audience: str = "external",
    previous: Wave | None = None,
    client_units: Iterable[Unit] = (),
    panel: bool = False,
) -> Wave:
    """A draft wave. An internal wave names its client units: they validate the attributes of
    the services before it opens (see services.validation)."""
    require_manager(organization.pk, by)
    if questionnaire.organization_id != organization.pk:
        raise ValidationError({"questionnaire": _("Choose a questionnaire of this organisation.")})
    chosen = list(services)
    if not chosen:
        raise ValidationError({"services": _("Choose at least one service to measure.")})
    if any(s.organization_id != organization.pk for s in chosen):
        raise ValidationError({"services": _("Choose services of this organisation.")})
    if previous is not None and previous.organization_id != organization.pk:
        raise ValidationError({"previous": _("Choose a wave of this organisation.")})
    clients = clean_client_units(organization.pk, audience, client_units)
    wave = Wave(
        organization=organization,
        questionnaire=questionnaire,
        title=title.strip(),
        kind=kind,
        audience=audience,
        opens_on=opens_on,
        closes_on=closes_on,
        previous=previous,
        panel=panel,
    )
    wave.full_clean()
    wave.save()
    wave.services.set(chosen)
    wave.client_units.set(clients)
    log_action(wave, "surveys.wave.created", by=by)
    return wave


def clean_client_units(organization_id: int, audience: str, units: Iterable[Unit]) -> list[Unit]:
    """The client units of a wave, checked: internal waves only, active units of its
    organisation."""
    chosen = list(dict.fromkeys(units))
    if chosen and audience != Audience.INTERNAL:
        raise ValidationError({"client_units": _("Only internal waves have client units.")})
    if any(u.organization_id != organization_id for u in chosen):
        raise ValidationError({"client_units": _("Choose units of this organisation.")})
    if any(not u.is_active for u in chosen):
        raise ValidationError({"client_units": _("Choose active units.")})
    return chosen


@transaction.atomic
def open_wave(wave: Wave, *, by: Actor, override_reason: str = "") -> Wave:
    """Open the wave to answers; its questionnaire is locked from now on. An internal wave with
    client units opens once they have all agreed to every attribute of its services; a survey
    manager may open it before with `override_reason`, which the audit log keeps."""
    require_manager(wave.organization_id, by)
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    if locked.status != WaveStatus.DRAFT:
        raise SurveyError(_("Only a draft wave can be opened."))
    if not wave.questionnaire.questions.exists():
        raise SurveyError(_("The questionnaire has no questions."))
    if locked.audience == Audience.INTERNAL:
        from compromiso.surveys.services.validation import check_before_opening

        overridden = check_before_opening(locked, by=by, override_reason=override_reason)
    else:
        overridden = False
    Questionnaire.objects.filter(pk=wave.questionnaire_id).update(is_locked=True)
    wave.status = WaveStatus.OPEN
    wave.save(update_fields=["status", "updated_at"])
    log_action(
        wave,
        "surveys.wave.opened",
        by=by,
        data={"validation_overridden": True} if overridden else None,
    )
    return wave


@transaction.atomic
def close_wave(wave: Wave, *, by: Actor) -> Wave:
    require_manager(wave.organization_id, by)
    if wave.status != WaveStatus.OPEN:
        raise SurveyError(_("Only an open wave can be closed."))
    wave.status = WaveStatus.CLOSED
    wave.save(update_fields=["status", "updated_at"])
    log_action(wave, "surveys.wave.closed", by=by)
    return wave


def is_accepting(wave: Wave, today: dt.date | None = None) -> bool:
    today = today or wave.organization.today()
    return wave.status == WaveStatus.OPEN and wave.opens_on <= today <= wave.closes_on


RAKING_DIMENSIONS = ("channel", "touch_point")


@transaction.atomic
def set_weight_targets(
    wave: Wave, *, by: Actor, targets: Mapping[str, Mapping[int, float]]
) -> Wave:
    """The users' shares (%) by channel and by touch point that the wave's answers are raked
    to. Each dimension given must add up to 100 % and name the organisation's own channels and
    touch points; an empty dimension is not weighted."""
    require_manager(wave.organization_id, by)
    owners = {
        "channel": set(
            Channel.objects.filter(organization_id=wave.organization_id).values_list(
                "pk", flat=True
            )
        ),
        "touch_point": set(
            TouchPoint.objects.filter(organization_id=wave.organization_id).values_list(
                "pk", flat=True
            )
        ),
    }
    cleaned: dict[str, dict[str, float]] = {}
    for dimension, shares in targets.items():
        if dimension not in RAKING_DIMENSIONS:
            raise ValidationError(_("Unknown weighting dimension."))
        given = {int(k): float(v) for k, v in shares.items() if v is not None}
        if not given:
            continue
        if any(k not in owners[dimension] for k in given):
            raise ValidationError(
                {dimension: _("Choose channels and touch points of this organisation.")}
            )
        if any(not 0 <= v <= 100 for v in given.values()):
            raise ValidationError({dimension: _("Each share is between 0 and 100 %.")})
        total = sum(given.values())
        if abs(total - 100) > 0.5:
            raise ValidationError(
                {
                    dimension: _("The shares add up to %(total)s %%, not 100 %%.")
                    % {"total": f"{total:.1f}"}
                }
            )
        cleaned[dimension] = {str(k): v for k, v in given.items()}
    wave.weight_targets = cleaned
    wave.save(update_fields=["weight_targets", "updated_at"])
    log_action(wave, "surveys.wave.weight_targets", by=by, data={"targets": cleaned})
    return wave


MAX_POPULATION = 100_000_000


@transaction.atomic
def set_sample_design(
    wave: Wave, *, by: Actor, margin: Decimal, populations: Mapping[int, int | None]
) -> Wave:
    """The wave's target margin of error and the users of each measured service in the period
    (the service-level strata); a service left without a population has no stratum. Strata by
    touch point, when there are any, are kept."""
    require_manager(wave.organization_id, by)
    if not Decimal("0.005") <= margin <= Decimal("0.5"):
        raise ValidationError({"margin": _("Give a margin of error between 0.5 and 50 %.")})
    measured = set(wave.services.values_list("pk", flat=True))
    if any(pk not in measured for pk in populations):
        raise ValidationError(_("Choose services this wave measures."))
    given = {pk: n for pk, n in populations.items() if n is not None}
    if any(not 1 <= n <= MAX_POPULATION for n in given.values()):
        raise ValidationError(_("Each population is a number of users from 1 to 100,000,000."))
    wave.margin = margin
    wave.save(update_fields=["margin", "updated_at"])
    wave.strata.filter(touch_point__isnull=True).delete()
    Stratum.objects.bulk_create(
        Stratum(wave=wave, service_id=pk, population=n) for pk, n in sorted(given.items())
    )
    log_action(
        wave,
        "surveys.wave.sample_design",
        by=by,
        data={"margin": str(margin), "populations": {str(k): v for k, v in given.items()}},
    )
    return wave
