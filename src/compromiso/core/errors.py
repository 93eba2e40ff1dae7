"""The one exception services raise for a refused change that is not a field error.

Field errors are Django's ValidationError (forms and the API show them per field); a DomainError
carries a stable machine code for the API and a translated message for people.
"""


class DomainError(Exception):
    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
