"""Satisfaction surveys: versioned questionnaires, waves that measure services over a period,
anonymous responses, and the per-cell score counts that every figure is read from."""

import json
import secrets
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from compromiso.catalog.models import Attribute, Audience, Channel, Service, TouchPoint
from compromiso.core.models import TimeStampedModel
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.models import Organization, Unit, User


def _texts(texts: dict[str, str], fallback: str) -> str:
    language = translation.get_language() or fallback
    return texts.get(language[:2]) or texts.get(fallback) or next(iter(texts.values()), "")


class Questionnaire(TimeStampedModel):
    """A set of questions. Once a wave has opened on it, it is locked: changes go into a new
    version (same lineage), so answers always match the questions asked."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    # The title in the other languages, {"ca": "...", "en": "..."}, as a question's texts.
    titles = models.JSONField(_("title in other languages"), default=dict, blank=True)
    language = models.CharField(_("main language"), max_length=8, choices=settings.LANGUAGES)
    is_locked = models.BooleanField(_("in use (locked)"), default=False)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["title", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="questionnaire_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def display_title(self) -> str:
        """The title in the language of the request, as the questions are shown: the main
        title when there is no translation."""
        return _texts({**(self.titles or {}), self.language[:2]: self.title}, self.language[:2])


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Scale")
    YES_NO = "yes_no", _("Yes / no")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Open text")


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    # {"es": "...", "ca": "...", "en": "..."}
    texts = models.JSONField(_("wording"), default=dict)
    required = models.BooleanField(_("required"), default=True)
    scale_min = models.SmallIntegerField(null=True, blank=True)
    scale_max = models.SmallIntegerField(null=True, blank=True)
    satisfied_min = models.SmallIntegerField(null=True, blank=True)
    dissatisfied_max = models.SmallIntegerField(null=True, blank=True)
    attribute = models.ForeignKey(
        Attribute,
        verbose_name=_("attribute rated"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_overall = models.BooleanField(_("overall satisfaction question"), default=False)
    # A single-choice question whose answer is a segment of the respondents (first visit or not,
    # how often they use the service…): the overall grade is broken down by its options.
    is_segment = models.BooleanField(_("segment of the respondents"), default=False)
    # [{"value": "x", "texts": {"es": "...", ...}}] for single and multiple choice.
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="scale")
                | (
                    Q(scale_min__isnull=False, scale_max__isnull=False)
                    & Q(satisfied_min__isnull=False, dissatisfied_max__isnull=False)
                    & Q(scale_min__lte=models.F("dissatisfied_max"))
                    & Q(dissatisfied_max__lt=models.F("satisfied_min"))
                    & Q(satisfied_min__lte=models.F("scale_max"))
                ),
                name="question_scale_bands_ordered",
                violation_error_message=_(
                    "A scale needs its range and bands: minimum ≤ dissatisfied < satisfied ≤ "
                    "maximum."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _texts(self.texts, self.questionnaire.language)

    @property
    def scale(self) -> list[int]:
        if self.kind != QuestionKind.SCALE or self.scale_min is None or self.scale_max is None:
            return []
        return list(range(self.scale_min, self.scale_max + 1))

    def choice_items(self) -> list[tuple[str, str]]:
        return [
            (str(c["value"]), _texts(c.get("texts", {}), self.questionnaire.language))
            for c in self.choices
        ]


class WaveKind(models.TextChoices):
    BASELINE = "baseline", _("Baseline")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CONTINUOUS = "continuous", _("Continuous")


class WaveStatus(models.TextChoices):
    # A wave's own words (a wave is "medición" in Spanish): not the case inbox's plural filters.
    DRAFT = "draft", pgettext_lazy("wave status", "Draft")
    OPEN = "open", pgettext_lazy("wave status", "Open")
    CLOSED = "closed", pgettext_lazy("wave status", "Closed")


def _token() -> str:
    return secrets.token_urlsafe(12)


class WaveQuerySet(models.QuerySet["Wave"]):
    def visible_to(self, user: User, perm: Perm = Perm.VIEW) -> "WaveQuerySet":
        """Waves of the organisations where the user holds the permission; the results inside
        are further limited to the services the user can see."""
        return scope_for(user, perm).filter(self, organization_wide_if_touched=True)


class Wave(TimeStampedModel):
    """One measurement of some services over a period."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=WaveKind.choices)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.EXTERNAL
    )
    services = models.ManyToManyField(Service, verbose_name=_("services"), related_name="+")
    # Internal waves: the units that use the services. They validate the attributes the provider
    # proposed before the wave opens, and their members are the ones invited.
    client_units = models.ManyToManyField(
        Unit, verbose_name=_("client units"), related_name="+", blank=True
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("compared with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("state"), max_length=8, choices=WaveStatus.choices, default=WaveStatus.DRAFT
    )
    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    margin = models.DecimalField(
        _("target margin of error"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.05"),
        validators=[MinValueValidator(Decimal("0.005")), MaxValueValidator(Decimal("0.5"))],
    )
    min_publish = models.PositiveIntegerField(
        _("fewest responses to show a figure"), default=30, validators=[MinValueValidator(1)]
    )
    # A panel: the invited respondents' answers carry a pseudonymous key (a keyed hash of the
    # address, never the address) so that a follow-up wave can be compared person by person.
    panel = models.BooleanField(
        _("panel (compare the same invited respondents across waves)"), default=False
    )
    # Raking targets: the share (%) of the users of each channel and touch point, by id:
    # {"channel": {"3": 60.0, …}, "touch_point": {…}} (see surveys.figures.raked_total).
    weight_targets = models.JSONField(_("weighting targets"), default=dict, blank=True)

    objects = WaveQuerySet.as_manager()

    class Meta:
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        ordering = ["-opens_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="wave_dates_ordered",
                violation_error_message=_("A wave must close after it opens."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class Stratum(models.Model):
    """A cell of the sample design: a service (optionally at one touch point) with the number of
    users it had in the period; the wave needs a minimum of responses in each."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="strata")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    touch_point = models.ForeignKey(
        TouchPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    population = models.PositiveIntegerField(_("users in the period"))

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.service} {self.touch_point or ''}".strip()

    @property
    def label(self) -> str:
        """The service's name, and the touch point when the stratum has one."""
        return " · ".join(str(part) for part in (self.service.name, self.touch_point) if part)


REVIEW_COMMENT_LIMIT = 1000


class ReviewDecision(models.TextChoices):
    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")
    SUGGEST = "suggest", _("Suggest a change")


class AttributeReview(TimeStampedModel):
    """A client unit's say on one attribute its provider proposed for an internal wave: agreed,
    disagreed or a change suggested. One per wave, attribute and client unit, changeable while the
    wave is a draft. The attribute's wording at the time is kept: an agreement to an attribute
    that was reworded afterwards no longer counts."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="attribute_reviews")
    attribute = models.ForeignKey(
        Attribute, verbose_name=_("attribute"), on_delete=models.PROTECT, related_name="+"
    )
    client_unit = models.ForeignKey(
        Unit, verbose_name=_("client unit"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(
        _("comment"),
        blank=True,
        max_length=REVIEW_COMMENT_LIMIT,
        validators=[MaxLengthValidator(REVIEW_COMMENT_LIMIT)],
    )
    proposed_name = models.CharField(_("proposed wording"), max_length=200, blank=True)
    attribute_name = models.CharField(max_length=200)
    attribute_description = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"))

    class Meta:
        verbose_name = _("attribute review")
        verbose_name_plural = _("attribute reviews")
        ordering = ["wave", "attribute", "client_unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "attribute", "client_unit"], name="attribute_review_once"
            ),
            models.CheckConstraint(
                condition=~Q(decision="disagree") | ~Q(comment=""),
                name="attribute_review_disagreement_explained",
                violation_error_message=_("Say why the unit disagrees."),
            ),
            models.CheckConstraint(
                condition=~Q(decision="suggest") | ~Q(comment="", proposed_name=""),
                name="attribute_review_suggestion_given",
                violation_error_message=_("Write the change the unit suggests."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attribute_name} · {self.get_decision_display()}"


class AttributeProposal(TimeStampedModel):
    """An attribute a client unit misses among those its provider proposed. The provider adds it
    to the service in the catalogue, and the client units then review it like the others."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="attribute_proposals")
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    client_unit = models.ForeignKey(
        Unit, verbose_name=_("client unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("attribute proposed"), max_length=200)
    comment = models.TextField(
        _("comment"),
        blank=True,
        max_length=REVIEW_COMMENT_LIMIT,
        validators=[MaxLengthValidator(REVIEW_COMMENT_LIMIT)],
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attribute proposal")
        verbose_name_plural = _("attribute proposals")
        ordering = ["wave", "service", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "service", "client_unit", "name"],
                name="attribute_proposal_once",
                violation_error_message=_("The unit already proposed this attribute."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class UserType(models.TextChoices):
    CITIZEN = "citizen", _("Member of the public")
    BUSINESS = "business", _("Business or professional")
    STAFF = "staff", _("Staff of another unit")
    OTHER = "other", _("Other")


class AgeBand(models.TextChoices):
    UNDER_30 = "u30", _("Under 30")
    FROM_30 = "30_44", _("30 to 44")
    FROM_45 = "45_64", _("45 to 64")
    OVER_65 = "65", _("65 or over")


class ResponseSource(models.TextChoices):
    WEB = "web", _("Public link")
    KIOSK = "kiosk", _("Kiosk")
    IMPORT = "import", _("Imported")


class GradesField(models.JSONField):
    """A response's grades, question id → score, kept as written: PostgreSQL's json rather than
    jsonb, because a bulk import would spend half its COPY re-encoding them as jsonb, and they
    are only ever read back whole (docs/architecture.md, "Surveys and their figures")."""

    def db_type(self, connection: Any) -> str | None:
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        # psycopg decodes json itself; SQLite hands back the text.
        return value if value is None or not isinstance(value, str) else json.loads(value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if connection.vendor != "postgresql" or value is None:
            return super().get_db_prep_value(value, connection, prepared)
        return json.dumps(value, separators=(",", ":"))


def _fact(to: Any, **options: Any) -> Any:
    """A reference from the response table, which is a fact table: a million-row import cannot
    afford a key look-up per row and reference, so the database keeps no constraint and no
    index on it (the wave's index leads with it). Every reference is taken from the
    organisation's own records by the form or the import, and the referenced rows are never
    deleted: PROTECT is enforced by Django (test_response_storage)."""
    return models.ForeignKey(
        to,
        on_delete=models.PROTECT,
        related_name=options.pop("related_name", "+"),
        db_constraint=False,
        db_index=False,
        **options,
    )


class Response(models.Model):
    """One respondent's answers. Anonymous: contact details only when the respondent agrees to
    be contacted about a low score. The grades of scale questions are kept on the response
    itself (one row per respondent); the other answers are `Answer` rows."""

    wave = _fact(Wave, related_name="responses")
    service = _fact(Service)
    channel = _fact(Channel, null=True, blank=True)
    touch_point = _fact(TouchPoint, null=True, blank=True)
    # Internal waves: the unit the respondent works in (the client of the provider unit).
    client_unit = _fact(Unit, null=True, blank=True)
    user_type = models.CharField(max_length=10, choices=UserType.choices, blank=True)
    age_band = models.CharField(max_length=6, choices=AgeBand.choices, blank=True)
    source = models.CharField(max_length=8, choices=ResponseSource.choices)
    submitted_at = models.DateTimeField()
    grades = GradesField(default=dict, blank=True)
    contact_ok = models.BooleanField(default=False)
    contact_email = models.EmailField(blank=True)
    # Panel waves only: HMAC of the organisation and the invitation's address (see services).
    panel_key = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["wave", "submitted_at"]),
            models.Index(
                fields=["panel_key"], name="response_panel_key", condition=~Q(panel_key="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wave_id} {self.submitted_at:%Y-%m-%d}"

    def grade(self, question_id: int) -> int | None:
        value = self.grades.get(str(question_id))
        return None if value is None else int(value)


class Answer(models.Model):
    """An answer that is not a grade: yes/no and choices (as a list), or open text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])

    class Meta:
        # The latest open answers of a question (the wave page's word counts).
        indexes = [models.Index(fields=["question", "-id"], name="answer_question_latest")]

    def __str__(self) -> str:
        return f"{self.response_id} {self.question_id}"


class ScoreCount(models.Model):
    """How many answers gave `score` to a question, per wave, service, channel, touch point and
    month — additive, kept current on every response, so dashboards never scan raw answers.
    0 stands for "none" in the channel and touch point keys."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    channel_key = models.PositiveIntegerField(default=0)
    touch_point_key = models.PositiveIntegerField(default=0)
    client_unit_key = models.PositiveIntegerField(default=0)
    month = models.DateField()
    score = models.SmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "wave",
                    "question",
                    "service",
                    "channel_key",
                    "touch_point_key",
                    "client_unit_key",
                    "month",
                    "score",
                ],
                name="score_count_cell",
            )
        ]
        indexes = [models.Index(fields=["service", "month"])]

    def __str__(self) -> str:
        return f"{self.question_id}:{self.score}={self.count}"


class SegmentCount(models.Model):
    """How many respondents in a segment gave `score` to the overall question, per wave and
    service — additive like ScoreCount. A segment is a field of the response ("user_type",
    "age_band") or a segment question ("q<id>"), and `value` its answer."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    segment = models.CharField(max_length=20)
    value = models.CharField(max_length=60)
    score = models.SmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "question", "service", "segment", "value", "score"],
                name="segment_count_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.segment}={self.value}:{self.score}={self.count}"


class DriverMoments(models.Model):
    """Sums over a wave's complete responses for one service (every scale question answered):
    how many, each question's total score and each pair's total product. Additive like the score
    counts and kept current with them, they give the correlation matrix that key-driver analysis
    needs, so the wave page never reads raw answers."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    # The questionnaire's scale questions, in order: the rows and columns of the sums.
    questions = models.JSONField(default=list)
    n = models.PositiveBigIntegerField(default=0)
    sums = models.JSONField(default=list)
    products = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "service"], name="driver_moments_cell")
        ]

    def __str__(self) -> str:
        return f"{self.wave_id}/{self.service_id}: {self.n}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded: map the columns")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed: nothing was imported")


class ImportJob(TimeStampedModel):
    """An import of responses from a CSV or XLSX file: the column mapping, the progress, and the
    report of every rejected row and why. Valid rows go in together or not at all."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="imports")
    file = models.FileField(upload_to="survey-imports/")
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    # [[row number, reason], ...]
    rejected = models.JSONField(default=list)
    message = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class Invitation(TimeStampedModel):
    """A personal, single-use link to a wave sent by e-mail (also after a case is closed). The
    response is not linked to it, so answers stay anonymous; the address is erased once used."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    # None: the respondent says which service (internal waves ask about every service used).
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    client_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField(blank=True)
    token = models.CharField(max_length=43, unique=True, default=_token, editable=False)
    case_id_ref = models.PositiveIntegerField(null=True, blank=True, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["wave", "used_at", "reminded_at"])]

    def __str__(self) -> str:
        return f"{self.wave_id} {self.token[:6]}…"


class BonusMetric(models.TextChoices):
    NET_SCORE = "net_score", _("Net satisfaction score (points)")
    TOP_BOX = "top_box", _("% satisfied")


class IncentiveScheme(TimeStampedModel):
    """A staff bonus tied to the increase of user satisfaction (Chile's Ley 20.342, Ley 20.431):
    a baseline, a yearly target path and the share of the bonus each degree of achievement
    earns."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    scope_unit = models.ForeignKey(
        Unit,
        verbose_name=_("scope"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for the whole organisation (national)."),
    )
    metric = models.CharField(
        _("metric"), max_length=10, choices=BonusMetric.choices, default=BonusMetric.NET_SCORE
    )
    baseline_wave = models.ForeignKey(
        Wave, verbose_name=_("baseline wave"), on_delete=models.PROTECT, related_name="+"
    )
    baseline_value = models.DecimalField(_("baseline"), max_digits=6, decimal_places=2)
    baseline_n = models.PositiveIntegerField(default=0)
    # [{"year": 2026, "increase": "1.5"}, ...]: the increase each year over the previous target.
    target_path = models.JSONField(_("target path"), default=list)
    # [{"achievement": 100, "share": 100}, {"achievement": 75, "share": 50}, ...]
    tranches = models.JSONField(_("tranches"), default=list)
    eligibility = models.TextField(
        _("eligibility rules"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000)]
    )

    class Meta:
        verbose_name = _("incentive scheme")
        verbose_name_plural = _("incentive schemes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class IncentiveResult(models.Model):
    """One year's result of a scheme: immutable once recorded, with the data it used."""

    scheme = models.ForeignKey(IncentiveScheme, on_delete=models.PROTECT, related_name="results")
    year = models.PositiveSmallIntegerField()
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="+")
    data_sha256 = models.CharField(max_length=64, blank=True)
    data_description = models.CharField(max_length=300, blank=True)
    value = models.DecimalField(max_digits=6, decimal_places=2)
    margin = models.DecimalField(max_digits=6, decimal_places=2)
    n = models.PositiveIntegerField()
    target = models.DecimalField(max_digits=6, decimal_places=2)
    achievement = models.DecimalField(max_digits=7, decimal_places=1)
    share = models.DecimalField(max_digits=5, decimal_places=1)
    detectable = models.BooleanField()
    responses_needed = models.PositiveIntegerField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "year"], name="incentive_result_once")
        ]

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.year}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("incentive results are immutable")
        super().save(*args, **kwargs)


class KioskQuerySet(models.QuerySet["Kiosk"]):
    def active(self) -> "KioskQuerySet":
        return self.filter(revoked_at__isnull=True)


class Kiosk(TimeStampedModel):
    """A device (a tablet at a counter) that staff enrolled as a survey kiosk for one touch
    point. The device holds a random key in a cookie; only its hash is kept here. An enrolled
    kiosk answers with its own, higher rate limit; the kiosk link on any other device is limited
    like the public page. Revoking it makes the device an ordinary visitor."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    touch_point = models.ForeignKey(
        TouchPoint, verbose_name=_("touch point"), on_delete=models.PROTECT, related_name="+"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = KioskQuerySet.as_manager()

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name
