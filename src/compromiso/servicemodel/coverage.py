"""How many staff have acknowledged the service model in force, per unit.

The staff of a unit are the distinct active users holding a membership (any role) on that unit
or on a unit of its subtree. The staff of the whole organisation are the distinct active users
holding any membership in it, organisation-wide memberships included (they count only there).
Coverage = staff who acknowledged the version in force ÷ staff; with no staff it is undefined
(None, shown as "—"), never a division by zero."""

from collections.abc import Iterable
from dataclasses import dataclass

from compromiso.organizations.models import Membership, Organization, Unit
from compromiso.servicemodel.models import Acknowledgement, ServiceModel


@dataclass(frozen=True)
class CoverageRow:
    unit: Unit | None  # None: the whole organisation
    staff: int
    acknowledged: int

    @property
    def share(self) -> float | None:
        return self.acknowledged / self.staff if self.staff else None

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else round(share * 100)


def coverage(
    organization: Organization,
    model: ServiceModel | None,
    units: Iterable[Unit],
    *,
    whole: bool,
) -> list[CoverageRow]:
    """One row per unit given (in their order), after the whole organisation's when `whole`."""
    memberships = list(
        Membership.objects.filter(organization=organization, user__is_active=True).values_list(
            "user_id", "unit__path"
        )
    )
    read: set[int] = set()
    if model is not None:
        read = set(
            Acknowledgement.objects.filter(service_model=model).values_list("user_id", flat=True)
        )
    rows = []
    if whole:
        everyone = {user_id for user_id, _path in memberships}
        rows.append(CoverageRow(None, len(everyone), len(everyone & read)))
    for unit in units:
        staff = {
            user_id
            for user_id, path in memberships
            if path is not None and path.startswith(unit.path)
        }
        rows.append(CoverageRow(unit, len(staff), len(staff & read)))
    return rows
