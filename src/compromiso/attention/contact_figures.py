"""ISO 18295-style figures of the contact channels for a period: from contacts logged one by one
(`Contact`) and from a contact centre's interval figures (`ContactInterval`), per channel or
line and per local day of the organisation.

Service level has five conventions in use (research §G; Call Centre Helper, ICMI). With `a`
calls answered, `b` abandoned, `a_T` answered within the threshold T, `b_T` abandoned within T
and `s` short abandons:

1. `(a_T + b_T) / (a + b)` — abandons before T count as met;
2. `a_T / a` — abandons ignored;
3. `a_T / (a + b)` — every abandon counts as missed;
4. `a_T / (a + b − b_T)` — abandons before T left out;
5. `(a_T + s) / (a + b)` — only short abandons count as met.

The page uses convention 3 with short abandons left out of the calls (they never reached a
person): "80 % of the calls answered within 20 seconds" as the Chilean pension regulator's
call-centre standard reads — of the calls that came in, the share answered within 20 s, with
abandonment as a separate limit. Abandoned contacts count against it whatever their time.

Empty groups give no figure (None), never zero."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from compromiso.attention.models import Contact, ContactInterval, ContactKind, ContactOutcome
from compromiso.organizations.models import Organization

CONVENTIONS = (1, 2, 3, 4, 5)
DEFAULT_CONVENTION = 3
DEFAULT_THRESHOLD = 20  # seconds
DEFAULT_SHORT_ABANDON = 5  # seconds


def service_level(
    convention: int,
    *,
    answered: int,
    abandoned: int,
    answered_within: int,
    abandoned_within: int,
    short_abandoned: int = 0,
) -> Decimal | None:
    """The share (0–1) of calls within the threshold by one of the five conventions; None when
    there is nothing to divide by."""
    a, b, a_t, b_t, s = answered, abandoned, answered_within, abandoned_within, short_abandoned
    numerator, denominator = {
        1: (a_t + b_t, a + b),
        2: (a_t, a),
        3: (a_t, a + b),
        4: (a_t, a + b - b_t),
        5: (a_t + s, a + b),
    }[convention]
    if denominator <= 0:
        return None
    return Decimal(numerator) / Decimal(denominator)


def percent(share: Decimal | None) -> Decimal | None:
    """A share as a percentage with one decimal (half up)."""
    if share is None:
        return None
    return (share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def convention_labels() -> dict[int, str]:
    return {
        1: _("(answered within T + abandoned within T) ÷ (answered + abandoned)"),
        2: _("answered within T ÷ answered"),
        3: _("answered within T ÷ (answered + abandoned)"),
        4: _("answered within T ÷ (answered + abandoned after T)"),
        5: _("(answered within T + short abandons) ÷ (answered + abandoned)"),
    }


@dataclass
class Counts:
    """Additive counts of one group; the figures are ratios of them."""

    offered: int = 0
    answered: int = 0
    answered_timed: int = 0  # answered with a known time to answer
    answered_within: int = 0
    abandoned: int = 0
    abandoned_within: int = 0
    short_abandoned: int = 0
    answer_seconds: int = 0
    handled: int = 0  # contacts with a known handling time
    handle_seconds: int = 0
    resolved_first: int = 0
    resolution_known: int = 0

    def add(self, other: "Counts") -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    @property
    def empty(self) -> bool:
        return self.offered == 0

    def service_level(self, convention: int = DEFAULT_CONVENTION) -> Decimal | None:
        if self.answered and not self.answered_timed:
            return None  # answered, but never timed (self-service, e-mail): nothing to measure
        if convention == 5:  # short abandons are what it credits
            return service_level(
                5,
                answered=self.answered_timed,
                abandoned=self.abandoned,
                answered_within=self.answered_within,
                abandoned_within=self.abandoned_within,
                short_abandoned=self.short_abandoned,
            )
        return service_level(
            convention,
            answered=self.answered_timed,
            abandoned=self.abandoned - self.short_abandoned,
            answered_within=self.answered_within,
            abandoned_within=max(self.abandoned_within - self.short_abandoned, 0),
        )

    @property
    def average_speed_of_answer(self) -> Decimal | None:
        if not self.answered_timed:
            return None
        return _one_decimal(self.answer_seconds, self.answered_timed)

    @property
    def abandonment(self) -> Decimal | None:
        """Abandoned (short abandons left out) ÷ (answered + those abandoned)."""
        counted = self.abandoned - self.short_abandoned
        if self.answered + counted <= 0:
            return None
        return Decimal(counted) / Decimal(self.answered + counted)

    @property
    def first_contact_resolution(self) -> Decimal | None:
        if not self.resolution_known:
            return None
        return Decimal(self.resolved_first) / Decimal(self.resolution_known)

    @property
    def average_handling_time(self) -> Decimal | None:
        if not self.handled:
            return None
        return _one_decimal(self.handle_seconds, self.handled)


def _one_decimal(total: int, count: int) -> Decimal:
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Row:
    label: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class Figures:
    start: dt.date
    end: dt.date
    threshold: int
    short_abandon: int
    groups: list[Row]
    days: list[Row]
    total: Counts

    @property
    def empty(self) -> bool:
        return self.total.empty


def _bounds(organization: Organization, start: dt.date, end: dt.date) -> tuple[Any, Any]:
    zone = organization.zone
    low = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return low, high


def _contact_rows(
    organization: Organization, start: dt.date, end: dt.date, threshold: int, short: int
) -> Iterable[tuple[str, dt.date, Counts]]:
    low, high = _bounds(organization, start, end)
    abandoned = Q(outcome=ContactOutcome.ABANDONED)
    answered = ~abandoned
    timed = Q(wait_seconds__isnull=False)
    rows = (
        Contact.objects.filter(organization=organization, started_at__gte=low, started_at__lt=high)
        .annotate(local_day=TruncDate("started_at", tzinfo=organization.zone))
        .values("kind", "channel__name", "local_day")
        .annotate(
            offered=Count("pk"),
            answered=Count("pk", filter=answered),
            answered_timed=Count("pk", filter=answered & timed),
            answered_within=Count("pk", filter=answered & Q(wait_seconds__lte=threshold)),
            abandoned=Count("pk", filter=abandoned),
            abandoned_within=Count("pk", filter=abandoned & Q(wait_seconds__lte=threshold)),
            short_abandoned=Count("pk", filter=abandoned & Q(wait_seconds__lt=short)),
            answer_seconds=Sum("wait_seconds", filter=answered, default=0),
            handled=Count("pk", filter=Q(handle_seconds__isnull=False)),
            handle_seconds=Sum("handle_seconds", default=0),
            resolved_first=Count("pk", filter=Q(first_contact_resolution=True)),
            resolution_known=Count("pk", filter=Q(first_contact_resolution__isnull=False)),
        )
        .order_by()
    )
    kinds = dict(ContactKind.choices)
    for row in rows:
        label = str(kinds.get(row["kind"], row["kind"]))
        if row["channel__name"]:
            label = f"{label} · {row['channel__name']}"
        values: dict[str, Any] = dict(row)
        counts = Counts(**{item.name: values[item.name] or 0 for item in fields(Counts)})
        yield label, row["local_day"], counts


def _interval_rows(
    organization: Organization, start: dt.date, end: dt.date
) -> Iterable[tuple[str, dt.date, Counts]]:
    low, high = _bounds(organization, start, end)
    rows = (
        ContactInterval.objects.filter(
            organization=organization, starts_at__gte=low, starts_at__lt=high
        )
        .annotate(local_day=TruncDate("starts_at", tzinfo=organization.zone))
        .values("line", "local_day")
        .annotate(
            n_offered=Sum("offered"),
            n_answered=Sum("answered"),
            n_answered_within=Sum("answered_within"),
            n_abandoned=Sum("abandoned"),
            n_abandoned_within=Sum("abandoned_within"),
            n_short_abandoned=Sum("short_abandoned"),
            n_answer_seconds=Sum("answer_seconds"),
            n_handle_seconds=Sum("handle_seconds"),
            n_resolved_first=Sum("resolved_first_contact", default=0),
            n_resolution_known=Sum(
                F("answered"), filter=Q(resolved_first_contact__isnull=False), default=0
            ),
        )
        .order_by()
    )
    for row in rows:
        counts = Counts(
            offered=row["n_offered"] or 0,
            answered=row["n_answered"] or 0,
            answered_timed=row["n_answered"] or 0,
            answered_within=row["n_answered_within"] or 0,
            abandoned=row["n_abandoned"] or 0,
            abandoned_within=row["n_abandoned_within"] or 0,
            short_abandoned=row["n_short_abandoned"] or 0,
            answer_seconds=row["n_answer_seconds"] or 0,
            handled=row["n_answered"] or 0,
            handle_seconds=row["n_handle_seconds"] or 0,
            resolved_first=row["n_resolved_first"] or 0,
            resolution_known=row["n_resolution_known"] or 0,
        )
        label = _("Contact centre · %(line)s") % {"line": row["line"] or _("no line")}
        yield label, row["local_day"], counts


def contact_figures(
    organization: Organization,
    start: dt.date,
    end: dt.date,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    short_abandon: int = DEFAULT_SHORT_ABANDON,
) -> Figures:
    """The figures of the local days `start`–`end` (both included): one row per channel (kind
    and channel of logged contacts) or contact-centre line, one per day, and the total.
    Logged contacts are within the threshold when answered in `threshold` seconds or less;
    interval figures bring their own threshold."""
    groups: dict[str, Counts] = {}
    days: dict[dt.date, Counts] = {}
    total = Counts()
    found = [
        *_contact_rows(organization, start, end, threshold, short_abandon),
        *_interval_rows(organization, start, end),
    ]
    for label, day, counts in found:
        groups.setdefault(label, Counts()).add(counts)
        days.setdefault(day, Counts()).add(counts)
        total.add(counts)
    return Figures(
        start=start,
        end=end,
        threshold=threshold,
        short_abandon=short_abandon,
        groups=[Row(label, counts) for label, counts in sorted(groups.items())],
        days=[Row(day.isoformat(), counts) for day, counts in sorted(days.items())],
        total=total,
    )
