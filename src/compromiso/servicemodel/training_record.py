"""A person's training record, read on their staff page: competences (and whether each has
lapsed), the sessions they were enrolled in with their results, their trainer certifications,
and the days since their last refresh (the same rule as the figures in `training_coverage`:
`on` − the latest `achieved_on <= on` of any of their competences; None when they have none)."""

import datetime as dt
from dataclasses import dataclass

from compromiso.servicemodel.models import (
    Attendance,
    Competence,
    StaffMember,
    TrainerCertification,
)


@dataclass(frozen=True)
class CompetenceRow:
    competence: Competence
    lapsed: bool  # no longer counts on the day of the record


@dataclass(frozen=True)
class TrainingRecord:
    on: dt.date
    competences: list[CompetenceRow]
    attendances: list[Attendance]
    certifications: list[TrainerCertification]
    days_since_refresh: int | None


def days_since_refresh(achieved: list[dt.date], on: dt.date) -> int | None:
    done = [day for day in achieved if day <= on]
    return (on - max(done)).days if done else None


def training_record(member: StaffMember, on: dt.date) -> TrainingRecord:
    competences = list(
        Competence.objects.filter(staff_member=member)
        .select_related("programme")
        .order_by("-achieved_on", "pk")
    )
    attendances = list(
        Attendance.objects.filter(staff_member=member)
        .select_related("session__programme", "session__unit")
        .order_by("-session__starts_on", "-pk")
    )
    certifications = list(
        TrainerCertification.objects.filter(staff_member=member)
        .select_related("programme", "certified_by__staff_member")
        .order_by("-certified_on", "-pk")
    )
    return TrainingRecord(
        on=on,
        competences=[CompetenceRow(c, not c.is_valid_on(on)) for c in competences],
        attendances=attendances,
        certifications=certifications,
        days_since_refresh=days_since_refresh([c.achieved_on for c in competences], on),
    )
