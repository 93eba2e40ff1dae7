"""Every change to a case, one module per noun: intake, the lifecycle, the legal clock,
taxonomies, attachments, the requester's own steps, redress and routing. Each writes a CaseEvent
(the timeline) and an audit entry; nothing is ever deleted.

Callers import from here (`from compromiso.cases.services import close_case`).
"""

from compromiso.cases.services.attachments import (
    add_attachment as add_attachment,
)
from compromiso.cases.services.clock import (
    compute_due as compute_due,
)
from compromiso.cases.services.clock import (
    due_with_calendar as due_with_calendar,
)
from compromiso.cases.services.clock import (
    extend_deadline as extend_deadline,
)
from compromiso.cases.services.clock import (
    pauses_of as pauses_of,
)
from compromiso.cases.services.clock import (
    recompute_deadline as recompute_deadline,
)
from compromiso.cases.services.clock import (
    recompute_open_deadlines as recompute_open_deadlines,
)
from compromiso.cases.services.errors import (
    AlreadyReceived as AlreadyReceived,
)
from compromiso.cases.services.errors import (
    CaseError as CaseError,
)
from compromiso.cases.services.errors import (
    IdempotencyConflict as IdempotencyConflict,
)
from compromiso.cases.services.figures import (
    refresh_facts_later as refresh_facts_later,
)
from compromiso.cases.services.guards import (
    require_action as require_action,
)
from compromiso.cases.services.guards import (
    require_handler as require_handler,
)
from compromiso.cases.services.guards import (
    same_organization as same_organization,
)
from compromiso.cases.services.intake import (
    ANONYMOUS_KINDS as ANONYMOUS_KINDS,
)
from compromiso.cases.services.intake import (
    CODE_ALPHABET as CODE_ALPHABET,
)
from compromiso.cases.services.intake import (
    CODE_PREFIX as CODE_PREFIX,
)
from compromiso.cases.services.intake import (
    NAMED_UNLESS_ANONYMOUS as NAMED_UNLESS_ANONYMOUS,
)
from compromiso.cases.services.intake import (
    RESOLVED_RELATIONS as RESOLVED_RELATIONS,
)
from compromiso.cases.services.intake import (
    case_for_intake_key as case_for_intake_key,
)
from compromiso.cases.services.intake import (
    receive_case as receive_case,
)
from compromiso.cases.services.intake import (
    remember_intake_key as remember_intake_key,
)
from compromiso.cases.services.intake import (
    verify_secret as verify_secret,
)
from compromiso.cases.services.lifecycle import (
    acknowledge_case as acknowledge_case,
)
from compromiso.cases.services.lifecycle import (
    add_note as add_note,
)
from compromiso.cases.services.lifecycle import (
    answer_case as answer_case,
)
from compromiso.cases.services.lifecycle import (
    close_case as close_case,
)
from compromiso.cases.services.lifecycle import (
    correct_answer_date as correct_answer_date,
)
from compromiso.cases.services.lifecycle import (
    derive_case as derive_case,
)
from compromiso.cases.services.lifecycle import (
    merge_case as merge_case,
)
from compromiso.cases.services.lifecycle import (
    move_status as move_status,
)
from compromiso.cases.services.lifecycle import (
    reopen_case as reopen_case,
)
from compromiso.cases.services.lifecycle import (
    request_information as request_information,
)
from compromiso.cases.services.lifecycle import (
    resume_case as resume_case,
)
from compromiso.cases.services.lifecycle import (
    start_case as start_case,
)
from compromiso.cases.services.lifecycle import (
    withdraw_case as withdraw_case,
)
from compromiso.cases.services.policies import (
    POLICY_FIELDS as POLICY_FIELDS,
)
from compromiso.cases.services.policies import (
    install_deadline_presets as install_deadline_presets,
)
from compromiso.cases.services.policies import (
    update_deadline_policy as update_deadline_policy,
)
from compromiso.cases.services.redress import (
    record_redress as record_redress,
)
from compromiso.cases.services.requester import (
    RATING_SALT as RATING_SALT,
)
from compromiso.cases.services.requester import (
    add_requester_message as add_requester_message,
)
from compromiso.cases.services.requester import (
    case_for_rating_token as case_for_rating_token,
)
from compromiso.cases.services.requester import (
    rate_handling as rate_handling,
)
from compromiso.cases.services.requester import (
    rating_token as rating_token,
)
from compromiso.cases.services.requester import (
    record_verdict as record_verdict,
)
from compromiso.cases.services.routing import (
    PLACEHOLDERS as PLACEHOLDERS,
)
from compromiso.cases.services.routing import (
    apply_assignment_rules as apply_assignment_rules,
)
from compromiso.cases.services.routing import (
    assign_case as assign_case,
)
from compromiso.cases.services.routing import (
    bulk_assign as bulk_assign,
)
from compromiso.cases.services.routing import (
    eligible_assignees as eligible_assignees,
)
from compromiso.cases.services.routing import (
    render_canned_answer as render_canned_answer,
)
from compromiso.cases.services.taxonomy import (
    ROOT_CAUSES as ROOT_CAUSES,
)
from compromiso.cases.services.taxonomy import (
    classify_case as classify_case,
)
from compromiso.cases.services.taxonomy import (
    install_root_causes as install_root_causes,
)
from compromiso.cases.services.taxonomy import (
    save_category as save_category,
)
from compromiso.cases.services.taxonomy import (
    save_root_cause as save_root_cause,
)
