"""Surveys listen to the apps below them: a closed case may invite its requester to the
post-contact survey."""

from typing import Any

from compromiso.cases.models import Case
from compromiso.cases.signals import case_closed


def connect() -> None:
    case_closed.connect(_invite_after_closed_case, dispatch_uid="surveys.invite_after_case")


def _invite_after_closed_case(sender: Any, *, case: Case, **kwargs: Any) -> None:
    # Runs inside the closing transaction: the invitation is written (and its e-mail enqueued
    # for after the commit) only if the closure commits.
    from compromiso.surveys.services import invite_after_case

    invite_after_case(case)
