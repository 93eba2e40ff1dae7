"""What the case services refuse with: domain errors the doors turn into messages."""

from compromiso.cases.models import (
    Case,
)
from compromiso.core.errors import DomainError


class CaseError(DomainError):
    pass


class IdempotencyConflict(CaseError):  # noqa: N818 (reads as the domain says it)
    pass


class AlreadyReceived(Exception):  # noqa: N818 (reads as the domain says it)
    """The submission's intake key already made a case: `case`, returned instead of a second."""

    def __init__(self, case: Case) -> None:
        super().__init__(case.tracking_code)
        self.case = case
