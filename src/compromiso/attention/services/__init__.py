"""State changes of attention management, one module per noun; callers import from here."""

from compromiso.attention.services import appointments
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
    "resume",
    "sit_at",
    "start",
    "transfer",
    "waiting_in",
]
