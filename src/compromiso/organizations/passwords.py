"""Password rules beyond Django's own validators: a password may not contain the name of the
organisation its owner works for (the first thing an attacker tries)."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

MIN_WORD = 5  # shorter words of a name ("de", "del", "City") are too common to forbid


# Django's own validators' help texts, listed so that the project's catalogues keep their
# translations: Django's Catalan catalogue addresses the user familiarly ("la teva contrasenya"),
# where every other page of the staff interface uses the formal "vós".
DJANGO_HELP_TEXTS = (
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
)


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


class OrganizationNameValidator:
    """Refuses a password containing the name, the short name or a long word of the name of an
    organisation the user is a member of (case, spaces and punctuation ignored)."""

    def forbidden_parts(self, user: Any) -> set[str]:
        from compromiso.organizations.models import Organization

        if user is None or getattr(user, "pk", None) is None:
            return set()
        parts: set[str] = set()
        for name, slug in Organization.objects.filter(memberships__user=user).values_list(
            "name", "slug"
        ):
            parts.update({_compact(name), _compact(slug)})
            parts.update(_compact(word) for word in re.split(r"[\W_]+", name))
        return {part for part in parts if len(part) >= MIN_WORD}

    def validate(self, password: str, user: Any = None) -> None:
        typed = _compact(password)
        if any(part in typed for part in self.forbidden_parts(user)):
            raise ValidationError(
                _("The password cannot contain the name of your organisation."),
                code="password_contains_organization_name",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot contain the name of your organisation.")
