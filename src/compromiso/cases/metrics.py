"""Cases received per organisation, for `/metrics` (registered in `CasesConfig.ready`)."""

from django.db.models import Count

from compromiso.core.metrics import family


def cases_received() -> list[str]:
    from compromiso.cases.models import Case
    from compromiso.organizations.models import Organization

    counts = dict(
        Case.objects.order_by()
        .values_list("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    slugs = Organization.objects.order_by("slug").values_list("pk", "slug")
    return family(
        "compromiso_cases_received_total",
        "counter",
        "Cases (complaints, suggestions, inquiries) received, by organisation.",
        [({"organization": slug}, counts.get(pk, 0)) for pk, slug in slugs],
    )
