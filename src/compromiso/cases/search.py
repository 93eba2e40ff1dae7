"""Full-text search of cases in each organisation's language.

Each case stores the PostgreSQL text-search configuration of its organisation's language when it
is received (`Case.search_config`: `spanish`, `english`, `catalan` where the server has it, else
`simple`), and one GIN index covers every configuration: `to_tsvector(search_config, subject ||
description)` (migration 0007). The query is written with Django's `SearchVector` and
`SearchQuery`, which compile to that same expression, so the planner can use the index
(`test_the_search_uses_the_index` checks it on PostgreSQL).
"""

import functools

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import F, Q

from compromiso.cases.models import CaseQuerySet

# The organisation's language → PostgreSQL's text-search configuration for it.
CONFIG_FOR_LANGUAGE = {"es": "spanish", "en": "english", "ca": "catalan"}
# What a default PostgreSQL install has of these (older releases have no `catalan`); assumed on
# other databases, where the search is a plain substring match anyway.
DEFAULT_CONFIGS = frozenset({"simple", "spanish", "english"})


def config_for(language: str, available: frozenset[str]) -> str:
    """The configuration for a language, or `simple` (no stemming, no stop words) where the
    server has none for it."""
    config = CONFIG_FOR_LANGUAGE.get(language, "simple")
    return config if config in available else "simple"


@functools.cache
def _available(vendor: str, alias: str) -> frozenset[str]:
    if vendor != "postgresql":
        return DEFAULT_CONFIGS
    with connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_catalog.pg_ts_config")
        return frozenset(name for (name,) in cursor.fetchall())


def available_configs() -> frozenset[str]:
    """The server's text-search configurations, read once per process."""
    return _available(connection.vendor, connection.alias)


def search_config_for(language: str) -> str:
    """The configuration a new case of an organisation with this language is indexed with."""
    return config_for(language, available_configs())


def search_document() -> SearchVector:
    """What is searched: subject and description in the case's own configuration, the
    expression of the GIN index `cases_case_search` (migration 0007)."""
    return SearchVector("subject", "description", config=F("search_config"))


def search(cases: CaseQuerySet, text: str, *, language: str) -> CaseQuerySet:
    """Full-text search: PostgreSQL's text search in the organisation's language over subject and
    description (the index of migration 0007), or a substring match elsewhere; tracking codes
    match exactly."""
    text = text.strip()
    code = text.upper()
    if connection.vendor == "postgresql":
        # One condition the planner can answer with a BitmapOr of the GIN index and the tracking
        # code's unique index. The user's text travels as a parameter.
        return cases.alias(search_document=search_document()).filter(
            Q(
                search_document=SearchQuery(
                    text, config=search_config_for(language), search_type="plain"
                )
            )
            | Q(tracking_code=code)
        )
    return cases.filter(
        Q(tracking_code=code) | Q(subject__icontains=text) | Q(description__icontains=text)
    )
