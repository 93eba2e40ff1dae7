"""Cases: complaints, suggestions, inquiries, compliments and information requests (OIRS,
ISO 10002), their legal deadline policies and the event log every state change writes. One module
per noun; every model is imported here so Django finds it."""

from compromiso.cases.models.attachments import (
    Attachment,
    _attachment_path,  # noqa: F401 (migration 0002 names the upload path here)
)
from compromiso.cases.models.case import (
    OPEN_STATUSES,
    TRANSITIONS,
    Case,
    CaseAction,
    CaseKind,
    CaseQuerySet,
    Priority,
    ReplyChannel,
    Status,
    TextSearchConfigField,
    Verdict,
)
from compromiso.cases.models.events import CaseEvent, EventKind, PendingAnswerNotice
from compromiso.cases.models.facts import CaseDailyFact, DirtyFactDay
from compromiso.cases.models.intake import IntakeKey, PendingAcknowledgement
from compromiso.cases.models.policies import DeadlinePolicy
from compromiso.cases.models.ratings import SCORE, HandlingRating
from compromiso.cases.models.redress import Redress, RedressKind
from compromiso.cases.models.routing import AssignmentRule, CannedAnswer
from compromiso.cases.models.taxonomy import Category, RootCause

__all__ = [
    "OPEN_STATUSES",
    "SCORE",
    "TRANSITIONS",
    "AssignmentRule",
    "Attachment",
    "CannedAnswer",
    "Case",
    "CaseAction",
    "CaseDailyFact",
    "CaseEvent",
    "CaseKind",
    "CaseQuerySet",
    "Category",
    "DeadlinePolicy",
    "DirtyFactDay",
    "EventKind",
    "HandlingRating",
    "IntakeKey",
    "PendingAcknowledgement",
    "PendingAnswerNotice",
    "Priority",
    "Redress",
    "RedressKind",
    "ReplyChannel",
    "RootCause",
    "Status",
    "TextSearchConfigField",
    "Verdict",
]
