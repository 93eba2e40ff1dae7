"""Surveys through the application on PostgreSQL: CSV import, ingest, wave dashboard at 1M.

The CSV import rate, the ingest rate with the score counts kept current, and the wave dashboard
page at 1,000,000 responses, all through the project's own service functions and views (no
factories, no SQL of its own).

In a fresh database (dropped afterwards; the demo database is never touched) and a child process
of its own (DEBUG off, uploads in a temporary folder): one organisation with 12 services and 6
channels, a questionnaire with an overall 1–7 question and 8 attribute questions linked to catalog
attributes, one wave over the 12 services open over 2026, and a quality manager. Then:

1. import: a CSV of BENCH_SURVEY_APP_RESPONSES rows (default 1,000,000; seeded, the overall grade
   driven by the attributes, levels per service and channel, dates in 2026) is uploaded with
   imports.start_import, mapped with imports.guess_mapping and timed through imports.run_import;
2. ingest: 2,000 responses through services.submit_response one at a time, as the public form
   stores them, and 2,000 more with services.add_to_counts replaced by a no-op (in alternating
   blocks), so the difference is what keeping the dashboard counts current costs; the skipped
   counts are added afterwards;
3. dashboard: the wave page as the quality manager through Django's test client, once to warm
   up and then 20 times (median and p95); and the wave's export of its responses: the CSV
   (streamed) at any size, the XLSX (built in memory) only up to 200,000 responses by default
   (BENCH_SURVEY_APP_EXPORT=1 forces both, =0 skips the export).

    .venv/bin/python bench/run.py survey_app     # or: .venv/bin/python bench/bench_survey_app.py
    BENCH_SURVEY_APP_RESPONSES=20000 .venv/bin/python bench/bench_survey_app.py
    BENCH_SURVEY_APP_PROFILE=1 …    # also print a cProfile of one wave page request (stderr)

Needs PostgreSQL (BENCH_PG, default postgres://postgres@127.0.0.1:5432).
"""

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any

import numpy as np
from pg import ROOT, VAR, database, require_postgresql

RESPONSES = int(os.environ.get("BENCH_SURVEY_APP_RESPONSES", "1000000"))
INGEST = int(os.environ.get("BENCH_SURVEY_APP_INGEST", "2000"))
BLOCK = 250  # ingest alternates blocks with and without the counts
REPEATS = 20
PROFILE = os.environ.get("BENCH_SURVEY_APP_PROFILE", "") not in ("", "0")
EXPORT = os.environ.get("BENCH_SURVEY_APP_EXPORT", "auto")  # "1", "0", or up to EXPORT_UP_TO
EXPORT_UP_TO = 200_000  # the XLSX export builds the whole file in memory
SERVICES = 12
CHANNELS = [
    ("in_person", "Atención presencial"),
    ("web", "Sitio web"),
    ("phone", "Centro de llamadas"),
    ("email", "Correo electrónico"),
    ("kiosk", "Tótem de autoatención"),
    ("social", "Redes sociales"),
]
ATTRIBUTES = [
    "Tiempo de espera",
    "Amabilidad del personal",
    "Claridad de la información",
    "Facilidad del trámite",
    "Resolución en el primer contacto",
    "Comodidad de las instalaciones",
    "Horario de atención",
    "Información en el sitio web",
]
WEIGHTS = np.array([0.30, 0.20, 0.15, 0.10, 0.10, 0.07, 0.05, 0.03])
FIRST_DAY = dt.date(2026, 1, 1)
DAYS = 334  # 1 January to 30 November 2026
SCALE = {"kind": "scale", "scale_min": 1, "scale_max": 7, "satisfied_min": 6, "dissatisfied_max": 4}


