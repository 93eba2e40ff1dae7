"""Small builders for the training tests: protocols in force, touch points of a channel kind,
staff members, programmes, and a session held with everyone's results."""

import datetime as dt
from collections.abc import Iterable

from compromiso.catalog.models import Channel
from compromiso.catalog.tests.factories import TouchPointFactory
from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.models import (
    Protocol,
    ProtocolStatus,
    StaffMember,
    StaffRole,
    TrainingProgramme,
)


def protocol(organization, name, kind="in_person", status=ProtocolStatus.ACTIVE):
    return Protocol.objects.create(
        organization=organization, name=name, channel_kind=kind, status=status
    )


def touch_point(organization, unit, kind, name):
    channel = Channel.objects.filter(organization=organization, kind=kind).first()
    if channel is None:
        channel = Channel.objects.create(organization=organization, kind=kind, name=kind)
    return TouchPointFactory(organization=organization, unit=unit, channel=channel, name=name)


def person(
    organization,
    unit,
    code,
    touch_points=(),
    *,
    role=StaffRole.CONTACT,
    manager=False,
    active=True,
):
    member = StaffMember.objects.create(
        organization=organization,
        unit=unit,
        code=code,
        name=code.title(),
        role=role,
        is_manager=manager,
        is_active=active,
    )
    member.touch_points.set(touch_points)
    return member


def programme(organization, name, protocols=(), validity=None):
    created = TrainingProgramme.objects.create(
        organization=organization, name=name, validity_months=validity
    )
    created.covers_protocols.set(protocols)
    return created


def train(
    prog,
    people: Iterable[StaffMember],
    day: dt.date,
    *,
    unit=None,
    failed: Iterable[StaffMember] = (),
    by=SYSTEM,
):
    """A session of `prog` held on `day` by an external provider: everyone attends and
    completes; those in `failed` score 40 and do not pass, the rest score 80 and pass."""
    people = list(people)
    failed_ids = {p.pk for p in failed}
    session = services.plan_session(
        prog,
        by=by,
        unit=unit or people[0].unit,
        starts_on=day,
        external_trainer="Consultora Externa",
        attendees=people,
    )
    results = [
        services.Result(
            attendance_id=a.pk,
            attended=True,
            completed=True,
            score=40 if a.staff_member_id in failed_ids else 80,
            passed=a.staff_member_id not in failed_ids,
        )
        for a in session.attendances.all()
    ]
    services.record_session_results(session, by=by, results=results)
    return session
