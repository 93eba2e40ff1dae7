"""The quality bonus: a staff incentive tied to the increase of user satisfaction (Chile's Ley
20.342 for the Civil Registry; Ley 20.431 sets a path of +1.5, +1.0 and +0.5 points a year).
Each yearly result is recorded once, with the data it used, and never changed. Beside every
target stands the number of responses a wave needs to tell that increase from chance."""

import datetime as dt
import hashlib
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.catalog.models import TouchPoint
from compromiso.core.actors import Actor
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require
from compromiso.insights import netscore
from compromiso.organizations.models import Organization, Unit, User
from compromiso.surveys.figures import bands_of
from compromiso.surveys.models import (
    BonusMetric,
    ImportStatus,
    IncentiveResult,
    IncentiveScheme,
    ScoreCount,
    Wave,
)


class BonusError(DomainError):
    pass


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("“%(value)s” is not a number.") % {"value": value}}
        ) from None
    if not number.is_finite():
        raise ValidationError({field: _("“%(value)s” is not a number.") % {"value": value}})
    return number


def clean_path(path: list[dict[str, Any]]) -> list[dict[str, str | int]]:
    """Years in order, each with a positive increase in points."""
    cleaned: list[dict[str, str | int]] = []
    last = 0
    for step in path:
        try:
            year = int(step["year"])
        except (KeyError, TypeError, ValueError):
            raise ValidationError({"target_path": _("Each step needs its year.")}) from None
        if year <= last or not 2000 <= year <= 2100:
            raise ValidationError({"target_path": _("Give the years once each, in order.")})
        increase = _decimal(step.get("increase"), "target_path")
        if not Decimal(0) < increase <= Decimal(50):
            raise ValidationError(
                {"target_path": _("Each yearly increase is between 0 and 50 points.")}
            )
        cleaned.append({"year": year, "increase": str(increase)})
        last = year
    if not cleaned:
        raise ValidationError({"target_path": _("Give at least one year's target.")})
    return cleaned


