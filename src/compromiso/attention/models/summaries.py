"""Day summaries of the branches: the daily facts (`VisitDailyFact`) rolled up to one row per
organisation × local day × branch × queue × service × procedure, without the hour and the desk,
with the histograms already merged. The network's figures read these (a month of 200 branches
is some 16,000 rows instead of 370,000); a branch's desks and hours still come from the facts.

The histograms are packed, not JSON, so that thousands of rows add up as one vector sum. A
packed array is one byte giving the width of its items (2, 4 or 8: the smallest that holds its
largest value), then the items as little-endian integers (unsigned 16 or 32 bits, signed 64):

- a minute histogram: the counts for 0, 1, 2 … minutes, cut after the last non-zero one
  (empty: no observation), at most `BINS` of them;
- `hours`: one record per hour of arrival with facts that day, `(hour, *HOURLY)`, so that the
  hour-of-day breakdown has its counts and sums;
- `hour_minutes`: the minute histograms of the waits of the called and of the waits of those
  who left uncalled, per hour of arrival, as sparse pairs `(key, count)` by key, with
  `key = (kind × 24 + hour) × BINS + minutes` (kind 0: waits of the called, 1: left uncalled),
  only the non-zero ones — so the hour-of-day breakdown has its wait median, P90 and "within X
  minutes". NULL: a row built before the column existed (`attention_facts --all` fills it);
- `hour_service`: the minute histograms of the service times per hour of arrival, packed the
  same way with kind 0 only (`key = hour × BINS + minutes`), so the hour-of-day breakdown has
  the service time's median and P90 too. NULL: a row built before the column existed."""

from collections.abc import Mapping, Sequence
from struct import pack, unpack

from django.db import models

from compromiso.attention.models.branches import Branch, Queue
from compromiso.attention.models.directory import Procedure
from compromiso.attention.models.facts import HISTOGRAM_CAP
from compromiso.catalog.models import Service
from compromiso.organizations.models import Organization

BINS = HISTOGRAM_CAP + 2  # 0 … CAP minutes, and CAP + 1 for anything longer
# The counters kept per hour of arrival, in this order after the hour.
HOURLY = (
    "visits",
    "transactions",
    "called",
    "served",
    "no_shows",
    "left",
    "transferred",
    "within_level",
    "left_after_level",
    "wait_seconds",
    "service_count",
    "service_seconds",
)
HOUR_RECORD = 1 + len(HOURLY)
# The per-hour histograms kept in `hour_minutes`, in this order (the kind of a key).
HOUR_HISTOGRAMS = ("wait_minutes", "left_minutes")
HOUR_KEYS = len(HOUR_HISTOGRAMS) * 24 * BINS
# The per-hour histogram kept in `hour_service`.
HOUR_SERVICE = ("service_minutes",)


FORMATS = {2: "H", 4: "I", 8: "q"}  # struct codes by width; numpy: <u2, <u4, <i8


def pack_array(values: Sequence[int]) -> bytes:
    """The width byte, then the items; empty for no items."""
    if not values:
        return b""
    top, bottom = max(values), min(values)
    width = 8 if bottom < 0 or top >= 1 << 32 else 4 if top >= 1 << 16 else 2
    return bytes([width]) + pack(f"<{len(values)}{FORMATS[width]}", *values)


def unpack_array(blob: bytes | memoryview) -> tuple[int, ...]:
    data = bytes(blob)
    if not data:
        return ()
    width = data[0]
    return unpack(f"<{(len(data) - 1) // width}{FORMATS[width]}", data[1:])


def pack_histogram(counts: Mapping[int, int] | Mapping[str, int]) -> bytes:
    """{minutes: count} → the counts for 0 … the last minute observed."""
    dense: dict[int, int] = {}
    for key, count in counts.items():
        if count:
            minutes = min(int(key), BINS - 1)
            dense[minutes] = dense.get(minutes, 0) + count
    if not dense:
        return b""
    return pack_array([dense.get(minutes, 0) for minutes in range(max(dense) + 1)])


