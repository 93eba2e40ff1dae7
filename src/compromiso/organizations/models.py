"""Organisations, their unit tree, staff users and who holds which role where."""

import hashlib
import secrets
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.core import calendar
from compromiso.core.models import TimeStampedModel
from compromiso.core.money import currency_of
from compromiso.core.permissions import Perm, Role, Viewer, scope_for


class User(AbstractUser):
    """A staff member. Citizens never need an account."""

    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class JurisdictionProfile(models.TextChoices):
    """The body of law the organisation answers to: deadlines, charter rules, review periods."""

    CL_PUBLIC = "cl_public", _("Chile — public administration")
    CL_COMPANY = "cl_company", _("Chile — company (consumer law)")
    ES_PUBLIC = "es_public", _("Spain — public administration")
    ES_CATALONIA_PUBLIC = "es_ct_public", _("Catalonia — public administration")
    ES_COMPANY = "es_company", _("Spain — company (customer service law)")
    OTHER = "other", _("Other")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone “%(value)s”."), params={"value": value})


def validate_weekmask(value: str) -> None:
    if len(value) != 7 or set(value) - {"0", "1"} or "1" not in value:
        raise ValidationError(
            _("The working week is seven digits, Monday to Sunday, 1 for a working day.")
        )


class TwoFactorRequirement(models.TextChoices):
    """Who of an organisation's staff must log in with a second factor (an authenticator app)."""

    NOBODY = "nobody", _("Nobody")
    MANAGERS = "managers", _("Administrators and quality managers")
    ALL_STAFF = "all", _("All staff")


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def visible_to(self, user: Viewer) -> "OrganizationQuerySet":
        """The organisations the user is a member of."""
        scope = scope_for(user, Perm.VIEW)
        return self.filter(
            pk__in=set(scope.organization_ids) | set(scope.unit_paths), is_active=True
        )


def new_reference_stamp() -> str:
    return secrets.token_hex(16)


class Organization(TimeStampedModel):
    """The boundary every row belongs to: a public body or a company."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166 code, e.g. CL or ES (holidays).")
    )
    subdivision = models.CharField(
        _("region"),
        max_length=10,
        blank=True,
        help_text=_("ISO 3166-2 region code for regional holidays, e.g. RM or CT."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="es"
    )
    jurisdiction = models.CharField(
        _("jurisdiction profile"),
        max_length=20,
        choices=JurisdictionProfile.choices,
        default=JurisdictionProfile.OTHER,
    )
    office_opens_at = models.TimeField(_("office opens at"), default=time(9, 0))
    office_closes_at = models.TimeField(
        _("office closes at"),
        default=time(17, 0),
        help_text=_("Requests received after this time count from the next business day."),
    )
    weekmask = models.CharField(
        _("working week"),
        max_length=7,
        default="1111100",
        validators=[validate_weekmask],
        help_text=_("Monday to Sunday, 1 for a working day."),
    )
    case_retention_days = models.PositiveIntegerField(
        _("keep requesters' data for (days)"),
        default=1825,
        validators=[MinValueValidator(30), MaxValueValidator(36500)],
        help_text=_(
            "Closed cases are anonymised after this many days: names, contact details, texts "
            "and files are erased; the figures stay."
        ),
    )
    two_factor_required_for = models.CharField(
        _("two-factor log-in required for"),
        max_length=10,
        choices=TwoFactorRequirement.choices,
        default=TwoFactorRequirement.NOBODY,
        help_text=_(
            "Who must confirm each log-in with a code from an authenticator app. Those who have "
            "not set one up are taken to do so right after their password."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Replaced, in the same transaction, whenever a row that intake reads on every case changes
    # (channels, deadline policies, closure days, routing rules): see cases/reference.py. Random,
    # not a counter: a rolled-back change leaves the old stamp, and no number is ever reused.
    reference_stamp = models.CharField(max_length=32, default=new_reference_stamp, editable=False)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(office_opens_at__lt=models.F("office_closes_at")),
                name="organization_office_hours_ordered",
                violation_error_message=_("The office must open before it closes."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def currency(self) -> str:
        """ISO 4217 code of the country's currency (redress amounts): CLP, EUR, MXN…"""
        return currency_of(self.country)

    def clean(self) -> None:
        super().clean()
        try:
            calendar.validate_region(self.country, self.subdivision)
        except calendar.UnknownRegion as error:
            field = "subdivision" if self.subdivision and "subdivision" in str(error) else "country"
            raise ValidationError(
                {field: _("Unknown country or region code: %(error)s") % {"error": error}}
            ) from error

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The organisation's own time zone: every date and time shown to it or computed for it
        (deadlines, day and month boundaries, e-mails, PDFs) is in this zone; storage is UTC."""
        return zoneinfo.ZoneInfo(self.time_zone or "UTC")

    def today(self) -> date:
        """Today's date where the organisation is."""
        return timezone.localdate(timezone=self.zone)

    def local(self, moment: datetime) -> datetime:
        """An aware moment in the organisation's time zone."""
        return timezone.localtime(moment, self.zone)

    def business_calendar(
        self, closed_days: frozenset[date] | None = None
    ) -> calendar.BusinessCalendar:
        """This organisation's calendar: national and regional holidays plus its own closures
        (read from the database unless the caller already has them)."""
        if closed_days is None:
            closed_days = frozenset(self.closure_days.values_list("date", flat=True))
        return calendar.BusinessCalendar(
            country=self.country,
            subdivision=self.subdivision,
            closed_days=closed_days,
            weekmask=self.weekmask,
            time_zone=self.time_zone,
            opens_at=self.office_opens_at,
            closes_at=self.office_closes_at,
        )


