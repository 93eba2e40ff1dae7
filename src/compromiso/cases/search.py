"""The text-search expression of the inbox query. It must stay the same expression as the
PostgreSQL index of migration 0003 (qualifying the columns does not change it), or the planner
cannot use the index."""

from django.db import connection
from django.db.models import Q

from compromiso.cases.models import CaseQuerySet

SEARCH_EXPRESSION = (
    "to_tsvector('spanish'::regconfig, coalesce(\"cases_case\".\"subject\", '') || ' ' || "
    'coalesce("cases_case"."description", \'\'))'
)


def search(cases: CaseQuerySet, text: str) -> CaseQuerySet:
    """Full-text search: PostgreSQL's Spanish text search over subject and description (the
    index of migration 0003), or a substring match elsewhere; tracking codes match exactly."""
    text = text.strip()
    code = text.upper()
    if connection.vendor == "postgresql":
        # One condition the planner can answer with a BitmapOr of the GIN index and the tracking
        # code's unique index. The SQL is constant; the user's text travels as parameters.
        return cases.extra(  # type: ignore[return-value]
            where=[
                f"({SEARCH_EXPRESSION} @@ plainto_tsquery('spanish'::regconfig, %s)) "
                'OR "cases_case"."tracking_code" = %s'
            ],
            params=[text, code],
        )
    return cases.filter(
        Q(tracking_code=code) | Q(subject__icontains=text) | Q(description__icontains=text)
    )
