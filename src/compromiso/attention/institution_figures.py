"""What an institution sees of a front office that serves its procedures: for one month, the
figures of the institution's own procedures at the front office's branches, and nothing else.

Counted from the `Transaction` rows (one per procedure a visitor asked for) whose procedure
belongs to the institution, at branches of the front office, on the month's local days:

- visits: those transactions;
- served: with a service start;
- wait: first call − joined the queue (research §G, the Qmatic definition);
- served within target: served with wait ≤ the agreement's target minutes;
- share within target = served within target / served × 100 (no data when none was served),
  met when it reaches the agreement's target share;
- median wait: over the served ones, in minutes;
- no-shows and left: transactions that ended so.
"""

import calendar
import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from compromiso.attention.models import FrontOfficeAgreement, Outcome, Procedure, Transaction


@dataclass(frozen=True)
class Figures:
    visits: int
    served: int
    within_target: int
    no_shows: int
    left: int
    median_wait_minutes: float | None
    target_minutes: int
    target_share: Decimal

    @property
    def share_within_target(self) -> Decimal | None:
        if self.served == 0:
            return None
        share = Decimal(self.within_target * 100) / Decimal(self.served)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def met(self) -> bool | None:
        share = self.share_within_target
        return None if share is None else share >= self.target_share


@dataclass(frozen=True)
class ProcedureFigures:
    procedure: Procedure
    figures: Figures


@dataclass(frozen=True)
class AgreementFigures:
    agreement: FrontOfficeAgreement
    first_day: dt.date
    last_day: dt.date
    total: Figures
    procedures: list[ProcedureFigures]


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


type Row = tuple[int, dt.datetime, dt.datetime | None, dt.datetime | None, str]


def figures_of(rows: Iterable[Row], *, target_minutes: int, target_share: Decimal) -> Figures:
    """The figures of some transactions (procedure id, queued, called, started, outcome)."""
    visits = served = within = no_shows = left = 0
    waits: list[float] = []
    limit = dt.timedelta(minutes=target_minutes)
    for _procedure, queued_at, called_at, started_at, outcome in rows:
        visits += 1
        if outcome == Outcome.NO_SHOW:
            no_shows += 1
        elif outcome == Outcome.LEFT:
            left += 1
        if started_at is None:
            continue
        served += 1
        wait = max((called_at or started_at) - queued_at, dt.timedelta(0))
        waits.append(wait / dt.timedelta(minutes=1))
        if wait <= limit:
            within += 1
    return Figures(
        visits=visits,
        served=served,
        within_target=within,
        no_shows=no_shows,
        left=left,
        median_wait_minutes=round(statistics.median(waits), 1) if waits else None,
        target_minutes=target_minutes,
        target_share=target_share,
    )


def agreement_figures(agreement: FrontOfficeAgreement, year: int, month: int) -> AgreementFigures:
    """The month's figures of the institution's procedures at the front office's branches,
    in total and per procedure (every procedure of the agreement, and any other procedure of
    the institution that was served there)."""
    first, last = month_bounds(year, month)
    rows: list[Row] = list(
        Transaction.objects.filter(
            procedure__organization_id=agreement.institution_id,
            visit__branch__organization_id=agreement.front_office_id,
            visit__day__gte=first,
            visit__day__lte=last,
        )
        .order_by()
        .values_list("procedure_id", "queued_at", "called_at", "started_at", "outcome")
    )
    minutes, share = agreement.target_within_minutes, Decimal(agreement.target_share)
    by_procedure: dict[int, list[Row]] = {}
    for row in rows:
        by_procedure.setdefault(row[0], []).append(row)
    listed = {p.pk: p for p in agreement.procedures.all()}
    others = set(by_procedure) - set(listed)
    if others:
        listed.update({p.pk: p for p in Procedure.objects.filter(pk__in=others)})
    per_procedure = [
        ProcedureFigures(
            procedure,
            figures_of(by_procedure.get(pk, []), target_minutes=minutes, target_share=share),
        )
        for pk, procedure in sorted(listed.items(), key=lambda item: (item[1].name, item[0]))
    ]
    return AgreementFigures(
        agreement=agreement,
        first_day=first,
        last_day=last,
        total=figures_of(rows, target_minutes=minutes, target_share=share),
        procedures=per_procedure,
    )
