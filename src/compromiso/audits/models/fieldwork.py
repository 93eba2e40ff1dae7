"""The work of an audit (ISO 19011 §6.3–6.4): the information requested from the audited side,
the sampling records, the checklist generated from what the organisation promised and its
answers, the evidence (frozen snapshots of live data, files, observations) and the files behind
all of them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.audits.models._fields import long_text
from compromiso.audits.models.engagement import Audit
from compromiso.audits.models.programme import FrameworkNode
from compromiso.catalog.models import TouchPoint
from compromiso.charters.models import Commitment
from compromiso.organizations.models import Unit
from compromiso.servicemodel.models import ProtocolStep


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PROVIDED = "provided", _("Provided")
    PARTIAL = "partial", _("Partly provided")
    REJECTED = "rejected", _("Not accepted")
    NOT_APPLICABLE = "na", _("Not applicable")


class InformationRequest(models.Model):
    """An item of the information-request list: what the audit team needs, from whom, by when;
    answered by upload."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="requests")
    number = models.PositiveIntegerField(_("number"))
    text = long_text(_("what is requested"), 2000, blank=False)
    criterion = models.CharField(_("criterion"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who answers"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit that answers"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("state"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    answer = long_text(_("answer"))
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewer_note = long_text(_("auditor's note"), 2000)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="information_request_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class Population(models.TextChoices):
    CASES = "cases", _("Cases received in the period")
    TOUCH_POINTS = "touch_points", _("Touch points in scope")
    CHECKLIST = "checklist", _("Checklist items")
    OTHER = "other", _("Another population (listed by the auditor)")


class SamplingMethod(models.TextChoices):
    RANDOM = "random", _("Simple random")
    STRATIFIED = "stratified", _("Stratified random")
    SYSTEMATIC = "systematic", _("Systematic (every k-th)")
    JUDGEMENT = "judgement", _("Judgement")


class SamplingRecord(models.Model):
    """What population, how many and how chosen — drawn reproducibly from a seed, so that anyone
    can draw the same sample again from the same population."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="samples")
    title = models.CharField(_("title"), max_length=200)
    population = models.CharField(_("population"), max_length=14, choices=Population.choices)
    population_filter = models.JSONField(default=dict, blank=True)
    population_size = models.PositiveIntegerField(_("population size"), default=0)
    sample_size = models.PositiveIntegerField(_("sample size"))
    method = models.CharField(_("method"), max_length=12, choices=SamplingMethod.choices)
    strata = models.CharField(_("strata"), max_length=40, blank=True)
    seed = models.BigIntegerField(_("seed"))
    rationale = long_text(_("why this sample"), 2000)
    items = models.JSONField(default=list, blank=True)  # the drawn population keys, in order
    fingerprint = models.CharField(max_length=64, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("sampling record")
        verbose_name_plural = _("sampling records")
        ordering = ["audit", "pk"]

    def __str__(self) -> str:
        return self.title


class ItemSource(models.TextChoices):
    COMMITMENT = "commitment", _("Charter commitment at a touch point")
    PROTOCOL = "protocol", _("Attention protocol step")
    LEGAL = "legal", _("Legal requirement")
    FRAMEWORK = "framework", _("Criteria framework")
    FREE = "free", _("Added by the auditor")


class ChecklistItem(models.Model):
    """One question of the audit's checklist, generated from what the organisation promised (or
    added by hand). `key` makes generation idempotent: regenerating adds only what is new."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="checklist")
    key = models.CharField(max_length=80)
    order = models.PositiveIntegerField(default=0)
    source = models.CharField(_("source"), max_length=10, choices=ItemSource.choices)
    section = models.CharField(_("section"), max_length=200, blank=True)
    text = long_text(_("what to check"), 2000, blank=False)
    guidance = long_text(_("how to check it"), 2000)
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    touch_point = models.ForeignKey(
        TouchPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    protocol_step = models.ForeignKey(
        ProtocolStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    framework_node = models.ForeignKey(
        FrameworkNode, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist")
        ordering = ["audit", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "key"], name="checklist_item_key_once")
        ]

    def __str__(self) -> str:
        return str(self.text[:80])


class AnswerResult(models.TextChoices):
    CONFORM = "conform", _("Conforms")
    PARTIAL = "partial", _("Partly conforms")
    NONCONFORM = "nonconform", _("Does not conform")
    NOT_APPLICABLE = "na", _("Not applicable")
    NOT_ASSESSED = "not_assessed", _("Not assessed")


class Answer(models.Model):
    """The answer to a checklist item. `client_id` makes a resubmission from a phone that lost
    its connection idempotent; `revision` detects two people editing the same answer."""

    item = models.OneToOneField(ChecklistItem, on_delete=models.CASCADE, related_name="answer")
    result = models.CharField(
        _("result"), max_length=12, choices=AnswerResult.choices, default=AnswerResult.NOT_ASSESSED
    )
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    notes = long_text(_("notes"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)
    client_id = models.UUIDField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.result}"


class AnswerSubmission(models.Model):
    """Each submission applied to an answer, by the id its device gave it: a phone that resends
    what it already sent (the reply was lost with the connection) finds its submission here and
    changes nothing. Also the answer's history: the revision each submission produced."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="submissions")
    client_id = models.UUIDField(unique=True)
    revision = models.PositiveIntegerField()
    result = models.CharField(max_length=12, choices=AnswerResult.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("answer submission")
        verbose_name_plural = _("answer submissions")
        ordering = ["answer", "revision"]

    def __str__(self) -> str:
        return f"{self.answer_id} r{self.revision}"


class EvidenceKind(models.TextChoices):
    SNAPSHOT = "snapshot", _("Snapshot of live data")
    FILE = "file", _("Document or file")
    OBSERVATION = "observation", _("Observation")
    INTERVIEW = "interview", _("Interview")


class SnapshotKind(models.TextChoices):
    COMMITMENT = "commitment", _("A commitment's measurements in the period")
    TOUCH_POINT_CASES = "tp_cases", _("The case figures of a touch point")
    SURVEY_SEGMENT = "survey_segment", _("A survey's net score for a segment")
    CASE_SAMPLE = "case_sample", _("A sample of cases drawn by a sampling record")
    PROTOCOL_COMPLIANCE = "protocol", _("Protocol compliance at a touch point")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Evidence(models.Model):
    """Objective evidence. A snapshot freezes what the system knew (`payload`) with the moment
    and a SHA-256 fingerprint of its canonical JSON, so that the report shows what was seen then
    even if the data change later."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="evidence")
    public_id = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=EvidenceKind.choices)
    snapshot_kind = models.CharField(
        _("data"), max_length=16, choices=SnapshotKind.choices, blank=True
    )
    title = models.CharField(_("title"), max_length=200)
    description = long_text(_("description"))
    payload = models.JSONField(default=dict, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    touch_point = models.ForeignKey(
        TouchPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sample = models.ForeignKey(
        SamplingRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    checklist_item = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    review_status = models.CharField(
        _("review"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = long_text(_("review note"), 1000)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["audit", "taken_at", "pk"]
        indexes = [models.Index(fields=["audit", "kind"])]

    def __str__(self) -> str:
        return self.title


def _audit_file_path(instance: "AuditFile", filename: str) -> str:
    return f"audits/{instance.audit_id}/{uuid.uuid4().hex}"


class AuditFile(models.Model):
    """A file uploaded to an audit, checked for its real type and size, kept under a random
    name; it belongs to an information request, an answer or a piece of evidence."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_audit_file_path, max_length=200)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    request = models.ForeignKey(
        InformationRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )

    class Meta:
        verbose_name = _("audit file")
        verbose_name_plural = _("audit files")
        ordering = ["audit", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
