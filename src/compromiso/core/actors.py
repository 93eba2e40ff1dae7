"""Who does a thing: a signed-in person, or the system itself, named.

Every service takes a keyword-only `by=`. A person's permissions are checked (`require`); a
job of the system (a deadline reminder, the demo loader, a requester's own public form) passes
a `SystemActor` that says which part of the system acted. `None` is not an actor: a service
called with `by=None` is refused, so a forgotten argument can never skip the permission check.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compromiso.organizations.models import User


@dataclass(frozen=True)
class SystemActor:
    """The system acting on its own: `name` says which part ("maintenance", "public form")."""

    name: str = "system"

    pk = None  # no user row: the audit entry records `label` instead
    is_authenticated = False
    is_active = False

    @property
    def label(self) -> str:
        return "system" if self.name == "system" else f"system: {self.name}"

    def get_username(self) -> str:
        return self.label

    def __str__(self) -> str:
        return self.label


SYSTEM = SystemActor()
"""Jobs run by the worker or a management command (reminders, maintenance, computations)."""
DEMO = SystemActor("demo")
"""The demo loader."""
PUBLIC = SystemActor("public")
"""A requester or respondent through a public page or e-mail, who holds no account."""

type Actor = User | SystemActor


def is_system(actor: object) -> bool:
    return isinstance(actor, SystemActor)


def user_of(actor: "Actor") -> "User | None":
    """The person behind an actor, for a row's "who" column (None when the system acted)."""
    return None if isinstance(actor, SystemActor) else actor
