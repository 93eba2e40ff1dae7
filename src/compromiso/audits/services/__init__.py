"""Every change of an audit goes through these services (the doors the views and the API use)."""

from compromiso.audits.services.checklists import (
    ChecklistError,
    Generated,
    Saved,
    StaleAnswer,
    add_checklist_item,
    generate_checklist,
    progress,
    save_answer,
)
from compromiso.audits.services.files import check_upload, check_uploads, store_file
from compromiso.audits.services.requests import (
    DueState,
    RequestError,
    add_request,
    answer_request,
    can_answer_request,
    due_state,
    remind_due_requests,
    review_request,
    update_request,
)
from compromiso.audits.services.sampling import (
    SamplingRecordError,
    Verification,
    draw_sample,
    read_keys,
    verify_sample,
)

__all__ = [
    "ChecklistError",
    "DueState",
    "Generated",
    "RequestError",
    "SamplingRecordError",
    "Saved",
    "StaleAnswer",
    "Verification",
    "add_checklist_item",
    "add_request",
    "answer_request",
    "can_answer_request",
    "check_upload",
    "check_uploads",
    "draw_sample",
    "due_state",
    "generate_checklist",
    "progress",
    "read_keys",
    "remind_due_requests",
    "review_request",
    "save_answer",
    "store_file",
    "update_request",
    "verify_sample",
]
