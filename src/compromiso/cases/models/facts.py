"""Pre-aggregated daily figures of cases and the days waiting to be rebuilt."""

from decimal import Decimal

from django.db import models

from compromiso.cases.models.taxonomy import Category, RootCause
from compromiso.catalog.models import Channel, Service
from compromiso.organizations.models import Organization, Unit


class CaseDailyFact(models.Model):
    """Pre-aggregated figures: what happened to cases on one day, per combination of the
    dimensions analysts filter by. The analytics read these, never the whole case table."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=24)
    channel = models.ForeignKey(
        Channel, null=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+"
    )
    service = models.ForeignKey(
        Service, null=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, null=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+"
    )
    category = models.ForeignKey(
        Category, null=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+"
    )
    root_cause = models.ForeignKey(
        RootCause, null=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+"
    )
    received = models.PositiveIntegerField(default=0)
    acknowledged = models.PositiveIntegerField(default=0)
    acknowledged_on_time = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answered_on_time = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    handling_sum = models.FloatField(default=0)
    outcome_sum = models.FloatField(default=0)
    redress_count = models.PositiveIntegerField(default=0)
    redress_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    # Business days from receipt to answer: {"days": count}, for medians and percentiles.
    answer_days = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["organization", "day"])]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day}"


class DirtyFactDay(models.Model):
    """A day whose facts must be rebuilt before they are read again (a case touching it
    changed). Cheap to write on every change; the analytics and a task clear them."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "day"], name="dirty_fact_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day}"