def _log(message: str) -> None:
    print(f"[survey_app {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the data --------------------------------------------------------------------------------


Levels = tuple[np.ndarray, np.ndarray, np.ndarray]


def _levels(rng: np.random.Generator) -> Levels:
    """Levels per service, per channel and per attribute (waiting time is the weak one)."""
    return (
        rng.normal(0, 0.5, SERVICES),
        rng.normal(0, 0.4, len(CHANNELS)),
        np.array([-0.6, 0.4, 0.0, -0.2, -0.3, 0.2, 0.1, -0.1]),
    )


def _grades(
    rng: np.random.Generator, service: np.ndarray, channel: np.ndarray, levels: Levels
) -> np.ndarray:
    """(n, 9) grades 1–7: the overall grade first, driven by the 8 attribute grades."""
    n = len(service)
    level = levels[0][service] + levels[1][channel]
    noise = rng.normal(0, 1.1, (n, len(ATTRIBUTES)))
    attributes = np.clip(np.rint(5.2 + level[:, None] + levels[2] + noise), 1, 7)
    overall = np.clip(np.rint(attributes @ WEIGHTS + 0.3 + rng.normal(0, 0.6, n)), 1, 7)
    return np.column_stack([overall, attributes]).astype(np.int64)


def _generate(n: int, seed: int = 2026) -> tuple[bytes, np.ndarray]:
    """The CSV file and its overall grades. Rows identical in every mapped column would be
    rejected as one respondent entered twice, so the few such rows are drawn again."""
    rng = np.random.default_rng(seed)
    levels = _levels(rng)
    service = rng.integers(0, SERVICES, n)
    channel = rng.integers(0, len(CHANNELS), n)
    day = rng.integers(0, DAYS, n)
    grades = _grades(rng, service, channel, levels)
    while True:
        key = (service * len(CHANNELS) + channel) * DAYS + day
        for column in range(grades.shape[1]):
            key = key * 7 + grades[:, column] - 1
        _unique, first = np.unique(key, return_index=True)
        again = np.ones(n, dtype=bool)
        again[first] = False
        if not again.any():
            break
        grades[again] = _grades(rng, service[again], channel[again], levels)
    codes = [f"S{s + 1:02d}" for s in range(SERVICES)]
    kinds = [kind for kind, _name in CHANNELS]
    dates = [(FIRST_DAY + dt.timedelta(days=d)).isoformat() for d in range(DAYS)]
    lines = ["servicio,canal,fecha," + ",".join(f"q{i}" for i in range(1, 10))]
    for s, c, d, g in zip(
        service.tolist(), channel.tolist(), day.tolist(), grades.tolist(), strict=True
    ):
        lines.append(f"{codes[s]},{kinds[c]},{dates[d]},{','.join(map(str, g))}")
    return ("\n".join(lines) + "\n").encode(), grades[:, 0]


# --- the measurements (in the child process, on the throwaway database) ------------------------


def _setup() -> dict[str, Any]:
    from compromiso.catalog import services as catalog
    from compromiso.core.actors import SYSTEM
    from compromiso.core.permissions import Role
    from compromiso.organizations import services as organizations
    from compromiso.organizations.models import User
    from compromiso.surveys import services

    organization = organizations.create_organization(
        by=SYSTEM,
        name="Servicio Nacional de Prueba",
        slug="bench-surveys",
        country="CL",
        subdivision="RM",
        time_zone="America/Santiago",
        language="es",
        jurisdiction="cl_public",
    )
    manager = User.objects.create_user("quality", "quality@example.org", uuid.uuid4().hex)
    organizations.add_membership(
        organization=organization, user=manager, role=Role.QUALITY_MANAGER, by=SYSTEM
    )
    division = organizations.create_unit(
        organization=organization, name="División de Atención Ciudadana", by=SYSTEM
    )
    channels = [
        catalog.create_channel(organization=organization, kind=kind, name=name, by=SYSTEM)
        for kind, name in CHANNELS
    ]
    measured = []
    for number in range(1, SERVICES + 1):
        branch = organizations.create_unit(
            organization=organization,
            name=f"Sucursal {number}",
            kind="branch",
            parent=division,
            code=f"B{number:02d}",
            by=SYSTEM,
        )
        measured.append(
            catalog.create_service(
                organization=organization,
                code=f"S{number:02d}",
                name=f"Trámite {number}",
                provider_unit=branch,
                channels=channels,
                attributes=[{"name": name} for name in ATTRIBUTES],
                by=SYSTEM,
            )
        )
    attributes = list(measured[0].attributes.order_by("position"))
    questionnaire = services.create_questionnaire(
        organization,
        by=manager,
        title="Encuesta de satisfacción 2026",
        language="es",
        questions=[
            {**SCALE, "is_overall": True, "texts": {"es": "Satisfacción general (1 a 7)"}},
            *({**SCALE, "texts": {"es": a.name}, "attribute": a} for a in attributes),
        ],
    )
    wave = services.create_wave(
        organization,
        by=manager,
        questionnaire=questionnaire,
        title="Medición 2026",
        kind="continuous",
        services=measured,
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2026, 12, 31),
    )
    services.open_wave(wave, by=manager)
    return {"wave": wave, "manager": manager, "services": measured, "channels": channels}


