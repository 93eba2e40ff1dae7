"""Personal invitations: to a list of addresses, to the staff of client units, and their one
reminder."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.catalog.models import Service
from compromiso.core.actors import Actor
from compromiso.core.audit import log_action
from compromiso.core.tasks import enqueue_with_transaction
from compromiso.organizations.models import Membership, Unit
from compromiso.surveys.models import (
    Invitation,
    Wave,
    WaveStatus,
)
from compromiso.surveys.services.access import require_manager
from compromiso.surveys.services.errors import SurveyError


@transaction.atomic
def invite(wave: Wave, *, by: Actor, service: Service, emails: Iterable[str]) -> list[Invitation]:
    """Personal single-use invitations, e-mailed by a background task."""
    require_manager(wave.organization_id, by)
    if wave.status != WaveStatus.OPEN:
        raise SurveyError(_("Invitations are sent for open waves only."))
    if not wave.services.filter(pk=service.pk).exists():
        raise ValidationError({"service": _("This survey does not measure that service.")})
    from django.core.validators import validate_email

    addresses = []
    for raw in emails:
        address = raw.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                {"emails": _("“%(value)s” is not an e-mail address.") % {"value": address[:80]}}
            ) from None
        addresses.append(address)
    if len(addresses) > 5000:
        raise ValidationError({"emails": _("Send at most 5,000 invitations at a time.")})
    made = Invitation.objects.bulk_create(
        Invitation(wave=wave, service=service, email=address)
        for address in dict.fromkeys(addresses)
    )
    log_action(wave, "surveys.wave.invited", by=by, data={"count": len(made)})
    ids = [i.pk for i in made]
    enqueue_invitations(ids)
    return made


@transaction.atomic
def invite_client_units(
    wave: Wave, *, by: Actor, units: Iterable[Unit] | None = None
) -> list[Invitation]:
    """An internal wave: every member of the client units (and their subtrees) is invited once,
    with the unit recorded so the internal-customer matrix can place the answer. Without
    `units`, the wave's client units are invited; a wave that names its client units invites
    only among them."""
    require_manager(wave.organization_id, by)
    if wave.audience != "internal":
        raise SurveyError(_("Only internal waves invite units."))
    if wave.status != WaveStatus.OPEN:
        raise SurveyError(_("Invitations are sent for open waves only."))
    clients = list(wave.client_units.all())
    chosen = clients if units is None else list(units)
    if not chosen:
        raise ValidationError({"units": _("Choose at least one client unit.")})
    if any(u.organization_id != wave.organization_id for u in chosen):
        raise ValidationError({"units": _("Choose units of this organisation.")})
    if clients and any(u not in clients for u in chosen):
        raise ValidationError({"units": _("Choose among the wave's client units.")})
    already = set(wave.invitations.values_list("email", "client_unit_id"))
    made = []
    for unit in chosen:
        members = (
            Membership.objects.filter(unit__path__startswith=unit.path, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
            .distinct()
        )
        for email in members:
            if (email, unit.pk) not in already:
                already.add((email, unit.pk))
                made.append(Invitation(wave=wave, email=email, client_unit=unit))
    Invitation.objects.bulk_create(made)
    log_action(wave, "surveys.wave.invited_units", by=by, data={"count": len(made)})
    ids = [i.pk for i in made]
    enqueue_invitations(ids)
    return made


def enqueue_invitations(ids: list[int]) -> None:
    from compromiso.surveys.tasks import send_invitation

    for invitation_id in ids:
        enqueue_with_transaction(send_invitation, invitation_id=invitation_id)


def remind_invitations(today: dt.date | None = None, *, after_days: int = 5) -> int:
    """Remind, once, whoever has not answered an invitation sent `after_days` ago to a wave still
    open on its organisation's own day (or on `today` when given). Idempotent: run it daily."""
    from compromiso.surveys.tasks import send_invitation

    now = timezone.now()
    # No organisation's day is more than a day from UTC's: read the candidates, then judge each
    # wave's last day on its own organisation's calendar.
    earliest = today or (now - dt.timedelta(days=1)).date()
    due = (
        Invitation.objects.filter(
            used_at__isnull=True,
            reminded_at__isnull=True,
            sent_at__lte=now - dt.timedelta(days=after_days),
            wave__status=WaveStatus.OPEN,
            wave__closes_on__gte=earliest,
        )
        .exclude(email="")
        .select_related("wave__organization")
    )
    count = 0
    for invitation in list(due):
        wave = invitation.wave
        if wave.closes_on < (today or wave.organization.today()):
            continue
        if Invitation.objects.filter(pk=invitation.pk, reminded_at__isnull=True).update(
            reminded_at=now
        ):
            send_invitation.enqueue(invitation_id=invitation.pk, reminder=True)
            count += 1
    return count
