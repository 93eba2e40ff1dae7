"""The database task backend's throughput on PostgreSQL: tasks enqueued per second, and tasks
run per second with 1, 2 and 4 `compromiso worker` processes.

In a fresh database on the PostgreSQL server (BENCH_PG) only the task table is made. One
process enqueues BENCH_TASKS tasks that do nothing (`count_once`-like tasks would measure the
task's own work, not the queue's); then 1, 2 and 4 workers (`--batch`: they leave when the queue
is empty) run them. The rate run is the number of tasks over the time from the first task
started to the last one finished, as stored on the tasks' rows, so the workers' own start-up
(seconds of Python imports) is not counted.

    .venv/bin/python bench/bench_tasks.py        # or: .venv/bin/python bench/run.py tasks

BENCH_TASKS_BACKEND=rq measures the broker path instead (docs/operations.md): the same tasks
queued in Redis (BENCH_REDIS_URL, default a fresh database 9 of the local Redis, emptied first)
and run by `compromiso worker` with TASKS_BACKEND=rq (RQ's worker, a forked child per task); the
rate counts from the first task started to the last finished as RQ recorded them.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pg import ROOT, database, psql, require_postgresql

TASKS = int(os.environ.get("BENCH_TASKS", "1000"))
BACKEND = os.environ.get("BENCH_TASKS_BACKEND", "database")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
WORKERS = [int(n) for n in os.environ.get("BENCH_TASK_WORKERS", "1,2,4").split(",")]

ENQUEUE = """
import json, time
from compromiso.core.tests.scale_tasks import nothing
started = time.perf_counter()
for _ in range({tasks}):
    nothing.enqueue()
print(json.dumps(time.perf_counter() - started))
"""

# The broker path: ids kept to read RQ's own start and end times afterwards.
ENQUEUE_RQ = """
import json, time
import django_rq
from compromiso.core.tests.scale_tasks import nothing
django_rq.get_connection("default").flushdb()
started = time.perf_counter()
ids = [nothing.enqueue().id for _ in range({tasks})]
print(json.dumps([time.perf_counter() - started, ids]))
"""

SPAN_RQ = """
import json
from django.tasks import default_task_backend
ids = json.load(open({path!r}))
results = [default_task_backend.get_result(i) for i in ids]
done = [r for r in results if r.status == "SUCCESSFUL"]
span = max(r.finished_at for r in done) - min(r.started_at for r in done)
print(json.dumps([len(done), span.total_seconds()]))
"""


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        DATABASE_URL=url,
        TASKS_BACKEND=BACKEND,
        TASKS_REDIS_URL=REDIS_URL,
        DJANGO_SETTINGS_MODULE="compromiso.config.settings",
    )
    return env


def _compromiso(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "-m", "compromiso.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout


def run() -> list[tuple[str, float, str]]:
    require_postgresql()
    results: list[tuple[str, float, str]] = []
    with database("compromiso_bench_tasks") as url:
        env = _env(url)
        _compromiso(env, "migrate", "django_tasks_database", "-v0")
        name = url.rsplit("/", 1)[1]
        ids_file = Path(tempfile.mkdtemp()) / "ids.json"
        for workers in WORKERS:
            if BACKEND == "rq":
                output = _compromiso(env, "shell", "-c", ENQUEUE_RQ.format(tasks=TASKS))
                seconds, ids = json.loads(output.strip().splitlines()[-1])
                ids_file.write_text(json.dumps(ids))
            else:
                psql("TRUNCATE django_tasks_database_dbtaskresult", name)
                output = _compromiso(env, "shell", "-c", ENQUEUE.format(tasks=TASKS))
                seconds = json.loads(output.strip().splitlines()[-1])
            if workers == WORKERS[0]:
                results.append(("tasks enqueued, one process", TASKS / seconds, "tasks/s"))
            command = [sys.executable, "-m", "compromiso.cli", "worker", "--batch"]
            if BACKEND != "rq":
                command += ["--no-startup-delay", "--interval", "0", "-v0"]
            started = time.perf_counter()
            processes = [
                subprocess.Popen(
                    command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
                for _ in range(workers)
            ]
            for process in processes:
                process.wait()
            wall = time.perf_counter() - started
            if BACKEND == "rq":
                done = _compromiso(env, "shell", "-c", SPAN_RQ.format(path=str(ids_file)))
                done = done.strip().splitlines()[-1]
            else:
                done = psql(
                    "SELECT json_build_array(count(*) FILTER (WHERE status = 'SUCCESSFUL'), "
                    "EXTRACT(EPOCH FROM max(finished_at) - min(started_at))) "
                    "FROM django_tasks_database_dbtaskresult",
                    name,
                )
            count, span = json.loads(done)
            assert count == TASKS, f"{count} of {TASKS} tasks ran"
            results.append((f"tasks run, {workers} worker(s)", count / float(span), "tasks/s"))
            results.append((f"wall time with start-up, {workers} worker(s)", wall, "s"))
    return results


if __name__ == "__main__":
    import platform

    print(
        f"# {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"postgresql · tasks in {BACKEND} · {time.strftime('%Y-%m-%d %H:%M')} UTC"
    )
    for what, value, unit in run():
        print(f"{what:45} {value:10.1f} {unit}")
