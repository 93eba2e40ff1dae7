"""Every change to a case, one module per noun: intake, the lifecycle, the legal clock,
taxonomies, attachments, the requester's own steps, redress and routing. Each writes a CaseEvent
(the timeline) and an audit entry; nothing is ever deleted.

Callers import from here (`from compromiso.cases.services import close_case`).
"""

from compromiso.cases.services.attachments import add_attachment
from compromiso.cases.services.clock import (
    compute_due,
    due_with_calendar,
    extend_deadline,
    pauses_of,
    recompute_deadline,
    recompute_open_deadlines,
)
from compromiso.cases.services.errors import AlreadyReceived, CaseError, IdempotencyConflict
from compromiso.cases.services.figures import refresh_facts_later
from compromiso.cases.services.guards import require_action, require_handler, same_organization
from compromiso.cases.services.intake import (
    ANONYMOUS_KINDS,
    CODE_ALPHABET,
    CODE_PREFIX,
    NAMED_UNLESS_ANONYMOUS,
    RESOLVED_RELATIONS,
    case_for_intake_key,
    receive_case,
    remember_intake_key,
    verify_secret,
)
from compromiso.cases.services.lifecycle import (
    acknowledge_case,
    add_note,
    answer_case,
    close_case,
    correct_answer_date,
    derive_case,
    merge_case,
    move_status,
    reopen_case,
    request_information,
    resume_case,
    start_case,
    withdraw_case,
)
from compromiso.cases.services.policies import (
    POLICY_FIELDS,
    install_deadline_presets,
    update_deadline_policy,
)
from compromiso.cases.services.redress import record_redress, redress_guarantees
from compromiso.cases.services.requester import (
    RATING_SALT,
    add_requester_message,
    case_for_rating_token,
    rate_handling,
    rating_token,
    record_verdict,
)
from compromiso.cases.services.routing import (
    PLACEHOLDERS,
    apply_assignment_rules,
    assign_case,
    bulk_assign,
    eligible_assignees,
    organization_handlers,
    render_canned_answer,
)
from compromiso.cases.services.taxonomy import (
    ROOT_CAUSES,
    classify_case,
    install_root_causes,
    save_category,
    save_root_cause,
)

__all__ = [
    "ANONYMOUS_KINDS",
    "CODE_ALPHABET",
    "CODE_PREFIX",
    "NAMED_UNLESS_ANONYMOUS",
    "PLACEHOLDERS",
    "POLICY_FIELDS",
    "RATING_SALT",
    "RESOLVED_RELATIONS",
    "ROOT_CAUSES",
    "AlreadyReceived",
    "CaseError",
    "IdempotencyConflict",
    "acknowledge_case",
    "add_attachment",
    "add_note",
    "add_requester_message",
    "answer_case",
    "apply_assignment_rules",
    "assign_case",
    "bulk_assign",
    "case_for_intake_key",
    "case_for_rating_token",
    "classify_case",
    "close_case",
    "compute_due",
    "correct_answer_date",
    "derive_case",
    "due_with_calendar",
    "eligible_assignees",
    "extend_deadline",
    "install_deadline_presets",
    "install_root_causes",
    "merge_case",
    "move_status",
    "organization_handlers",
    "pauses_of",
    "rate_handling",
    "rating_token",
    "receive_case",
    "recompute_deadline",
    "recompute_open_deadlines",
    "record_redress",
    "record_verdict",
    "redress_guarantees",
    "refresh_facts_later",
    "remember_intake_key",
    "render_canned_answer",
    "reopen_case",
    "request_information",
    "require_action",
    "require_handler",
    "resume_case",
    "same_organization",
    "save_category",
    "save_root_cause",
    "start_case",
    "update_deadline_policy",
    "verify_secret",
    "withdraw_case",
]
