"""The refusal a survey service raises when an action does not fit the state of things."""

from compromiso.core.errors import DomainError


class SurveyError(DomainError):
    pass
