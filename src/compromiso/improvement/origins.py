"""Origins held by apps above this one. An action born of, say, an audit finding has an origin
of that kind, but the link to the finding lives in the app that holds findings, which this app
never imports. That app registers, when it loads, a function that describes such an origin for
the action's page: what it is and, for someone allowed to open it, where it is."""

from collections.abc import Callable
from dataclasses import dataclass

from compromiso.core.permissions import Viewer
from compromiso.improvement.models import ActionOrigin


@dataclass(frozen=True)
class OriginLink:
    text: str
    url: str = ""  # empty when the person may not open it


type Describer = Callable[[ActionOrigin, Viewer], list[OriginLink]]

_describers: dict[str, Describer] = {}


def register_origin_describer(kind: str, describe: Describer) -> None:
    """`describe(origin, user)` lists what an origin of `kind` points to."""
    _describers[kind] = describe


def describe_origin(origin: ActionOrigin, user: Viewer) -> list[OriginLink]:
    """What the origin points to, as its app describes it; nothing when no app describes it."""
    describe = _describers.get(origin.kind)
    return describe(origin, user) if describe is not None else []
