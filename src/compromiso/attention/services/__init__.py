"""State changes of attention management, one module per noun; callers import from here."""

from compromiso.attention.services import appointments
from compromiso.attention.services.contacts import record_contact, record_self_service
from compromiso.attention.services.queue import (
    bump,
    call,
    call_next,
    current_step,
    finish,
    hold,
    issue_ticket,
    leave_desk,
    left,
    no_show,
    recall,
    resume,
    sit_at,
    start,
    transfer,
    waiting_in,
)

__all__ = [
    "appointments",
    "bump",
    "call",
    "call_next",
    "current_step",
    "finish",
    "hold",
    "issue_ticket",
    "leave_desk",
    "left",
    "no_show",
    "recall",
    "record_contact",
    "record_self_service",
    "resume",
    "sit_at",
    "start",
    "transfer",
    "waiting_in",
]

# -- directory
from compromiso.attention.services.directory import (
    create_agreement,
    create_procedure,
    set_branch_procedures,
    update_agreement,
    update_procedure,
)

__all__ += [
    "create_agreement",
    "create_procedure",
    "set_branch_procedures",
    "update_agreement",
    "update_procedure",
]
