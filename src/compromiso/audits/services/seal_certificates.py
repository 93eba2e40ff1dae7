"""Every change of the certification: the certification bodies, a certificate in preparation
with its scope, the external assessments the body makes (initial, yearly surveillance, renewal),
granting and renewing the certificate, and suspending, reinstating or withdrawing it. All of it
needs `MANAGE_AUDITS`.

The verification matrix is frozen, as JSON with its SHA-256, into every review when it is
recorded and into the certificate when it is granted or renewed, so what the body saw never
changes afterwards. The window the matrix reads: for a review and a renewal, from the start of
the current cycle (the twelve months before, for a certificate not granted yet) to the day of
the review or the grant; for the initial grant, the twelve months before it."""

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.audits.models import (
    CYCLE_YEARS,
    Certificate,
    CertificateReview,
    CertificateStatus,
    CertificationBody,
    Framework,
    FrameworkKind,
    FrameworkNode,
    Rating,
    ReviewKind,
    ReviewResult,
    SelfAssessment,
)
from compromiso.audits.seal import Matrix, certificate_matrix
from compromiso.audits.services.seal import SealError
from compromiso.catalog.models import Service, TouchPoint
from compromiso.charters.periods import add_years
from compromiso.core.actors import Actor, user_of
from compromiso.core.audit import log_action
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization

NUMBER_PATTERN = re.compile(r"[A-Z0-9](?:[A-Z0-9-]{1,38}[A-Z0-9])?")
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed again


def normalise_number(value: str) -> str:
    return value.strip().upper()


def is_number(value: str) -> bool:
    return bool(NUMBER_PATTERN.fullmatch(value))


def frozen(matrix: Matrix) -> tuple[dict[str, Any], str]:
    """The matrix as JSON and the SHA-256 of its canonical form (sorted keys, no spaces)."""
    payload = matrix.to_json()
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return payload, hashlib.sha256(canonical.encode()).hexdigest()


def fingerprint_matches(payload: Mapping[str, Any], sha256: str) -> bool:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest() == sha256


def _require(organization_id: int, by: Actor) -> None:
    require(by, Perm.MANAGE_AUDITS, organization_id=organization_id)


# — Certification bodies —


@transaction.atomic
def save_certification_body(
    organization: Organization,
    *,
    by: Actor,
    name: str,
    accreditation: str = "",
    website: str = "",
    body: CertificationBody | None = None,
) -> CertificationBody:
    _require(organization.pk, by)
    if body is not None and body.organization_id != organization.pk:
        raise ValidationError({"name": _("This body belongs to another organisation.")})
    row = body or CertificationBody(organization=organization)
    row.name = name.strip()
    row.accreditation = accreditation.strip()
    row.website = website.strip()
    row.full_clean()
    row.save()
    log_action(
        row,
        "audits.certification_body.saved",
        by=by,
        data={"created": body is None, "name": row.name},
    )
    return row


# — Certificates —


def _clean_scope(
    organization: Organization,
    touch_points: Iterable[TouchPoint],
    services: Iterable[Service],
) -> tuple[list[TouchPoint], list[Service]]:
    points = list(touch_points)
    offered = list(services)
    if any(p.organization_id != organization.pk for p in points):
        raise ValidationError({"touch_points": _("Choose touch points of this organisation.")})
    if any(s.organization_id != organization.pk for s in offered):
        raise ValidationError({"services": _("Choose services of this organisation.")})
    return points, offered


@transaction.atomic
def create_certificate(
    organization: Organization,
    *,
    by: Actor,
    framework: Framework,
    body: CertificationBody,
    scope: str,
    touch_points: Iterable[TouchPoint] = (),
    services: Iterable[Service] = (),
    assessment: SelfAssessment | None = None,
) -> Certificate:
    """A certificate in preparation: what the body is asked to certify."""
    _require(organization.pk, by)
    if framework.organization_id != organization.pk or framework.kind != FrameworkKind.SEAL:
        raise ValidationError({"framework": _("Choose a seal framework of this organisation.")})
    if body.organization_id != organization.pk:
        raise ValidationError({"body": _("Choose a certification body of this organisation.")})
    if assessment is not None and assessment.organization_id != organization.pk:
        raise ValidationError({"assessment": _("Choose a self-assessment of this organisation.")})
    points, offered = _clean_scope(organization, touch_points, services)
    certificate = Certificate(
        organization=organization,
        framework=framework,
        body=body,
        assessment=assessment,
        scope=scope.strip(),
    )
    certificate.full_clean()
    certificate.save()
    certificate.touch_points.set(points)
    certificate.services.set(offered)
    log_action(
        certificate,
        "audits.certificate.created",
        by=by,
        data={
            "framework": framework.pk,
            "body": body.pk,
            "touch_points": sorted(p.pk for p in points),
            "services": sorted(s.pk for s in offered),
        },
    )
    return certificate


