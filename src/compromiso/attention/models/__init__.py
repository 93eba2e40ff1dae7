"""The attention nouns, one module each: branches with their queues and desks (`branches`), the
procedure directory and front-office agreements (`directory`), visits with their transactions
and events (`visits`), appointments (`appointments`), contacts on other channels (`contacts`)
and imported files (`imports`)."""

from compromiso.attention.models.appointments import (
    Appointment,
    AppointmentStatus,
    SlotPlan,
)
from compromiso.attention.models.branches import (
    Branch,
    BranchQuerySet,
    Desk,
    DeskSession,
    OpeningHours,
    Queue,
    Weekday,
)
from compromiso.attention.models.contacts import (
    Contact,
    ContactInterval,
    ContactKind,
    ContactOutcome,
    ContactSource,
)
from compromiso.attention.models.directory import (
    BranchProcedure,
    FrontOfficeAgreement,
    Procedure,
)
from compromiso.attention.models.facts import (
    VisitDailyFact,
    VisitFactsMark,
)
from compromiso.attention.models.imports import (
    ImportJob,
    ImportKind,
    ImportStatus,
)
from compromiso.attention.models.links import (
    VisitCase,
    VisitSurvey,
)
from compromiso.attention.models.summaries import VisitDaySummary  # -- netfacts
from compromiso.attention.models.visits import (
    CODE_ALPHABET,
    OPEN_VISIT_STATES,
    EventKind,
    Outcome,
    PriorityGroup,
    Rank,
    Transaction,
    Visit,
    VisitEvent,
    VisitSource,
    VisitState,
    follow_code,
)

__all__ = [
    "CODE_ALPHABET",
    "OPEN_VISIT_STATES",
    "Appointment",
    "AppointmentStatus",
    "Branch",
    "BranchProcedure",
    "BranchQuerySet",
    "Contact",
    "ContactInterval",
    "ContactKind",
    "ContactOutcome",
    "ContactSource",
    "Desk",
    "DeskSession",
    "EventKind",
    "FrontOfficeAgreement",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "OpeningHours",
    "Outcome",
    "PriorityGroup",
    "Procedure",
    "Queue",
    "Rank",
    "SlotPlan",
    "Transaction",
    "Visit",
    "VisitCase",
    "VisitDailyFact",
    "VisitDaySummary",
    "VisitEvent",
    "VisitFactsMark",
    "VisitSource",
    "VisitState",
    "VisitSurvey",
    "Weekday",
    "follow_code",
]
