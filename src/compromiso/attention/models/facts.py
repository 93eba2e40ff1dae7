"""Daily facts of the branches: what happened to the visits that arrived on one local day, per
branch, queue, service, procedure, desk and hour of arrival, as additive counts and histograms.
The figures and the charter indicators read these rows, never the visits themselves."""

from django.db import models

from compromiso.attention.models.branches import Branch, Desk, Queue
from compromiso.attention.models.directory import Procedure
from compromiso.catalog.models import Service
from compromiso.organizations.models import Organization

# Waits and service times are kept in whole minutes rounded up (0 s → 0, 1–60 s → 1 …), so
# "within N minutes" is exact for whole N; anything longer than CAP minutes is kept as CAP + 1.
HISTOGRAM_CAP = 240


class VisitDailyFact(models.Model):
    """One cell of a day: the service transactions of the visits that arrived on `day` (the
    organisation's local day; a visit crossing midnight stays on its arrival day) in `hour`
    (local, 0–23), in one queue, for one service and procedure, at one desk (empty: never
    called to a desk). A transfer or a second service is a transaction of its own, counted in
    its queue; `visits` counts only the first transaction of each visit."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
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
    desk = models.ForeignKey(
        Desk, null=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+"
    )
    visits = models.PositiveIntegerField(default=0)
    transactions = models.PositiveIntegerField(default=0)  # arrived in the queue
    called = models.PositiveIntegerField(default=0)
    served = models.PositiveIntegerField(default=0)  # service started
    resolved = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    referred = models.PositiveIntegerField(default=0)
    not_resolved = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)  # went away before being served
    transferred = models.PositiveIntegerField(default=0)
    # Called within the queue's service level; left uncalled after waiting longer than it.
    within_level = models.PositiveIntegerField(default=0)
    left_after_level = models.PositiveIntegerField(default=0)
    wait_seconds = models.PositiveBigIntegerField(default=0)  # Σ called − queued, over `called`
    walk_seconds = models.PositiveBigIntegerField(default=0)  # Σ started − called, over `served`
    service_count = models.PositiveIntegerField(default=0)  # started and ended
    service_seconds = models.PositiveBigIntegerField(default=0)  # Σ ended − started − hold
    hold_seconds = models.PositiveBigIntegerField(default=0)
    # {"minutes": count}: waits of the called, service times, waits of those who left uncalled.
    wait_minutes = models.JSONField(default=dict)
    service_minutes = models.JSONField(default=dict)
    left_minutes = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "day"]),
            models.Index(fields=["branch", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.day} {self.hour:02d}h"


class VisitFactsMark(models.Model):
    """When an organisation's facts were last refreshed: the next refresh rebuilds the days of
    the visits changed since then."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.organization_id} {self.refreshed_at:%Y-%m-%d %H:%M}"
