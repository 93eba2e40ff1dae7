"""The staff inbox with 1,000,000 cases on PostgreSQL: first page and filtered pages, p95.

Loads a million cases with one INSERT … SELECT over generate_series (two years, twelve branch
offices, every kind and state), runs ANALYZE, then requests inbox pages through Django's test
client as an officer of one branch and as an organisation-wide quality manager.

    .venv/bin/python bench/run.py inbox        # or: .venv/bin/python bench/bench_inbox.py
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from pg import ROOT, database, psql, require_postgresql

CASES = int(os.environ.get("BENCH_CASES", "1000000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))

SETUP = """
from compromiso.catalog.models import Channel
from compromiso.organizations.models import Membership, Organization, Unit, User
org = Organization.objects.create(name="Servicio de prueba", slug="bench", country="CL",
    subdivision="RM", jurisdiction="cl_public")
web = Channel.objects.create(organization=org, kind="web", name="Sitio web")
branches = []
for r in range(3):
    region = Unit.objects.create(organization=org, name=f"Región {r}", kind="region")
    region.path = f"/{region.pk}/"; region.save()
    for b in range(4):
        branch = Unit.objects.create(organization=org, name=f"Sucursal {r}-{b}", kind="branch",
            parent=region)
        branch.path = f"{region.path}{branch.pk}/"; branch.save()
        branches.append(branch.pk)
officer = User.objects.create_user("officer", "o@example.org", "x")
Membership.objects.create(user=officer, organization=org, role="case_officer",
    unit_id=branches[0])
manager = User.objects.create_user("manager", "m@example.org", "x")
Membership.objects.create(user=manager, organization=org, role="quality_manager")
print(org.pk, web.pk, ",".join(map(str, branches)))
"""

LOAD = """
INSERT INTO cases_case (created_at, updated_at, organization_id, tracking_code, secret_hash,
  kind, status, priority, channel_id, unit_id, subject, description, is_anonymous,
  requester_name, requester_national_id, requester_email, requester_phone, requester_address,
  reply_channel, received_at, deadline_amount, deadline_unit, extension_allowed, extension_unit,
  extension_requires_notice, legal_basis, extended, due_at, answered_at, closed_at, derived_to,
  external_recourse, verdict, search_config)
SELECT r, r, {org}, 'OIRS-B-' || lpad(g::text, 8, '0'), md5(g::text) || md5(g::text),
  (ARRAY['complaint','inquiry','suggestion','compliment','information_request'])[1 + g % 5],
  CASE WHEN g % 20 < 17 THEN 'closed' WHEN g % 20 = 17 THEN 'in_progress'
       WHEN g % 20 = 18 THEN 'assigned' ELSE 'received' END,
  'normal', {channel}, (ARRAY[{units}])[1 + (g / 7) % {unit_count}],
  (ARRAY['Tiempo de espera excesivo', 'Cobro duplicado del trámite',
         'Los funcionarios no dieron información', 'El sitio web falla',
         'Excelente atención'])[1 + g % 5],
  'Detalle número ' || g || ': ' || (ARRAY['esperé dos horas en la fila',
         'me cobraron dos veces', 'el funcionario fue amable', 'la página no carga',
         'no contestan el teléfono'])[1 + g % 5],
  false, 'Persona ' || g, '', '', '', '', 'email', r, 20, 'business_days', 0, '', false,
  'Ley 19.880', false, r + interval '28 days',
  CASE WHEN g % 20 < 17 THEN r + interval '10 days' END,
  CASE WHEN g % 20 < 17 THEN r + interval '12 days' END, '', '', '', 'spanish'
FROM (
  SELECT g, now() - (g % 730) * interval '1 day' - (g % 86400) * interval '1 second' AS r
  FROM generate_series(1, {count}) AS g
) AS series
"""

MEASURE = """
import html, json, os, re, statistics, sys, time, urllib.parse
import django
django.setup()
from django.test import Client
from compromiso.organizations.models import User
from compromiso.organizations.current import SESSION_KEY
org_id = int(sys.argv[1]); n = int(sys.argv[2])
results = {}
for username in ("officer", "manager"):
    client = Client()
    client.force_login(User.objects.get(username=username))
    session = client.session; session[SESSION_KEY] = org_id; session.save()
    first = client.get("/staff/cases/").content.decode()
    found = re.search("after=([^&\\x22]+)", first)
    cursor = urllib.parse.unquote(html.unescape(found.group(1))) if found else None
    pages = {
        "first page (open cases)": {},
        "all states, complaints": {"status": "all", "kind": "complaint"},
        "overdue": {"due": "overdue"},
        "text search 'funcionarios'": {"status": "all", "q": "funcionarios"},
        "second page (keyset)": {"after": cursor} if cursor else {},
    }
    for label, params in pages.items():
        times = []
        for _ in range(n):
            began = time.perf_counter()
            response = client.get("/staff/cases/", params)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code
        q = statistics.quantiles(times, n=100)
        results[f"{username}: {label}"] = (q[49], q[94])
print(json.dumps(results))
"""


def run() -> list[tuple[str, float, str]]:
    require_postgresql()
    python = sys.executable
    with database(f"compromiso_inbox_{os.getpid()}") as url:
        name = url.rsplit("/", 1)[1]
        env = {**os.environ, "DATABASE_URL": url, "TASKS_BACKEND": "immediate"}
        env["DJANGO_SETTINGS_MODULE"] = "compromiso.config.settings"
        manage = [python, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        out = subprocess.run(
            [*manage, "shell", "-v0", "-c", SETUP],
            env=env, check=True, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        org, channel, units = out[-3], out[-2], out[-1]
        began = time.perf_counter()
        psql(
            LOAD.format(
                org=org,
                channel=channel,
                units=units,
                unit_count=len(units.split(",")),
                count=CASES,
            ),
            name,
        )
        psql("ANALYZE", name)
        loaded = time.perf_counter() - began
        measured = subprocess.run(
            [python, "-c", MEASURE, org, str(REQUESTS)],
            env={**env, "PYTHONPATH": str(ROOT / "src")},
            capture_output=True,
            text=True,
            cwd=Path(ROOT),
        )
        if measured.returncode:
            sys.exit(f"measuring failed:\n{measured.stderr[-3000:]}")
    rows = [(f"load {CASES:,} cases with SQL", loaded, "s")]
    for label, (p50, p95) in json.loads(measured.stdout.strip().splitlines()[-1]).items():
        rows.append((f"{label} p50", p50, "ms"))
        rows.append((f"{label} p95", p95, "ms"))
    return rows


if __name__ == "__main__":
    for label, value, unit in run():
        print(f"{label:<62} {value:>10,.1f} {unit}")
