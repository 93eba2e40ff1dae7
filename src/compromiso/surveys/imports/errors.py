"""The refusal of an import as a whole (the file, its mapping or its state)."""

from compromiso.core.errors import DomainError


class SurveyImportError(DomainError):
    pass
