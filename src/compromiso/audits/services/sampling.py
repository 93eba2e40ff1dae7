"""Sampling records: what population, how many, how chosen — drawn reproducibly from a seed by
the pure functions of `audits/sampling.py`, and verifiable by anyone who draws again.

Populations, each read in a stable order (by id) so that the same seed gives the same sample:
- cases received in the audited period (the organisation's days), optionally at one touch point,
  in one unit's subtree or of one kind; strata by touch point or by channel. A drawn case is kept
  as its id and tracking code, never anything about the person;
- the touch points in scope (strata by channel);
- the checklist's items (strata by touch point);
- another population the auditor lists, one key per line (at most 10,000), kept with the record
  so that it can be drawn again.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.audits import sampling
from compromiso.audits.access import can
from compromiso.audits.models import (
    OPEN_AUDIT_STATUSES,
    Audit,
    ChecklistItem,
    Population,
    SamplingMethod,
    SamplingRecord,
)
from compromiso.cases.models import Case, CaseKind
from compromiso.catalog.models import TouchPoint
from compromiso.core.actors import Actor, user_of
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.ids import parse_id
from compromiso.organizations.models import Unit

MAX_KEYS = 10_000
MAX_KEY_LENGTH = 100
MAX_RECORDS = 200
STRATA_BY_TOUCH_POINT = "touch_point"
STRATA_BY_CHANNEL = "channel"
STRATA: dict[str, tuple[str, ...]] = {
    Population.CASES: (STRATA_BY_TOUCH_POINT, STRATA_BY_CHANNEL),
    Population.TOUCH_POINTS: (STRATA_BY_CHANNEL,),
    Population.CHECKLIST: (STRATA_BY_TOUCH_POINT,),
    Population.OTHER: (),
}


class SamplingRecordError(DomainError):
    pass


@dataclass
class PopulationKeys:
    """A population in its stable order: keys, what to show for each, and each one's stratum."""

    keys: list[str]
    labels: dict[str, str] = field(default_factory=dict)
    strata: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.keys)


def read_keys(text: str) -> list[str]:
    """The keys of a pasted list: one per line, blanks dropped, repeats kept once, in order."""
    lines = [line.strip() for line in (text or "").splitlines()]
    keys = [line for line in lines if line]
    if len(keys) > MAX_KEYS:
        raise ValidationError(
            {
                "keys": _(
                    "The list has %(count)s lines: at most %(limit)s keys, one per line. "
                    "Split the population or sample it in parts."
                )
                % {"count": f"{len(keys):,}", "limit": f"{MAX_KEYS:,}"}
            }
        )
    if any(len(key) > MAX_KEY_LENGTH for key in keys):
        raise ValidationError(
            {"keys": _("A key is at most %(count)d characters long.") % {"count": MAX_KEY_LENGTH}}
        )
    return list(dict.fromkeys(keys))