def clean_tranches(tranches: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Thresholds of achievement (in % of the target increase) and the share of the bonus each
    earns, highest first."""
    cleaned = []
    for tranche in tranches:
        achievement = _decimal(tranche.get("achievement"), "tranches")
        share = _decimal(tranche.get("share"), "tranches")
        if not (Decimal(0) <= achievement <= Decimal(200) and Decimal(0) <= share <= Decimal(100)):
            raise ValidationError(
                {"tranches": _("Achievement goes from 0 to 200 % and the share from 0 to 100 %.")}
            )
        cleaned.append({"achievement": str(achievement), "share": str(share)})
    if not cleaned:
        raise ValidationError({"tranches": _("Give at least one tranche.")})
    cleaned.sort(key=lambda t: Decimal(t["achievement"]), reverse=True)
    shares = [Decimal(t["share"]) for t in cleaned]
    if shares != sorted(shares, reverse=True):
        raise ValidationError(
            {"tranches": _("A higher achievement cannot earn a smaller share of the bonus.")}
        )
    return cleaned


def targets(scheme: IncentiveScheme) -> list[tuple[int, Decimal, Decimal]]:
    """(year, increase, target value) along the path."""
    value = scheme.baseline_value
    out = []
    for step in scheme.target_path:
        increase = Decimal(str(step["increase"]))
        value += increase
        out.append((int(step["year"]), increase, value))
    return out


def share_for(achievement: Decimal, tranches: list[dict[str, str]]) -> Decimal:
    for tranche in tranches:
        if achievement >= Decimal(tranche["achievement"]):
            return Decimal(tranche["share"])
    return Decimal(0)


def _summary(wave: Wave, scope: Unit | None) -> tuple[netscore.Summary, str]:
    """The wave's overall question over the scheme's scope, and a fingerprint of the data."""
    overall = wave.questionnaire.questions.filter(is_overall=True).first()
    if overall is None:
        raise BonusError(_("The wave's questionnaire has no overall satisfaction question."))
    rows = ScoreCount.objects.filter(wave=wave, question=overall)
    if scope is not None:
        points = TouchPoint.objects.filter(
            organization_id=wave.organization_id, unit__path__startswith=scope.path
        ).values_list("pk", flat=True)
        rows = rows.filter(touch_point_key__in=list(points))
    counts = {
        row["score"]: row["total"]
        for row in rows.values("score").annotate(total=Sum("count")).order_by("score")
    }
    digest = hashlib.sha256(repr(sorted(counts.items())).encode()).hexdigest()
    return netscore.summarise(counts, bands_of(overall)), digest


def _value(summary: netscore.Summary, metric: str) -> tuple[Decimal, Decimal]:
    estimate = summary.net if metric == BonusMetric.NET_SCORE else summary.top_box
    if estimate is None:
        raise BonusError(_("The wave has no answers in the scheme's scope."))
    margin = (estimate.high - estimate.low) / 2
    return (
        Decimal(str(estimate.value)).quantize(Decimal("0.01"), ROUND_HALF_UP),
        Decimal(str(margin)).quantize(Decimal("0.01"), ROUND_HALF_UP),
    )


def _variance(summary: netscore.Summary, metric: str) -> float:
    if summary.n == 0:
        return 1.0
    p_plus = summary.satisfied / summary.n
    if metric == BonusMetric.TOP_BOX:
        return max(p_plus * (1 - p_plus), 0.01)
    p_minus = summary.dissatisfied / summary.n
    return max(netscore.net_variance(p_plus, p_minus), 0.01)


def power_table(scheme: IncentiveScheme) -> list[dict[str, Any]]:
    """For each year: the target and the responses a wave needs to detect that year's increase
    (two-sided 5 % test, 80 % power), against the baseline's n."""
    summary, _digest = _summary(scheme.baseline_wave, scheme.scope_unit)
    variance = _variance(summary, scheme.metric)
    rows = []
    for year, increase, target in targets(scheme):
        needed = netscore.responses_to_detect(float(increase), variance=variance)
        rows.append(
            {
                "year": year,
                "increase": increase,
                "target": target,
                "needed": needed,
                "baseline_n": scheme.baseline_n,
                "detectable": scheme.baseline_n >= needed,
            }
        )
    return rows


@transaction.atomic
def create_scheme(
    organization: Organization,
    *,
    by: Actor,
    title: str,
    baseline_wave: Wave,
    target_path: list[dict[str, Any]],
    tranches: list[dict[str, Any]],
    metric: str = BonusMetric.NET_SCORE,
    legal_basis: str = "",
    scope_unit: Unit | None = None,
    eligibility: str = "",
) -> IncentiveScheme:
    require(by, Perm.MANAGE_SURVEYS, organization_id=organization.pk)
    if baseline_wave.organization_id != organization.pk:
        raise ValidationError({"baseline_wave": _("Choose a wave of this organisation.")})
    if scope_unit is not None and scope_unit.organization_id != organization.pk:
        raise ValidationError({"scope_unit": _("Choose a unit of this organisation.")})
    if metric not in BonusMetric.values:
        raise ValidationError({"metric": _("Choose a metric.")})
    summary, _digest = _summary(baseline_wave, scope_unit)
    value, _margin = _value(summary, metric)
    scheme = IncentiveScheme(
        organization=organization,
        title=title.strip(),
        legal_basis=legal_basis.strip(),
        scope_unit=scope_unit,
        metric=metric,
        baseline_wave=baseline_wave,
        baseline_value=value,
        baseline_n=summary.n,
        target_path=clean_path(target_path),
        tranches=clean_tranches(tranches),
        eligibility=eligibility.strip(),
    )
    scheme.full_clean()
    scheme.save()
    log_action(scheme, "surveys.incentive.created", by=by, data={"baseline": str(value)})
    return scheme


@transaction.atomic
def record_result(scheme: IncentiveScheme, *, year: int, wave: Wave, by: Actor) -> IncentiveResult:
    """Measure one year against its target and record it, once and for ever."""
    require(by, Perm.MANAGE_SURVEYS, organization_id=scheme.organization_id)
    if wave.organization_id != scheme.organization_id:
        raise ValidationError({"wave": _("Choose a wave of this organisation.")})
    path = {y: (increase, target) for y, increase, target in targets(scheme)}
    if year not in path:
        raise ValidationError(
            {"year": _("The scheme sets no target for %(year)s.") % {"year": year}}
        )
    if wave.pk == scheme.baseline_wave_id:
        raise ValidationError({"wave": _("Measure the year with a wave other than the baseline.")})
    summary, digest = _summary(wave, scheme.scope_unit)
    value, margin = _value(summary, scheme.metric)
    increase, target = path[year]
    # The increase asked for this year is measured from the previous year's target.
    start = target - increase
    achievement = (
        Decimal(0)
        if value <= start
        else ((value - start) / increase * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    )
    variance = _variance(summary, scheme.metric)
    needed = netscore.responses_to_detect(float(increase), variance=variance)
    imported = wave.imports.filter(status=ImportStatus.DONE).order_by("-created_at").first()
    result = IncentiveResult(
        scheme=scheme,
        year=year,
        wave=wave,
        data_sha256=imported.sha256 if imported else digest,
        data_description=(
            _("Imported file “%(name)s”") % {"name": imported.file_name}
            if imported
            else _("Score counts of the wave")
        )[:300],
        value=value,
        margin=margin,
        n=summary.n,
        target=target,
        achievement=achievement,
        share=share_for(achievement, scheme.tranches),
        detectable=summary.n >= needed,
        responses_needed=needed,
        recorded_at=timezone.now(),
        recorded_by=by if isinstance(by, User) else None,
    )
    try:
        with transaction.atomic():
            result.save()
    except IntegrityError:
        raise BonusError(
            _("The result of %(year)s is already recorded and cannot change.") % {"year": year}
        ) from None
    log_action(
        scheme,
        "surveys.incentive.result",
        by=by,
        data={"year": year, "value": str(value), "share": str(result.share)},
    )
    return result


def years_open(scheme: IncentiveScheme, today: dt.date | None = None) -> list[int]:
    done = set(scheme.results.values_list("year", flat=True))
    return [year for year, _i, _t in targets(scheme) if year not in done]
