"""Redress for a broken service promise, linked to the charter guarantee that promised it."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from compromiso.cases.models import (
    Case,
    CaseEvent,
    EventKind,
    Redress,
)
from compromiso.cases.services.figures import refresh_facts_later
from compromiso.cases.services.guards import person, require_handler
from compromiso.core.actors import Actor
from compromiso.core.audit import log_action

# --- Redress ----------------------------------------------------------------------------------


def redress_guarantees(case: Case) -> QuerySet[Model]:
    """The guarantees of this organisation's published charters (about the case's service, when
    it has one) that a redress may be linked to. The charter app sits above cases: the rows are
    read through the relation `Redress.commitment` declares, never by importing that app."""
    commitment_model = Redress._meta.get_field("commitment").related_model
    assert not isinstance(commitment_model, str)  # resolved once the apps are loaded
    guarantees = commitment_model._default_manager.filter(
        charter__organization_id=case.organization_id,
        charter__status="published",
        is_guarantee=True,
    ).select_related("charter")
    if case.service_id is not None:
        guarantees = guarantees.filter(service_id=case.service_id)
    return guarantees


@transaction.atomic
def record_redress(
    case: Case,
    *,
    by: Actor,
    kind: str,
    breached: bool = True,
    amount: Decimal | int = 0,
    description: str = "",
    commitment: Any = None,
) -> Redress:
    """Record whether a service promise was broken and the redress given for it — linked, when
    a charter guarantee promised it, to that commitment."""
    require_handler(case, by)
    if commitment is not None:
        charter = commitment.charter
        if (
            charter.organization_id != case.organization_id
            or not commitment.is_guarantee
            or charter.status != "published"
        ):
            raise ValidationError(
                {"commitment": _("Choose a guarantee of a published charter of this organisation.")}
            )
        if case.service_id is not None and commitment.service_id != case.service_id:
            raise ValidationError(
                {"commitment": _("That guarantee is about another service than the case.")}
            )
        breached = True
    redress = Redress(
        case=case,
        service=case.service,
        commitment=commitment,
        breached=breached,
        kind=kind,
        amount=amount or 0,
        description=description.strip(),
        recorded_by=person(by),
    )
    redress.full_clean()
    redress.save()
    CaseEvent.objects.create(
        case=case,
        actor=person(by),
        kind=EventKind.REDRESS,
        comment=f"{redress.get_kind_display()} {redress.description}".strip(),
    )
    log_action(
        case,
        "cases.case.redress",
        by=by,
        data={
            "kind": kind,
            "amount": str(redress.amount),
            "breached": breached,
            "commitment": commitment.pk if commitment is not None else None,
        },
    )
    refresh_facts_later(case)
    return redress
