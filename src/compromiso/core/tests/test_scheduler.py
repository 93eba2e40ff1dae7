"""The scheduler runs each periodic job once per due time, at the installation's local time,
catches a missed time up once after downtime, and never twice across nodes."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from compromiso.core import schedule
from compromiso.core.models import ScheduledRun

SANTIAGO = ZoneInfo("America/Santiago")

pytestmark = pytest.mark.django_db


def _at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SANTIAGO)


@pytest.fixture
def tick(monkeypatch, django_capture_on_commit_callbacks):
    """Every job off but the daily case maintenance and the quarter-hourly case reminders; the
    tasks (the immediate backend of the tests) run when the claim commits."""
    for job in schedule.SCHEDULE:
        if job.name not in {"case_maintenance", "case_reminders"}:
            monkeypatch.setenv(job.setting, "off")

    def run(now: dt.datetime | None = None) -> list[str]:
        with django_capture_on_commit_callbacks(execute=True):
            return schedule.run_due(now)

    return run


def _runs(job: str) -> list[tuple[dt.datetime, str]]:
    return [
        (run.due_at.astimezone(SANTIAGO), run.outcome)
        for run in ScheduledRun.objects.filter(job=job).order_by("due_at")
    ]


def test_a_daily_job_is_due_at_its_local_time_in_summer_and_in_winter():
    # Santiago is UTC-3 in January and UTC-4 in July: 02:30 local either way.
    january = schedule.latest_due("02:30", _at(2027, 1, 10, 2, 31), SANTIAGO)
    july = schedule.latest_due("02:30", _at(2027, 7, 10, 2, 31), SANTIAGO)
    assert january is not None
    assert july is not None
    assert january.astimezone(dt.UTC) == dt.datetime(2027, 1, 10, 5, 30, tzinfo=dt.UTC)
    assert july.astimezone(dt.UTC) == dt.datetime(2027, 7, 10, 6, 30, tzinfo=dt.UTC)
    # A minute before its time, the latest due time is yesterday's.
    before = schedule.latest_due("02:30", _at(2027, 1, 10, 2, 29), SANTIAGO)
    assert before == _at(2027, 1, 9, 2, 30)
    assert schedule.latest_due("*/15", _at(2027, 1, 10, 9, 44, 59), SANTIAGO) == _at(
        2027, 1, 10, 9, 30
    )
    assert schedule.latest_due("off", _at(2027, 1, 10, 9, 44), SANTIAGO) is None


@pytest.mark.parametrize("spec", ["*/7", "*/0", "25:00", "2:3", "daily", "*/x"])
def test_an_unreadable_time_is_refused_with_the_setting_named(monkeypatch, spec):
    monkeypatch.setenv("SCHEDULE_CASE_MAINTENANCE", spec)
    assert any(p.startswith("SCHEDULE_CASE_MAINTENANCE") for p in schedule.check())
    with pytest.raises(CommandError, match="SCHEDULE_CASE_MAINTENANCE"):
        call_command("scheduler", "--once")


def test_each_job_runs_once_at_its_time_and_the_first_start_runs_nothing(tick):
    with time_machine.travel(_at(2027, 3, 2, 2, 10), tick=False):
        assert tick() == []  # first start: the baselines, nothing run
        assert tick() == []
    with time_machine.travel(_at(2027, 3, 2, 2, 14, 59), tick=False):
        assert tick() == []
    with time_machine.travel(_at(2027, 3, 2, 2, 30, 1), tick=False):
        assert sorted(tick()) == ["case_maintenance", "case_reminders"]
        assert tick() == []  # the same minute again: already claimed
    with time_machine.travel(_at(2027, 3, 2, 2, 44), tick=False):
        assert tick() == []
    assert _runs("case_maintenance") == [
        (_at(2027, 3, 1, 2, 30), "baseline"),
        (_at(2027, 3, 2, 2, 30), "done"),  # the immediate backend of the tests ran it
    ]
    assert [due for due, _outcome in _runs("case_reminders")] == [
        _at(2027, 3, 2, 2, 0),
        _at(2027, 3, 2, 2, 30),
    ]


def test_after_downtime_a_missed_job_runs_once_not_once_per_missed_time(tick):
    with time_machine.travel(_at(2027, 3, 2, 12, 0), tick=False):
        tick()
    # Down for three days and a half: one catch-up run of each job, for its latest due time.
    with time_machine.travel(_at(2027, 3, 5, 23, 52), tick=False):
        assert sorted(tick()) == ["case_maintenance", "case_reminders"]
        assert tick() == []
    assert _runs("case_maintenance")[-1] == (_at(2027, 3, 5, 2, 30), "done")
    assert len(_runs("case_maintenance")) == 2
    assert _runs("case_reminders")[-1] == (_at(2027, 3, 5, 23, 45), "done")


def test_a_time_set_in_the_environment_moves_the_job(tick, monkeypatch):
    monkeypatch.setenv("SCHEDULE_CASE_MAINTENANCE", "04:10")
    monkeypatch.setenv("SCHEDULE_CASE_REMINDERS", "off")
    with time_machine.travel(_at(2027, 3, 2, 3, 0), tick=False):
        tick()
    with time_machine.travel(_at(2027, 3, 2, 4, 9), tick=False):
        assert tick() == []
    with time_machine.travel(_at(2027, 3, 2, 4, 10), tick=False):
        assert tick() == ["case_maintenance"]
    assert not ScheduledRun.objects.filter(job="case_reminders").exists()


def test_a_failing_job_is_recorded_as_failed(tick, monkeypatch):
    monkeypatch.setattr(
        schedule,
        "SCHEDULE",
        (schedule.Job("broken", "no_such_command", "*/5", "a command that does not exist"),),
    )
    with time_machine.travel(_at(2027, 3, 2, 3, 1), tick=False):
        tick()
    with time_machine.travel(_at(2027, 3, 2, 3, 5), tick=False):
        tick()
    assert _runs("broken")[-1] == (_at(2027, 3, 2, 3, 5), "failed")


def test_the_scheduler_lists_every_job_with_its_time(capsys, monkeypatch):
    monkeypatch.setenv("SCHEDULE_SURVEY_REMINDERS", "off")
    call_command("scheduler", "--list")
    out = capsys.readouterr().out
    assert "case_maintenance         02:30" in out
    assert "survey_reminders         off" in out


@pytest.mark.django_db(transaction=True)
def test_two_nodes_ticking_at_the_same_moment_run_each_due_time_once(tick):
    """Four schedulers, each on its own database connection, tick at once: one claim each."""
    if connection.vendor == "sqlite":
        pytest.skip("one writer at a time on SQLite: the race needs PostgreSQL")
    from django.db import connections

    schedule.run_due(_at(2027, 3, 2, 2, 0))
    started: list[list[str]] = []
    barrier = threading.Barrier(4)

    def node() -> None:
        try:
            barrier.wait()
            started.append(schedule.run_due(_at(2027, 3, 2, 2, 30, 2)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=node) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(job for jobs in started for job in jobs) == [
        "case_maintenance",
        "case_reminders",
    ]
    assert len(_runs("case_maintenance")) == 2
