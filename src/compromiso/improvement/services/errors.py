"""The error an improvement action's refused step raises."""

from compromiso.core.errors import DomainError


class ActionError(DomainError):
    pass