def _period(audit: Audit) -> tuple[dt.datetime, dt.datetime]:
    """The audited period as moments: from the first day's start to the day after the last,
    in the organisation's time zone."""
    zone = audit.organization.zone
    start = dt.datetime.combine(audit.period_start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(audit.period_end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def clean_filters(audit: Audit, raw: dict[str, Any]) -> dict[str, Any]:
    """The case filters, each checked to belong to the audited organisation."""
    filters: dict[str, Any] = {}
    if raw.get("touch_point"):
        pk = parse_id(raw["touch_point"])
        if (
            pk is None
            or not TouchPoint.objects.filter(pk=pk, organization_id=audit.organization_id).exists()
        ):
            raise ValidationError({"touch_point": _("Unknown touch point.")})
        filters["touch_point"] = pk
    if raw.get("unit"):
        pk = parse_id(raw["unit"])
        if (
            pk is None
            or not Unit.objects.filter(pk=pk, organization_id=audit.organization_id).exists()
        ):
            raise ValidationError({"unit": _("Unknown unit.")})
        filters["unit"] = pk
    if raw.get("kind"):
        if raw["kind"] not in CaseKind.values:
            raise ValidationError({"kind": _("Unknown kind of case.")})
        filters["kind"] = raw["kind"]
    return filters


def _cases(audit: Audit, filters: dict[str, Any], strata_by: str) -> PopulationKeys:
    start, end = _period(audit)
    cases = Case.objects.filter(
        organization_id=audit.organization_id, received_at__gte=start, received_at__lt=end
    )
    if "touch_point" in filters:
        cases = cases.filter(touch_point_id=filters["touch_point"])
    if "unit" in filters:
        unit = Unit.objects.get(pk=filters["unit"])
        cases = cases.filter(unit__path__startswith=unit.path)
    if "kind" in filters:
        cases = cases.filter(kind=filters["kind"])
    rows = cases.order_by("pk").values_list(
        "pk", "tracking_code", "touch_point__name", "channel__name"
    )
    population = PopulationKeys(keys=[])
    for pk, code, touch_point, channel in rows:
        key = str(pk)
        population.keys.append(key)
        population.labels[key] = code
        if strata_by == STRATA_BY_TOUCH_POINT:
            population.strata[key] = touch_point or "—"
        elif strata_by == STRATA_BY_CHANNEL:
            population.strata[key] = channel or "—"
    return population


def read_population(
    audit: Audit, population: str, *, filters: dict[str, Any], strata_by: str = ""
) -> PopulationKeys:
    """The population as it stands now, in its stable order."""
    if population == Population.CASES:
        return _cases(audit, filters, strata_by)
    result = PopulationKeys(keys=[])
    if population == Population.TOUCH_POINTS:
        for tp in audit.touch_points.select_related("channel").order_by("pk"):
            key = str(tp.pk)
            result.keys.append(key)
            result.labels[key] = tp.name
            if strata_by == STRATA_BY_CHANNEL:
                result.strata[key] = tp.channel.name
    elif population == Population.CHECKLIST:
        items = ChecklistItem.objects.filter(audit=audit).select_related("touch_point")
        for item in items.order_by("pk"):
            key = str(item.pk)
            result.keys.append(key)
            result.labels[key] = item.text[:80]
            if strata_by == STRATA_BY_TOUCH_POINT:
                result.strata[key] = item.touch_point.name if item.touch_point else "—"
    elif population == Population.OTHER:
        result.keys = [str(key) for key in filters.get("keys", [])]
        result.labels = {key: key for key in result.keys}
    return result


def count_population(audit: Audit, population: str) -> int:
    """How many a population holds now, unfiltered (counted, not read)."""
    if population == Population.CASES:
        start, end = _period(audit)
        return Case.objects.filter(
            organization_id=audit.organization_id, received_at__gte=start, received_at__lt=end
        ).count()
    if population == Population.TOUCH_POINTS:
        return audit.touch_points.count()
    if population == Population.CHECKLIST:
        return ChecklistItem.objects.filter(audit=audit).count()
    return 0


def _items(population: str, drawn: list[str], keys: PopulationKeys) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for key in drawn:
        item: dict[str, Any] = {"key": key, "label": keys.labels.get(key, key)}
        if population == Population.CASES:
            item["pk"] = int(key)
            item["code"] = keys.labels.get(key, "")
        if keys.strata:
            item["stratum"] = keys.strata.get(key, "")
        items.append(item)
    return items


def _resolve_chosen(chosen_text: str, keys: PopulationKeys) -> list[str]:
    """The auditor's picks, each given as a key or as what the list shows (a tracking code)."""
    by_label = {label: key for key, label in keys.labels.items()}
    known = set(keys.keys)
    picked: list[str] = []
    unknown: list[str] = []
    for line in read_keys(chosen_text):
        key = line if line in known else by_label.get(line)
        if key is None:
            unknown.append(line)
        else:
            picked.append(key)
    if unknown:
        raise ValidationError(
            {
                "chosen": _("Not in the population: %(keys)s")
                % {"keys": ", ".join(unknown[:10]) + ("…" if len(unknown) > 10 else "")}
            }
        )
    if not picked:
        raise ValidationError({"chosen": _("List the items you chose, one per line.")})
    return list(dict.fromkeys(picked))


def _check(audit: Audit, by: Actor) -> None:
    if not can(by, audit, "conduct"):
        raise PermissionDenied(_("You do not have permission to do this."))
    if audit.status not in OPEN_AUDIT_STATUSES:
        raise SamplingRecordError(_("This audit is closed."), code="closed")


@transaction.atomic
def draw_sample(
    audit: Audit,
    *,
    by: Actor,
    title: str,
    population: str,
    method: str,
    sample_size: int | None = None,
    seed: int | None = None,
    strata: str = "",
    filters: dict[str, Any] | None = None,
    keys_text: str = "",
    chosen_text: str = "",
    rationale: str = "",
) -> SamplingRecord:
    """Read the population, draw the sample and keep the record with its fingerprint."""
    _check(audit, by)
    if SamplingRecord.objects.filter(audit=audit).count() >= MAX_RECORDS:
        raise SamplingRecordError(
            _("An audit has at most %(count)d sampling records.") % {"count": MAX_RECORDS}
        )
    if population not in Population.values:
        raise ValidationError({"population": _("Choose a population.")})
    if method not in SamplingMethod.values:
        raise ValidationError({"method": _("Choose a method.")})
    if method == SamplingMethod.STRATIFIED:
        if strata not in STRATA[population]:
            raise ValidationError({"strata": _("Choose what the strata are.")})
    else:
        strata = ""
    if seed is None:
        seed = sampling.new_seed()
    if not 0 <= seed <= sampling.MAX_SEED:
        raise ValidationError({"seed": _("The seed is a whole number from 0 to 2⁶³ − 1.")})
    kept_filter: dict[str, Any] = {}
    if population == Population.CASES:
        kept_filter = clean_filters(audit, filters or {})
    elif population == Population.OTHER:
        kept_filter = {"keys": read_keys(keys_text)}
        if not kept_filter["keys"]:
            raise ValidationError({"keys": _("Paste the population's keys, one per line.")})
    keys = read_population(audit, population, filters=kept_filter, strata_by=strata)
    if keys.size == 0:
        raise ValidationError(
            {"population": _("The population is empty: there is nothing to draw.")}
        )
    chosen: list[str] = []
    if method == SamplingMethod.JUDGEMENT:
        chosen = _resolve_chosen(chosen_text, keys)
        kept_filter["chosen"] = chosen
        sample_size = len(chosen)
    if sample_size is None or sample_size < 1:
        raise ValidationError({"sample_size": _("The sample needs at least one item.")})
    if sample_size > keys.size:
        raise ValidationError(
            {
                "sample_size": _(
                    "The sample cannot be larger than the population (%(count)s items)."
                )
                % {"count": f"{keys.size:,}"}
            }
        )
    drawn = sampling.draw(
        method, keys.keys, sample_size, seed, strata=keys.strata or None, chosen=chosen
    )
    record = SamplingRecord(
        audit=audit,
        title=(title or "").strip(),
        population=population,
        population_filter=kept_filter,
        population_size=keys.size,
        sample_size=sample_size,
        method=method,
        strata=strata,
        seed=seed,
        rationale=(rationale or "").strip(),
        items=_items(population, drawn, keys),
        fingerprint=sampling.fingerprint(
            method, keys.keys, sample_size, seed, drawn, strata=keys.strata or None
        ),
        drawn_at=timezone.now(),
        drawn_by=user_of(by),
    )
    record.full_clean(exclude=["audit", "drawn_by"])
    record.save()
    log_action(
        record,
        "audits.sample.drawn",
        by=by,
        data={
            "audit": audit.pk,
            "population": population,
            "population_size": keys.size,
            "sample_size": sample_size,
            "method": method,
            "seed": seed,
            "fingerprint": record.fingerprint,
        },
    )
    return record


@dataclass(frozen=True)
class Verification:
    matches: bool
    fingerprint: str
    population_size: int
    missing: list[str]  # drawn then, not drawn now
    added: list[str]  # drawn now, not drawn then


@transaction.atomic
def verify_sample(record: SamplingRecord, *, by: Actor) -> Verification:
    """Read the population again and draw with the record's seed and method: the same
    fingerprint means the same population gave the same sample."""
    audit = record.audit
    if not can(by, audit, "view"):
        raise PermissionDenied(_("You do not have permission to do this."))
    keys = read_population(
        audit, record.population, filters=record.population_filter, strata_by=record.strata
    )
    drawn: list[str] = []
    fingerprint = ""
    try:
        drawn = sampling.draw(
            record.method,
            keys.keys,
            record.sample_size,
            record.seed,
            strata=keys.strata or None,
            chosen=record.population_filter.get("chosen", []),
        )
        fingerprint = sampling.fingerprint(
            record.method,
            keys.keys,
            record.sample_size,
            record.seed,
            drawn,
            strata=keys.strata or None,
        )
    except sampling.SamplingError:
        pass  # the population shrank below the sample, or lost a chosen key: no match
    then = [str(item["key"]) for item in record.items]
    then_set, now_set = set(then), set(drawn)
    result = Verification(
        matches=fingerprint == record.fingerprint,
        fingerprint=fingerprint,
        population_size=keys.size,
        missing=[key for key in then if key not in now_set],
        added=[key for key in drawn if key not in then_set],
    )
    log_action(record, "audits.sample.verified", by=by, data={"matches": result.matches})
    return result