def _overall_total(wave: Any) -> int:
    from django.db.models import Sum

    from compromiso.surveys.models import ScoreCount

    rows = ScoreCount.objects.filter(wave=wave, question__is_overall=True)
    return int(rows.aggregate(total=Sum("count"))["total"] or 0)


def _import(setup: dict[str, Any], out: list[tuple[str, float, str]]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from compromiso.surveys import imports
    from compromiso.surveys.models import ImportStatus

    wave, manager = setup["wave"], setup["manager"]
    began = time.perf_counter()
    data, overall = _generate(RESPONSES)
    _log(
        f"generated {RESPONSES:,} rows ({len(data) / 1e6:.1f} MB) "
        f"in {time.perf_counter() - began:.1f} s"
    )
    began = time.perf_counter()
    upload = SimpleUploadedFile("respuestas-2026.csv", data, content_type="text/csv")
    job = imports.start_import(wave, upload, by=manager)
    job.mapping = imports.guess_mapping(job)
    job.save(update_fields=["mapping"])
    uploaded = time.perf_counter() - began
    assert len(job.mapping) == 12, job.mapping
    began = time.perf_counter()
    job = imports.run_import(job)
    elapsed = time.perf_counter() - began
    assert job.status == ImportStatus.DONE, (job.status, job.message)
    assert job.imported == RESPONSES, (job.imported, job.rejected[:5])
    counted = _overall_total(wave)
    assert counted == RESPONSES, counted
    _log(f"imported {job.imported:,} rows in {elapsed:.1f} s; score counts agree")
    mean = float(overall.mean())
    out += [
        ("import: rows in the file", float(RESPONSES), "rows"),
        ("import: upload and read the header (start_import)", uploaded, "s"),
        ("import: run_import, total", elapsed, "s"),
        ("import: rate (target ≥ 100,000)", RESPONSES / elapsed, "rows/s"),
        ("import: rows imported (= rows in the file)", float(job.imported), "rows"),
        ("import: overall answers in the score counts", float(counted), "answers"),
        ("import: mean overall grade in the file", mean, "of 7"),
    ]


def _no_counts(responses: Any) -> None:
    """services.add_to_counts replaced: the response is stored, its counts are not."""


def _ingest(setup: dict[str, Any], out: list[tuple[str, float, str]]) -> None:
    from unittest import mock

    from django.db import transaction

    from compromiso.surveys import services
    from compromiso.surveys.models import Response
    from compromiso.surveys.services import responses

    wave, measured, channels = setup["wave"], setup["services"], setup["channels"]
    questions = list(wave.questionnaire.questions.order_by("order"))
    rng = np.random.default_rng(7)
    levels = _levels(rng)
    total = 2 * INGEST + BLOCK
    service = rng.integers(0, SERVICES, total)
    channel = rng.integers(0, len(CHANNELS), total)
    grades = _grades(rng, service, channel, levels).tolist()
    plan = [
        (
            measured[s],
            channels[c],
            {q.pk: str(g) for q, g in zip(questions, row, strict=True)},
        )
        for s, c, row in zip(service.tolist(), channel.tolist(), grades, strict=True)
    ]

    def submit(items: list[Any]) -> tuple[float, list[Any]]:
        made = []
        began = time.perf_counter()
        for svc, chan, answers in items:
            made.append(
                services.submit_response(
                    wave, service=svc, channel=chan, answers=answers, source="web"
                )
            )
        return time.perf_counter() - began, made

    before = _overall_total(wave)
    submit(plan[:BLOCK])  # warm-up, counted
    timed = {"with": 0.0, "without": 0.0}
    uncounted: list[Any] = []
    position = BLOCK
    for _block in range(INGEST // BLOCK):
        spent, _made = submit(plan[position : position + BLOCK])
        timed["with"] += spent
        position += BLOCK
        with mock.patch.object(responses, "add_to_counts", _no_counts):
            spent, made = submit(plan[position : position + BLOCK])
        timed["without"] += spent
        uncounted += made
        position += BLOCK
    assert services.add_to_counts.__module__ == "compromiso.surveys.services.responses"
    done = INGEST // BLOCK * BLOCK
    # The responses stored without their counts are counted now, so the dashboard is right.
    with transaction.atomic():
        ids = [r.pk for r in uncounted]
        services.add_to_counts(list(Response.objects.filter(pk__in=ids)))
    after = _overall_total(wave)
    assert after - before == BLOCK + 2 * done, (before, after)
    with_counts, without_counts = timed["with"] / done, timed["without"] / done
    _log(f"ingested {BLOCK + 2 * done:,} responses one by one")
    out += [
        (
            f"ingest: submit_response × {done:,}, score counts kept current",
            1 / with_counts,
            "resp/s",
        ),
        (
            f"ingest: submit_response × {done:,}, add_to_counts a no-op",
            1 / without_counts,
            "resp/s",
        ),
        ("ingest: per response, counts kept current", with_counts * 1000, "ms"),
        ("ingest: per response, without the counts", without_counts * 1000, "ms"),
        ("ingest: cost of keeping the counts current", (with_counts - without_counts) * 1000, "ms"),
    ]


def _dashboard(setup: dict[str, Any], out: list[tuple[str, float, str]]) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    wave, manager = setup["wave"], setup["manager"]
    client = Client()
    client.force_login(manager)
    url = reverse("surveys:wave", args=[wave.pk])
    response = client.get(url)  # warm-up
    assert response.status_code == 200, response.status_code
    times = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    sql = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    quantiles = statistics.quantiles(times, n=100, method="inclusive")
    _log(f"wave page: median {quantiles[49]:.0f} ms")
    out += [
        ("dashboard: wave page, median (target ≤ 300)", quantiles[49], "ms"),
        ("dashboard: wave page, p95 (target ≤ 300)", quantiles[94], "ms"),
        ("dashboard: wave page, SQL queries", float(len(queries.captured_queries)), "queries"),
        ("dashboard: wave page, time in SQL (one request)", sql, "ms"),
        ("dashboard: wave page, size", len(response.content) / 1024, "KiB"),
    ]
    if PROFILE:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        client.get(url)
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
        print(text.getvalue(), file=sys.stderr)
    responses = RESPONSES + BLOCK + 2 * (INGEST // BLOCK * BLOCK)
    if EXPORT in ("", "0"):
        return
    # The CSV streams (any size); the XLSX is built in memory, so only up to EXPORT_UP_TO.
    formats = ["csv"] if EXPORT == "auto" and responses > EXPORT_UP_TO else ["csv", "xlsx"]
    for fmt in formats:
        began = time.perf_counter()
        response = client.get(reverse("surveys:export", args=[wave.pk, fmt]))
        if fmt == "csv":
            lines = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
        else:
            lines = responses
            assert response.content.startswith(b"PK")
        elapsed = time.perf_counter() - began
        assert response.status_code == 200, response.status_code
        assert lines == responses, (lines, responses)
        _log(f"exported {responses:,} responses as {fmt} in {elapsed:.1f} s")
        out += [
            (f"export: wave responses as {fmt.upper()}", elapsed, "s"),
            (f"export: {fmt.upper()} rate", responses / elapsed, "rows/s"),
        ]


def measure() -> None:
    """In the child process: set up, import, ingest, dashboard; the figures as JSON on stdout."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compromiso.config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    reverse("surveys:wave", args=[1])  # every view module imported now, not minutes later
    began = time.perf_counter()
    setup = _setup()
    _log(
        f"set up the organisation, services, questionnaire and wave "
        f"in {time.perf_counter() - began:.1f} s"
    )
    out: list[tuple[str, float, str]] = []
    try:
        _import(setup, out)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        _ingest(setup, out)
        _dashboard(setup, out)
    finally:
        print(json.dumps(out))  # what was measured, even when a later step fails


def run() -> list[tuple[str, float, str]]:
    require_postgresql()
    VAR.mkdir(parents=True, exist_ok=True)
    with (
        database(f"compromiso_survey_app_{os.getpid()}") as url,
        tempfile.TemporaryDirectory(dir=VAR) as media,
    ):
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "compromiso.config.settings",
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            "TASKS_BACKEND": "immediate",
            "MEDIA_ROOT": media,
            "EMAIL_BACKEND": "file",  # production settings need a mail choice
            "EMAIL_FILE_PATH": media,
        }
        child = subprocess.run(
            [sys.executable, __file__, "--measure"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
    lines = child.stdout.strip().splitlines()
    figures = [tuple(row) for row in json.loads(lines[-1])] if lines else []
    if child.returncode:
        for label, value, unit in figures:
            print(f"  {label:<60} {value:>12,.1f} {unit}", file=sys.stderr)
        sys.exit(f"measuring failed (exit {child.returncode}); see the messages above")
    return figures


if __name__ == "__main__":
    if sys.argv[1:] == ["--measure"]:
        measure()
    else:
        for label, value, unit in run():
            print(f"  {label:<60} {value:>12,.1f} {unit}")
