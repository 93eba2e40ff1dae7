"""A task for the scale-out tests: each run counts one hit on its own key, so a task run twice
shows a count of two."""

import time

from django.tasks import task

from compromiso.core import ratelimit


@task()
def count_once(*, key: str, seconds: float = 0.0) -> None:
    time.sleep(seconds)  # long enough for several workers to take part
    ratelimit.allow(key, limit=1, window_seconds=3600)


@task()
def nothing() -> None:
    """A task that does no work: the queue's own cost, measured by bench/bench_tasks.py."""
