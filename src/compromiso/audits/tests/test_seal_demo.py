"""The seal's demo: both frameworks in the Chilean service with a self-assessment mostly rated,
its readiness and verification matrix, and a certificate granted this year whose public page
works; the Catalan council's self-assessment in progress; nothing doubled when it runs again."""

import pytest
from django.urls import reverse

from compromiso.audits.demo import seal as seal_demo
from compromiso.audits.models import (
    Certificate,
    CertificateReview,
    ElementRating,
    Framework,
    SelfAssessment,
)
from compromiso.audits.seal import readiness, verification_matrix
from compromiso.catalog import demo as catalog_demo
from compromiso.charters import demo as charters_demo
from compromiso.organizations import demo as organizations_demo

pytestmark = pytest.mark.django_db


def _load():
    context = {"password": "x", "password_hash": "!", "logins": [], "case_count": 0}
    organizations_demo.load(context)
    catalog_demo.load(context)
    charters_demo.load(context)
    seal_demo.load(context)
    return context


def test_the_demo_seal_is_complete_and_loaded_once(client):
    context = _load()
    chile = context["organizations"]["sntc"]
    catalonia = context["organizations"]["sant-pere-de-riu"]

    assert set(Framework.objects.filter(organization=chile).values_list("code", flat=True)) == {
        "service-quality-seal",
        "cse-structure",
    }
    assessment = SelfAssessment.objects.get(organization=chile)
    ready = readiness(assessment)
    assert ready.overall.elements == 26
    assert ready.overall.rated == 23  # all but the last three
    # The pattern of ten repeats twice, then starts again: full 5+5+2, plus 2+2+1, partial 2+2,
    # non-compliance 1+1.
    assert (ready.overall.full, ready.overall.plus) == (12, 5)
    assert (ready.overall.partial, ready.overall.non) == (4, 2)
    assert ready.overall.percent == round(100 * 17 / 26, 1)
    assert len(ready.touch_points) == 3
    matrix = verification_matrix(chile, start=assessment.cycle_start, end=assessment.cycle_end)
    assert matrix.rows
    assert matrix.columns
    certificate = Certificate.objects.get(organization=chile)
    today = chile.today()
    assert certificate.issued_on.year == today.year
    assert certificate.is_valid_on(today)
    assert CertificateReview.objects.filter(certificate=certificate, kind="initial").exists()
    page = client.get(reverse("portal:seal_verify", args=[certificate.number]))
    assert page.status_code == 200
    listing = client.get(reverse("portal:seal", args=[chile.slug]))
    assert certificate.number in listing.content.decode()
    theirs = SelfAssessment.objects.get(organization=catalonia)
    assert theirs.status == "draft"
    assert ElementRating.objects.filter(assessment=theirs).count() == 9
    assert not Certificate.objects.filter(organization=catalonia).exists()

    counts = (
        Framework.objects.count(),
        SelfAssessment.objects.count(),
        ElementRating.objects.count(),
        Certificate.objects.count(),
        CertificateReview.objects.count(),
    )
    _load()
    assert (
        Framework.objects.count(),
        SelfAssessment.objects.count(),
        ElementRating.objects.count(),
        Certificate.objects.count(),
        CertificateReview.objects.count(),
    ) == counts
