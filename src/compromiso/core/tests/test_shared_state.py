"""Several web processes share nothing but PostgreSQL: no state that must be common to them may
live in a process's memory. Django's cache framework (per process without CACHES) is not used;
sessions, log-in throttling and rate limits are rows; the per-process reference data is checked
against the organisation's stamp on every request (cases/reference.py); the other per-process
memos (core/calendar.py, cases/deadlines.py, …) are keyed by the values they are computed from.
test_scale_out.py shows it with two servers on one database."""

from pathlib import Path

from django.conf import settings

import compromiso

PACKAGE = Path(compromiso.__file__).resolve().parent


def test_no_code_relies_on_a_per_process_cache():
    users = [
        path.relative_to(PACKAGE)
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.parts
        and any(
            needle in path.read_text(encoding="utf-8")
            for needle in ("django.core.cache", "cache_page", "CacheMiddleware")
        )
    ]
    assert users == []


def test_sessions_and_log_in_throttling_are_kept_in_the_database():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert getattr(settings, "AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler") == (
        "axes.handlers.database.AxesDatabaseHandler"
    )