def unpack_histogram(blob: bytes | memoryview) -> dict[int, int]:
    return {minutes: count for minutes, count in enumerate(unpack_array(blob)) if count}


def pack_hours(hours: Mapping[int, Sequence[int]]) -> bytes:
    """{hour: counters in HOURLY order} → records (hour, *counters), by hour."""
    return pack_array([value for hour in sorted(hours) for value in (hour, *hours[hour])])


def unpack_hours(blob: bytes | memoryview) -> dict[int, dict[str, int]]:
    values = unpack_array(blob)
    return {
        values[i]: dict(zip(HOURLY, values[i + 1 : i + HOUR_RECORD], strict=True))
        for i in range(0, len(values), HOUR_RECORD)
    }


def pack_hour_minutes(
    histograms: Mapping[str, Mapping[int, Mapping[int, int]]],
    kinds: Sequence[str] = HOUR_HISTOGRAMS,
) -> bytes:
    """{kind (one of `kinds`): {hour: {minutes: count}}} → sparse (key, count) pairs, by key;
    minutes over the cap go to the last bin, as in `pack_histogram`."""
    counts: dict[int, int] = {}
    for kind, name in enumerate(kinds):
        for hour, histogram in histograms.get(name, {}).items():
            for minutes, count in histogram.items():
                if count:
                    key = (kind * 24 + hour) * BINS + min(int(minutes), BINS - 1)
                    counts[key] = counts.get(key, 0) + count
    return pack_array([value for key in sorted(counts) for value in (key, counts[key])])


def unpack_hour_minutes(
    blob: bytes | memoryview, kinds: Sequence[str] = HOUR_HISTOGRAMS
) -> dict[str, dict[int, dict[int, int]]]:
    values = unpack_array(blob)
    found: dict[str, dict[int, dict[int, int]]] = {name: {} for name in kinds}
    for i in range(0, len(values), 2):
        key, count = values[i], values[i + 1]
        kind_hour, minutes = divmod(key, BINS)
        kind, hour = divmod(kind_hour, 24)
        found[kinds[kind]].setdefault(hour, {})[minutes] = count
    return found


class VisitDaySummary(models.Model):
    """The facts of one day of one queue of a branch, for one service and procedure: the same
    additive counters as `VisitDailyFact`, summed over hours and desks, the three minute
    histograms merged, the counters per hour of arrival (`hours`), the wait histograms per
    hour of arrival (`hour_minutes`) and the service-time histograms per hour of arrival
    (`hour_service`). Rebuilt with the facts of its day, in the same
    transaction."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    queue = models.ForeignKey(
        Queue, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    service = models.ForeignKey(
        Service, null=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+"
    )
    procedure = models.ForeignKey(
        Procedure, null=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+"
    )
    visits = models.PositiveIntegerField(default=0)
    transactions = models.PositiveIntegerField(default=0)
    called = models.PositiveIntegerField(default=0)
    served = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    referred = models.PositiveIntegerField(default=0)
    not_resolved = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)
    transferred = models.PositiveIntegerField(default=0)
    within_level = models.PositiveIntegerField(default=0)
    left_after_level = models.PositiveIntegerField(default=0)
    wait_seconds = models.PositiveBigIntegerField(default=0)
    walk_seconds = models.PositiveBigIntegerField(default=0)
    service_count = models.PositiveIntegerField(default=0)
    service_seconds = models.PositiveBigIntegerField(default=0)
    hold_seconds = models.PositiveBigIntegerField(default=0)
    wait_minutes = models.BinaryField(default=b"")
    service_minutes = models.BinaryField(default=b"")
    left_minutes = models.BinaryField(default=b"")
    hours = models.BinaryField(default=b"")
    hour_minutes = models.BinaryField(null=True, default=None)
    hour_service = models.BinaryField(null=True, default=None)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "day"]),
            models.Index(fields=["branch", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.day} {self.queue_id}"