@transaction.atomic
def update_certificate_scope(
    certificate: Certificate,
    *,
    by: Actor,
    scope: str,
    touch_points: Iterable[TouchPoint] = (),
    services: Iterable[Service] = (),
) -> Certificate:
    """Change what is to be certified; only before it is granted (afterwards the scope is what
    the body certified, and a new scope needs a renewal)."""
    _require(certificate.organization_id, by)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != CertificateStatus.PENDING:
        raise SealError(_("The scope of a granted certificate cannot change."))
    points, offered = _clean_scope(certificate.organization, touch_points, services)
    certificate.scope = scope.strip()
    certificate.full_clean()
    certificate.save(update_fields=["scope", "updated_at"])
    certificate.touch_points.set(points)
    certificate.services.set(offered)
    log_action(certificate, "audits.certificate.scope_changed", by=by)
    return certificate


def _window(certificate: Certificate, on: dt.date) -> tuple[dt.date, dt.date]:
    if certificate.cycle_start is not None and certificate.cycle_start <= on:
        return certificate.cycle_start, on
    return add_years(on, -1) + dt.timedelta(days=1), on


def _clean_ratings(certificate: Certificate, ratings: Mapping[str, str]) -> dict[str, str]:
    refs = set(
        FrameworkNode.objects.filter(
            framework_id=certificate.framework_id, assessable=True
        ).values_list("ref", flat=True)
    )
    cleaned = {}
    for ref, rating in ratings.items():
        if ref not in refs or rating not in Rating.values:
            raise ValidationError({"ratings": _("A rating names an unknown element or level.")})
        if rating != Rating.NOT_RATED:
            cleaned[ref] = rating
    return cleaned


@transaction.atomic
def record_review(
    certificate: Certificate,
    *,
    by: Actor,
    kind: str,
    date: dt.date,
    result: str,
    assessor: str,
    notes: str = "",
    ratings: Mapping[str, str] | None = None,
) -> CertificateReview:
    """Record the body's external assessment, with the matrix frozen as it stands now."""
    _require(certificate.organization_id, by)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    today = certificate.organization.today()
    if kind not in ReviewKind.values:
        raise ValidationError({"kind": _("Choose a kind of assessment.")})
    if result not in ReviewResult.values:
        raise ValidationError({"result": _("Choose a result.")})
    if date > today:
        raise ValidationError({"date": _("An assessment cannot be recorded before it happens.")})
    if certificate.status == CertificateStatus.WITHDRAWN:
        raise SealError(_("A withdrawn certificate has no more assessments."))
    if kind == ReviewKind.INITIAL and certificate.status != CertificateStatus.PENDING:
        raise SealError(_("The initial assessment comes before the certificate is granted."))
    if kind != ReviewKind.INITIAL and not certificate.is_granted:
        raise SealError(_("Surveillance and renewal come after the certificate is granted."))
    if certificate.issued_on is not None and date < certificate.issued_on:
        raise ValidationError({"date": _("This date is before the certificate was issued.")})
    payload, digest = frozen(
        certificate_matrix(certificate, start=_window(certificate, date)[0], end=date, today=today)
    )
    review = CertificateReview(
        certificate=certificate,
        kind=kind,
        date=date,
        result=result,
        assessor=assessor.strip(),
        notes=notes.strip(),
        ratings=_clean_ratings(certificate, ratings or {}),
        matrix=payload,
        matrix_sha256=digest,
        recorded_by=user_of(by),
        recorded_at=timezone.now(),
    )
    review.full_clean()
    review.save()
    log_action(
        certificate,
        "audits.certificate.review_recorded",
        by=by,
        data={"review": review.pk, "kind": kind, "result": result, "matrix_sha256": digest},
    )
    return review


def _positive(certificate: Certificate, kind: str, since: dt.date | None) -> bool:
    latest = (
        certificate.reviews.filter(kind=kind)
        .filter(**({"date__gte": since} if since else {}))
        .order_by("-date", "-pk")
        .first()
    )
    return latest is not None and latest.is_positive


def _new_number(organization: Organization, year: int) -> str:
    prefix = re.sub(r"[^A-Z0-9]", "", organization.slug.upper())[:6] or "SEAL"
    while True:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        number = f"{prefix}-{year}-{code}"
        if not Certificate.objects.filter(number=number).exists():
            return number


