"""`/health/`: 200 when the database answers, every migration is applied and the task backlog is
fresh; 503 naming the failing check otherwise. No log-in, no personal data."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from compromiso.core import health

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_migration_plan():
    health.forget_migrations()
    yield
    health.forget_migrations()


def _ready_task(*, waited: dt.timedelta, run_after: dt.datetime | None = None) -> DBTaskResult:
    row = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="compromiso.core.tasks.send_password_reset",
        backend_name="default",
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=timezone.now() - waited)
    return row


def test_all_checks_pass_without_logging_in(client):
    _ready_task(waited=dt.timedelta(seconds=30))

    response = client.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "tasks"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"] == {"ok": True, "pending": 0}
    tasks = body["checks"]["tasks"]
    assert tasks["ok"] is True
    assert tasks["ready"] == 1
    assert 29 <= tasks["oldest_age_seconds"] <= 60
    assert "no-cache" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"


def test_a_pending_migration_degrades_and_is_cached_for_a_minute(client, monkeypatch):
    class OneLeft:
        def __init__(self, connection):
            self.loader = type("Loader", (), {"graph": type("G", (), {"leaf_nodes": list})()})()

        def migration_plan(self, targets):
            return [("cases.9999_future", False)]

    monkeypatch.setattr(health, "MigrationExecutor", OneLeft)

    response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["migrations"] == {"ok": False, "pending": 1}
    assert body["checks"]["database"]["ok"] is True

    monkeypatch.undo()  # the plan is not computed again within the minute
    assert client.get("/health/").json()["checks"]["migrations"]["pending"] == 1
    health.forget_migrations()
    assert client.get("/health/").status_code == 200


def test_a_stale_task_backlog_degrades(client, settings):
    settings.HEALTH_TASKS_MAX_AGE_SECONDS = 600
    _ready_task(waited=dt.timedelta(seconds=5))
    _ready_task(waited=dt.timedelta(minutes=45))
    # Deferred to the future: not ready, so it does not count however long ago it was enqueued.
    _ready_task(waited=dt.timedelta(days=2), run_after=timezone.now() + dt.timedelta(hours=1))
    # Deferred until ten minutes ago, enqueued two days ago: it has waited five minutes only.
    deferred = _ready_task(
        waited=dt.timedelta(days=2), run_after=timezone.now() - dt.timedelta(minutes=5)
    )

    response = client.get("/health/")

    assert response.status_code == 503
    tasks = response.json()["checks"]["tasks"]
    assert tasks["ok"] is False
    assert tasks["ready"] == 3
    assert 45 * 60 <= tasks["oldest_age_seconds"] <= 45 * 60 + 30
    assert tasks["max_age_seconds"] == 600

    DBTaskResult.objects.exclude(pk=deferred.pk).delete()
    tasks = client.get("/health/").json()["checks"]["tasks"]
    assert tasks["ok"] is True
    assert 300 <= tasks["oldest_age_seconds"] <= 330


def test_a_failing_check_names_the_error_class_only(client, monkeypatch):
    def broken() -> dict:
        raise RuntimeError("connection to db.internal:5432 user=secret refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "RuntimeError"}
    assert b"secret" not in response.content


def test_only_get_is_answered(client):
    assert client.post("/health/").status_code == 405
