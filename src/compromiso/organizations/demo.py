"""Demo network: a Chilean national public service and a Catalan town council (both fictional),
with their unit trees, staff for every role, closure days, and a network analyst.

Loaded by `compromiso demo`; every step looks its rows up first, so loading twice changes nothing.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.text import capfirst

from compromiso.core.actors import DEMO
from compromiso.core.audit import log_action
from compromiso.core.permissions import Role
from compromiso.organizations import services
from compromiso.organizations.models import (
    ClosureDay,
    Membership,
    NetworkMember,
    Organization,
    Unit,
    UnitKind,
    User,
)

CHILE = {
    "slug": "sntc",
    "name": "Servicio Nacional de Trámites Ciudadanos (demo)",
    "country": "CL",
    "subdivision": "RM",
    "time_zone": "America/Santiago",
    "language": "es",
    "jurisdiction": "cl_public",
    # Public counters close at 14:00, but the office (and its registry) works until 17:00:
    # a request received later counts from the next business day.
    "office_opens_at": dt.time(9, 0),
    "office_closes_at": dt.time(17, 0),
}
# (code, name, kind, parent code)
CHILE_UNITS = [
    ("DN", "Dirección Nacional", UnitKind.AREA, None),
    ("DAC", "División de Atención Ciudadana (OIRS)", UnitKind.AREA, None),
    ("TI", "Departamento de Tecnologías de la Información", UnitKind.AREA, None),
    ("GP", "Departamento de Gestión de Personas", UnitKind.AREA, None),
    ("AF", "Departamento de Administración y Finanzas", UnitKind.AREA, None),
    ("JUR", "Departamento Jurídico", UnitKind.AREA, None),
    ("R15", "Dirección Regional de Arica y Parinacota", UnitKind.REGION, None),
    ("R13", "Dirección Regional Metropolitana", UnitKind.REGION, None),
    ("R09", "Dirección Regional de La Araucanía", UnitKind.REGION, None),
    ("S-ARI", "Sucursal Arica", UnitKind.BRANCH, "R15"),
    ("S-PUT", "Sucursal Putre", UnitKind.BRANCH, "R15"),
    ("S-STG", "Sucursal Santiago Centro", UnitKind.BRANCH, "R13"),
    ("S-MAI", "Sucursal Maipú", UnitKind.BRANCH, "R13"),
    ("S-PAL", "Sucursal Puente Alto", UnitKind.BRANCH, "R13"),
    ("S-FLO", "Sucursal La Florida", UnitKind.BRANCH, "R13"),
    ("S-TCO", "Sucursal Temuco", UnitKind.BRANCH, "R09"),
    ("S-VRR", "Sucursal Villarrica", UnitKind.BRANCH, "R09"),
]
# (username, first name, last name, role, unit code or None for the whole organisation)
CHILE_STAFF = [
    ("cl-admin", "Carolina", "Muñoz Rojas", Role.ADMINISTRATOR, None),
    ("cl-calidad", "Rodrigo", "Soto Valenzuela", Role.QUALITY_MANAGER, None),
    ("cl-oficial", "Javiera", "Contreras Díaz", Role.CASE_OFFICER, "S-ARI"),
    ("cl-jefe", "Patricio", "Fuentes Araya", Role.UNIT_HEAD, "R15"),
    ("cl-auditor", "Francisca", "Morales Pino", Role.AUDITOR, None),
    ("cl-lector", "Matías", "Reyes Castillo", Role.VIEWER, None),
]

CATALONIA = {
    "slug": "sant-pere-de-riu",
    "name": "Ajuntament de Sant Pere de Riu (demo)",
    "country": "ES",
    "subdivision": "CT",
    "time_zone": "Europe/Madrid",
    "language": "ca",
    "jurisdiction": "es_ct_public",
    "office_opens_at": dt.time(8, 30),
    "office_closes_at": dt.time(15, 0),
}
CATALONIA_UNITS = [
    ("OAC", "Oficina d'Atenció Ciutadana (OAC)", UnitKind.BRANCH, None),
    ("SS", "Serveis Socials", UnitKind.AREA, None),
    ("URB", "Urbanisme i Obres", UnitKind.AREA, None),
    ("HIS", "Hisenda i Tributs", UnitKind.AREA, None),
    ("CUL", "Cultura i Esports", UnitKind.AREA, None),
]
CATALONIA_STAFF = [
    ("ct-admin", "Montserrat", "Puig i Serra", Role.ADMINISTRATOR, None),
    ("ct-qualitat", "Jordi", "Vidal Camps", Role.QUALITY_MANAGER, None),
    ("ct-gestor", "Laia", "Ferrer Soler", Role.CASE_OFFICER, "OAC"),
    ("ct-cap", "Pere", "Roca Martí", Role.UNIT_HEAD, "URB"),
    ("ct-auditor", "Núria", "Casals Pons", Role.AUDITOR, None),
    ("ct-lector", "Marc", "Bosch Riera", Role.VIEWER, None),
]

NETWORK_ANALYST = ("red-analista", "Andrea", "Gutiérrez Lagos")


def _closures(year: int) -> dict[str, list[tuple[dt.date, str]]]:
    return {
        "sntc": [
            (dt.date(year, 12, 24), "Cierre institucional por fiestas de fin de año"),
            (dt.date(year, 12, 31), "Cierre institucional por fiestas de fin de año"),
        ],
        "sant-pere-de-riu": [
            (dt.date(year, 6, 29), "Festa local de Sant Pere"),
            (dt.date(year, 8, 24), "Festa Major"),
        ],
    }


def load(context: dict[str, Any]) -> None:
    password = context.get("password_hash") or make_password(context["password"])
    year = timezone.localdate().year
    for spec, units, staff in (
        (CHILE, CHILE_UNITS, CHILE_STAFF),
        (CATALONIA, CATALONIA_UNITS, CATALONIA_STAFF),
    ):
        organization = _organization(spec)
        by_code = _units(organization, units)
        for username, first, last, role, unit_code in staff:
            user = _user(username, first, last, organization.language, password)
            unit = by_code[unit_code] if unit_code else None
            if not Membership.objects.filter(
                user=user, organization=organization, unit=unit, role=role
            ).exists():
                services.add_membership(
                    organization=organization, user=user, role=role, unit=unit, by=DEMO
                )
            where = unit.name if unit else organization.name
            context["logins"].append((organization.name, username, Role(role).label, where))
        for day, name in (
            _closures(year)[organization.slug] + _closures(year + 1)[organization.slug]
        ):
            if not ClosureDay.objects.filter(organization=organization, date=day).exists():
                services.add_closure_day(organization=organization, day=day, name=name, by=DEMO)
        context.setdefault("organizations", {})[organization.slug] = organization
        context.setdefault("units", {})[organization.slug] = by_code

    username, first, last = NETWORK_ANALYST
    analyst = _user(username, first, last, "es", password)
    services.grant_network_role(user=analyst, by=DEMO)
    context["logins"].append(
        ("Red / Xarxa", username, capfirst(NetworkMember._meta.verbose_name), "—")
    )


def _organization(spec: dict[str, Any]) -> Organization:
    existing = Organization.objects.filter(slug=spec["slug"]).first()
    if existing is not None:
        return existing
    return services.create_organization(by=DEMO, **spec)


def _units(
    organization: Organization, specs: Sequence[tuple[str, str, str, str | None]]
) -> dict[str, Unit]:
    by_code = {u.code: u for u in Unit.objects.filter(organization=organization)}
    for code, name, kind, parent_code in specs:
        if code not in by_code:
            by_code[code] = services.create_unit(
                organization=organization,
                name=name,
                kind=kind,
                code=code,
                parent=by_code[parent_code] if parent_code else None,
                by=DEMO,
            )
    return by_code


def _user(username: str, first: str, last: str, language: str, password: str) -> User:
    """A demo account with a known password, given already hashed (no welcome e-mail: nobody
    reads these inboxes)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username,
            email=f"{username}@example.org",
            password=None,
            first_name=first,
            last_name=last,
            preferred_language=language,
        )
        user.password = password
        user.save(update_fields=["password"])
        log_action(
            user, "organizations.user.created", by=DEMO, data={"username": username, "demo": True}
        )
    return user
