"""The staff home page's panels and figures: each role's work and the organisation at a glance,
contributed by the apps that own them.

The home page lives here, below the apps whose rows it shows, so those apps register a panel
maker when they load (news goes up) instead of this app importing them. A maker returns `None`
when the signed-in member has nothing of that kind to do; it must read a bounded number of rows
(a short list and a link to the full page), never count a whole table.
"""

import dataclasses
from collections.abc import Callable
from typing import Any, TypedDict

from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.organizations.models import Membership, Organization, User

# How many rows a panel lists before linking to the full page.
PANEL_ROWS = 10


@dataclasses.dataclass(frozen=True)
class Panel:
    """A titled block of the home page rendered by its own template."""

    order: int
    template: str
    context: dict[str, Any]


PanelMaker = Callable[[AuthenticatedHttpRequest, Organization, list[Membership]], Panel | None]
_makers: list[PanelMaker] = []


def register_panel(maker: PanelMaker) -> PanelMaker:
    """Add a panel maker (used as a decorator by the apps that own the rows)."""
    if maker not in _makers:
        _makers.append(maker)
    return maker


def panels_for(
    request: AuthenticatedHttpRequest, organization: Organization, memberships: list[Membership]
) -> list[Panel]:
    made = (maker(request, organization, memberships) for maker in _makers)
    return sorted((panel for panel in made if panel is not None), key=lambda panel: panel.order)


class Figure(TypedDict):
    """One figure at a glance."""

    label: str
    value: int


FigureMaker = Callable[[User, Organization], dict[str, Figure]]
_figure_makers: list[FigureMaker] = []


def register_figures(maker: FigureMaker) -> FigureMaker:
    """Add a maker of figures at a glance (used as a decorator by the apps that own the rows);
    it returns them by key, in the order shown, counting only what the user may see."""
    if maker not in _figure_makers:
        _figure_makers.append(maker)
    return maker


def figures_for(user: User, organization: Organization) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    for maker in _figure_makers:
        figures.update(maker(user, organization))
    return figures


LandingMaker = Callable[[AuthenticatedHttpRequest], str | None]
_landing_makers: list[LandingMaker] = []


def register_landing(maker: LandingMaker) -> LandingMaker:
    """Add a maker of the page a signed-in person who belongs to no organisation lands on
    instead of the staff home (e.g. an outside auditor's audits); it returns a URL or None."""
    if maker not in _landing_makers:
        _landing_makers.append(maker)
    return maker


def landing_for(request: AuthenticatedHttpRequest) -> str | None:
    for maker in _landing_makers:
        url = maker(request)
        if url:
            return url
    return None


def first_rows(queryset: Any) -> tuple[list[Any], bool]:
    """The first `PANEL_ROWS` rows and whether there are more (one bounded query)."""
    rows = list(queryset[: PANEL_ROWS + 1])
    return rows[:PANEL_ROWS], len(rows) > PANEL_ROWS