@contextmanager
def organization_time(organization: Organization) -> Iterator[None]:
    """Show and compute dates in the organisation's time zone inside the block: e-mails, PDFs
    and background work about one organisation's rows (requests get it from the middleware)."""
    with timezone.override(organization.zone):
        yield


class UnitKind(models.TextChoices):
    AREA = "area", _("Area or department")
    REGION = "region", _("Regional directorate")
    BRANCH = "branch", _("Branch office")


class UnitQuerySet(models.QuerySet["Unit"]):
    def visible_to(self, user: Viewer, perm: Perm = Perm.VIEW) -> "UnitQuerySet":
        """Units in the user's scope: their unit subtrees, or the whole organisation."""
        return scope_for(user, perm).filter(self, path_field="path")

    def active(self) -> "UnitQuerySet":
        return self.filter(is_active=True)

    def subtree_of(self, unit: "Unit") -> "UnitQuerySet":
        """The unit and all units below it."""
        return self.filter(organization_id=unit.organization_id, path__startswith=unit.path)


class Unit(TimeStampedModel):
    """A department, regional directorate or branch office, in a tree per organisation."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=30, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=UnitKind.choices, default=UnitKind.AREA
    )
    is_active = models.BooleanField(_("active"), default=True)
    # "/12/45/": the ids from the root down, so a subtree is one prefix match.
    path = models.CharField(max_length=500, db_index=True, editable=False, default="")

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                condition=~Q(code=""),
                name="unit_code_unique_per_organization",
                violation_error_message=_("Another unit of this organisation has this code."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None:
            return
        parent = self.parent
        assert parent is not None
        if parent.organization_id != self.organization_id:
            raise ValidationError({"parent": _("The parent unit belongs to another organisation.")})
        if self.pk is not None and (parent.pk == self.pk or parent.path.startswith(self.path)):
            raise ValidationError(
                {"parent": _("A unit cannot be placed inside itself or one of its own sub-units.")}
            )

    def ancestors(self) -> list["Unit"]:
        """From the root down to the parent."""
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        by_id = Unit.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]


class MembershipQuerySet(models.QuerySet["Membership"]):
    def visible_to(self, user: Viewer, perm: Perm = Perm.VIEW) -> "MembershipQuerySet":
        """Memberships on units in the user's scope (organisation-wide ones need org scope)."""
        return scope_for(user, perm).filter(self, path_field="unit__path")


