"""Every state change of the audits app, one module per noun; the public doors re-exported here
so callers keep one import (`from compromiso.audits.services import issue_report`)."""

from compromiso.audits.services.remedies import (
    RemedyError,
    can_propose,
    close_finding,
    default_due_date,
    plan_follow_up,
    propose_remedy,
    record_follow_up,
    schedule_follow_up_audit,
    verify_finding,
)
from compromiso.audits.services.reports import (
    ANSWER_WINDOW_BUSINESS_DAYS,
    ReportError,
    answer_window_closes,
    awaiting_answer,
    is_lead,
    issue_problems,
    issue_report,
    save_report,
)

__all__ = [
    "ANSWER_WINDOW_BUSINESS_DAYS",
    "RemedyError",
    "ReportError",
    "answer_window_closes",
    "awaiting_answer",
    "can_propose",
    "close_finding",
    "default_due_date",
    "is_lead",
    "issue_problems",
    "issue_report",
    "plan_follow_up",
    "propose_remedy",
    "record_follow_up",
    "save_report",
    "schedule_follow_up_audit",
    "verify_finding",
]
