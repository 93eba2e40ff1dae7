"""Staff pages of the certification: certification bodies, a certificate (its state, validity,
reviews due and done, and the steps the quality manager takes), recording the body's
assessment, granting or renewing, suspending, reinstating or withdrawing, and the verification
matrix frozen at a grant or a review, with its fingerprint."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from compromiso.audits import services
from compromiso.audits.forms.seal import (
    BodyForm,
    CertificateForm,
    GrantForm,
    ReasonForm,
    ReviewForm,
)
from compromiso.audits.models import (
    Certificate,
    CertificateReview,
    CertificateStatus,
    CertificationBody,
    FrameworkNode,
    Rating,
    ReviewKind,
)
from compromiso.audits.seal import Matrix, certificate_matrix, next_due, schedule
from compromiso.audits.services.seal_certificates import fingerprint_matches
from compromiso.audits.views.seal import (
    _require_manage,
    can_manage,
    matrix_context,
    seal_organization,
)
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors


@login_required
def body_form(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    organization = seal_organization(request)
    body = (
        get_object_or_404(CertificationBody, organization=organization, pk=pk)
        if pk is not None
        else None
    )
    _require_manage(request, organization)
    form = BodyForm(request.POST or None, instance=body)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_certification_body(
                organization,
                by=request.user,
                body=body,
                name=form.cleaned_data["name"],
                accreditation=form.cleaned_data["accreditation"],
                website=form.cleaned_data["website"],
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Certification body saved."))
            return redirect("audits:seal")
    return render(request, "audits/seal/body_form.html", {"form": form, "body": body})


def _certificate(request: AuthenticatedHttpRequest, pk: int) -> Certificate:
    organization = seal_organization(request)
    return get_object_or_404(
        Certificate.objects.select_related("organization", "framework", "body", "assessment"),
        organization=organization,
        pk=pk,
    )


@login_required
def certificate_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = seal_organization(request)
    _require_manage(request, organization)
    form = CertificateForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.create_certificate(
                organization, by=request.user, **form.cleaned_data
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Certificate in preparation recorded."))
            return redirect("audits:seal_certificate", pk=certificate.pk)
    return render(request, "audits/seal/certificate_form.html", {"form": form})


@login_required
def certificate_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    certificate = _certificate(request, pk)
    _require_manage(request, certificate.organization)
    if certificate.status != CertificateStatus.PENDING:
        messages.error(request, _("The scope of a granted certificate cannot change."))
        return redirect("audits:seal_certificate", pk=certificate.pk)
    form = CertificateForm(
        request.POST or None,
        organization=certificate.organization,
        pending=False,
        initial={
            "scope": certificate.scope,
            "services": list(certificate.services.all()),
            "touch_points": list(certificate.touch_points.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_certificate_scope(certificate, by=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("audits:seal_certificate", pk=certificate.pk)
    return render(
        request, "audits/seal/certificate_form.html", {"form": form, "certificate": certificate}
    )


@login_required
def certificate_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    certificate = _certificate(request, pk)
    organization = certificate.organization
    today = organization.today()
    reviews = list(certificate.reviews.order_by("date", "pk"))
    live = None
    if certificate.is_granted and certificate.cycle_start is not None:
        live = certificate_matrix(certificate, start=certificate.cycle_start, end=today)
    coming = next_due(certificate, reviews)
    return render(
        request,
        "audits/seal/certificate.html",
        {
            "certificate": certificate,
            "state": certificate.public_state(today),
            "reviews": reviews,
            "schedule": schedule(certificate, reviews),
            "next_due": coming,
            "overdue": coming is not None and coming.due_on < today,
            "live": live,
            "touch_points": certificate.touch_points.select_related("unit"),
            "services": certificate.services.all(),
            "can_manage": can_manage(request, organization),
            "reason_form": ReasonForm(),
        },
    )


def _elements(certificate: Certificate) -> list[FrameworkNode]:
    return list(
        FrameworkNode.objects.filter(
            framework_id=certificate.framework_id, assessable=True
        ).order_by("order", "pk")
    )


@login_required
def review_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    certificate = _certificate(request, pk)
    _require_manage(request, certificate.organization)
    kind = ReviewKind.INITIAL if not certificate.is_granted else ReviewKind.SURVEILLANCE
    form = ReviewForm(
        request.POST or None,
        elements=_elements(certificate),
        initial={"kind": kind, "date": certificate.organization.today()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.record_review(
                certificate,
                by=request.user,
                kind=data["kind"],
                date=data["date"],
                result=data["result"],
                assessor=data["assessor"],
                notes=data["notes"],
                ratings=form.ratings(),
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The body's assessment is recorded."))
            return redirect("audits:seal_review", pk=review.pk)
    return render(
        request, "audits/seal/review_form.html", {"form": form, "certificate": certificate}
    )


@login_required
def grant(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    certificate = _certificate(request, pk)
    _require_manage(request, certificate.organization)
    renewal = certificate.is_granted
    form = GrantForm(
        request.POST or None,
        initial={"issued_on": certificate.organization.today(), "number": certificate.number},
    )
    if renewal:
        del form.fields["number"]
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_certificate(certificate, by=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Certificate renewed.") if renewal else _("Certificate granted.")
            )
            return redirect("audits:seal_certificate", pk=certificate.pk)
    return render(
        request,
        "audits/seal/grant_form.html",
        {"form": form, "certificate": certificate, "renewal": renewal},
    )


STATUS_STEPS: dict[str, tuple[Any, Any]] = {
    "suspend": (services.suspend_certificate, gettext_lazy("Certificate suspended.")),
    "reinstate": (services.reinstate_certificate, gettext_lazy("Certificate reinstated.")),
    "withdraw": (services.withdraw_certificate, gettext_lazy("Certificate withdrawn.")),
}


@login_required
@require_POST
def status_change(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    certificate = _certificate(request, pk)
    if action not in STATUS_STEPS:
        raise Http404
    _require_manage(request, certificate.organization)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect("audits:seal_certificate", pk=certificate.pk)
    step, done = STATUS_STEPS[action]
    report(
        request,
        lambda: step(certificate, by=request.user, reason=form.cleaned_data["reason"]),
        str(done),
    )
    return redirect("audits:seal_certificate", pk=certificate.pk)


def _frozen_page(
    request: AuthenticatedHttpRequest,
    certificate: Certificate,
    payload: dict[str, Any],
    sha256: str,
    review: CertificateReview | None,
) -> HttpResponse:
    return render(
        request,
        "audits/seal/frozen.html",
        {
            "certificate": certificate,
            "review": review,
            "sha256": sha256,
            "intact": fingerprint_matches(payload, sha256),
            "review_ratings": [
                (ref, Rating(value).label)
                for ref, value in sorted((review.ratings if review else {}).items())
                if value in Rating.values
            ],
            **matrix_context(Matrix.from_json(payload)),
        },
    )


@login_required
def certificate_matrix_frozen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The matrix as it stood when the certificate was last granted or renewed."""
    certificate = _certificate(request, pk)
    if not certificate.matrix:
        raise Http404
    return _frozen_page(request, certificate, certificate.matrix, certificate.matrix_sha256, None)


@login_required
def review_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = seal_organization(request)
    review = get_object_or_404(
        CertificateReview.objects.select_related("certificate__organization"),
        certificate__organization=organization,
        pk=pk,
    )
    return _frozen_page(request, review.certificate, review.matrix, review.matrix_sha256, review)