class Membership(TimeStampedModel):
    """A user holds a role on a unit (and its subtree), or on the whole organisation."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text=_("Leave empty for the whole organisation."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"],
                condition=Q(unit__isnull=True),
                name="membership_unique_organization_wide",
                violation_error_message=_("This person already has this role here."),
            ),
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=Q(unit__isnull=False),
                name="membership_unique_per_unit",
                violation_error_message=_("This person already has this role here."),
            ),
        ]

    def __str__(self) -> str:
        where = self.unit.name if self.unit_id and self.unit else _("whole organisation")
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self) -> None:
        super().clean()
        if self.unit_id and self.unit and self.unit.organization_id != self.organization_id:
            raise ValidationError({"unit": _("The unit belongs to another organisation.")})


class NetworkMember(models.Model):
    """A network analyst: sees aggregated, anonymised figures across all organisations."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="network_role"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("network analyst")
        verbose_name_plural = _("network analysts")

    def __str__(self) -> str:
        return str(self.user)


class ClosureDay(TimeStampedModel):
    """A day the organisation is closed that the holiday tables lack: a local holiday, a closure."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="closure_days",
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        User,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("closure day")
        verbose_name_plural = _("closure days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "date"],
                name="closure_day_unique_per_organization",
                violation_error_message=_("This day is already in the calendar."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, now: datetime | None = None) -> "ApiTokenQuerySet":
        """Tokens neither revoked nor expired."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal access token for the JSON API, acting as its user inside one organisation.

    Only a hash is stored; the token itself is shown once, when it is created.
    """

    PREFIX = "cmp_"

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def generate_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class SignInOutcome(models.TextChoices):
    SUCCEEDED = "succeeded", _("Signed in")
    FAILED = "failed", _("Failed attempt")
    LOCKED_OUT = "locked_out", _("Locked out")
    SIGNED_OUT = "signed_out", _("Signed out")


class SecondFactor(models.TextChoices):
    NONE = "", _("Password only")
    TOTP = "totp", _("Authenticator code")
    RECOVERY_CODE = "recovery_code", _("Recovery code")
    SECURITY_KEY = "security_key", _("Security key")


class SignIn(models.Model):
    """One sign-in, failed attempt, lock-out or sign-out of a staff account (`sign_ins.py`).

    The address is cut to its network (/24 for IPv4, /48 for IPv6) before it is stored, the
    password is never seen, and rows are deleted after a year by `case_maintenance`."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=SignInOutcome.choices)
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sign_ins",
    )
    # What was typed in the user name box (a failed attempt may name no account).
    username = models.CharField(_("user name"), max_length=150, blank=True)
    network = models.GenericIPAddressField(_("network"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    # The second step of a log-in: the code that confirmed it, or the code that was wrong.
    second_factor = models.CharField(
        _("second factor"), max_length=16, choices=SecondFactor.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="signin_user_at")]

    def __str__(self) -> str:
        return f"{self.username} {self.outcome} {self.at:%Y-%m-%d %H:%M}"


class TotpDevice(models.Model):
    """A staff member's authenticator app (RFC 6238): the shared secret, sealed (`totp.seal`),
    and the last time step a code was accepted for, so no code is accepted twice.

    Not registered in the admin and never exported: the secret is shown once, at enrolment."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="totp_device"
    )
    sealed_secret = models.CharField(max_length=200, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    last_step = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class WebAuthnCredential(models.Model):
    """A security key or passkey a staff member registered as a second factor (WebAuthn,
    `security_keys.py`): its credential id (base64url), its public key (COSE), the signature
    counter it last reported, and how the browser can reach it. Holds no secret."""

    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="webauthn_credentials",
    )
    credential_id = models.CharField(max_length=1400, unique=True, editable=False)
    public_key = models.BinaryField(editable=False)
    sign_count = models.BigIntegerField(default=0, editable=False)
    transports = models.JSONField(default=list, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=60)
    created_at = models.DateTimeField(_("added"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("security key")
        verbose_name_plural = _("security keys")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.user} {self.name}"


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator app (a lost phone). Only its
    SHA-256 is kept; the codes are shown once, when they are made."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "code_hash"], name="recovery_code_unique_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"

    @staticmethod
    def hash(code: str) -> str:
        return hashlib.sha256(code.encode()).hexdigest()