@transaction.atomic
def grant_certificate(
    certificate: Certificate, *, by: Actor, issued_on: dt.date, number: str = ""
) -> Certificate:
    """Grant (or renew) the certificate for three years from `issued_on`, once the body's
    initial (or renewal) assessment is recorded with a positive result. The number is the
    body's, when given, or one made up here; a renewal keeps the number."""
    _require(certificate.organization_id, by)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    today = certificate.organization.today()
    if issued_on > today:
        raise ValidationError({"issued_on": _("A certificate cannot be issued in the future.")})
    renewal = certificate.status != CertificateStatus.PENDING
    if certificate.status == CertificateStatus.WITHDRAWN:
        raise SealError(_("A withdrawn certificate cannot be granted again."))
    if renewal:
        assert certificate.cycle_start is not None
        if not _positive(certificate, ReviewKind.RENEWAL, certificate.cycle_start):
            raise SealError(
                _("Record the body's renewal assessment, with a positive result, first.")
            )
        if issued_on < certificate.cycle_start:
            raise ValidationError({"issued_on": _("A renewal cannot start before the cycle.")})
    elif not _positive(certificate, ReviewKind.INITIAL, None):
        raise SealError(_("Record the body's initial assessment, with a positive result, first."))
    if not renewal:
        wanted = normalise_number(number)
        if wanted and not is_number(wanted):
            raise ValidationError(
                {"number": _("Use capital letters, digits and hyphens (3 to 40).")}
            )
        if wanted and Certificate.objects.filter(number=wanted).exclude(pk=certificate.pk).exists():
            raise ValidationError({"number": _("Another certificate has this number.")})
        certificate.number = wanted or _new_number(certificate.organization, issued_on.year)
        certificate.issued_on = issued_on
    start, _end = _window(certificate, issued_on)
    payload, digest = frozen(
        certificate_matrix(certificate, start=start, end=issued_on, today=today)
    )
    certificate.cycle_start = issued_on
    certificate.valid_until = add_years(issued_on, CYCLE_YEARS) - dt.timedelta(days=1)
    certificate.status = CertificateStatus.ACTIVE
    certificate.status_reason = ""
    certificate.status_changed_at = timezone.now()
    certificate.matrix = payload
    certificate.matrix_sha256 = digest
    certificate.granted_by = user_of(by)
    certificate.full_clean()
    certificate.save()
    log_action(
        certificate,
        "audits.certificate.renewed" if renewal else "audits.certificate.granted",
        by=by,
        data={
            "number": certificate.number,
            "issued_on": issued_on.isoformat(),
            "valid_until": certificate.valid_until.isoformat(),
            "matrix_sha256": digest,
        },
    )
    return certificate


def _change_status(
    certificate: Certificate,
    *,
    by: Actor,
    to: str,
    allowed_from: Iterable[str],
    reason: str,
    action: str,
    refusal: str,
) -> Certificate:
    _require(certificate.organization_id, by)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status not in set(allowed_from):
        raise SealError(refusal)
    before = certificate.status
    certificate.status = to
    certificate.status_reason = reason.strip()
    certificate.status_changed_at = timezone.now()
    certificate.full_clean()
    certificate.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    log_action(
        certificate, action, by=by, data={"from": before, "to": to, "reason": reason.strip()}
    )
    return certificate


def _reason(reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why.")})


@transaction.atomic
def suspend_certificate(certificate: Certificate, *, by: Actor, reason: str) -> Certificate:
    _reason(reason)
    return _change_status(
        certificate,
        by=by,
        to=CertificateStatus.SUSPENDED,
        allowed_from=[CertificateStatus.ACTIVE],
        reason=reason,
        action="audits.certificate.suspended",
        refusal=_("Only a granted certificate can be suspended."),
    )


@transaction.atomic
def reinstate_certificate(certificate: Certificate, *, by: Actor, reason: str = "") -> Certificate:
    return _change_status(
        certificate,
        by=by,
        to=CertificateStatus.ACTIVE,
        allowed_from=[CertificateStatus.SUSPENDED],
        reason=reason,
        action="audits.certificate.reinstated",
        refusal=_("Only a suspended certificate can be reinstated."),
    )


@transaction.atomic
def withdraw_certificate(certificate: Certificate, *, by: Actor, reason: str) -> Certificate:
    _reason(reason)
    return _change_status(
        certificate,
        by=by,
        to=CertificateStatus.WITHDRAWN,
        allowed_from=[CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED],
        reason=reason,
        action="audits.certificate.withdrawn",
        refusal=_("Only a granted or suspended certificate can be withdrawn."),
    )
