"""Demo: each organisation's staff list. Chile: the national directorate, the citizen-attention
division (OIRS), each regional directorate and its branches (8–14 people a branch, the branch
manager a middle manager, contact staff at the branch's touch points); Catalonia: the OAC and
the areas. Codes "CL-0001", "CT-0001"; the demo users are linked to a staff member where
natural. Names are made up, drawn from a seeded generator so every load gives the same list."""

import random
from typing import Any

from compromiso.catalog.models import TouchPoint
from compromiso.organizations.models import Organization, Unit, User
from compromiso.servicemodel.models import StaffMember, StaffRole

FIRST = {
    "es": [
        "Camila",
        "Valentina",
        "Sofía",
        "Catalina",
        "Fernanda",
        "Constanza",
        "Daniela",
        "Javiera",
        "Paula",
        "Isidora",
        "Benjamín",
        "Vicente",
        "Martín",
        "Tomás",
        "Diego",
        "Joaquín",
        "Felipe",
        "Cristóbal",
        "Sebastián",
        "Nicolás",
    ],
    "ca": [
        "Marta",
        "Laia",
        "Júlia",
        "Anna",
        "Clara",
        "Núria",
        "Mireia",
        "Berta",
        "Aina",
        "Carla",
        "Pau",
        "Jan",
        "Arnau",
        "Oriol",
        "Marc",
        "Pol",
        "Jordi",
        "Roger",
        "Albert",
        "Xavier",
    ],
}
LAST = {
    "es": [
        "González",
        "Muñoz",
        "Rojas",
        "Díaz",
        "Pérez",
        "Soto",
        "Contreras",
        "Silva",
        "Martínez",
        "Sepúlveda",
        "Morales",
        "Rodríguez",
        "López",
        "Fuentes",
        "Hernández",
        "Torres",
        "Araya",
        "Flores",
        "Espinoza",
        "Valenzuela",
    ],
    "ca": [
        "Garcia",
        "Martí",
        "Puig",
        "Soler",
        "Vila",
        "Ferrer",
        "Serra",
        "Roca",
        "Pons",
        "Casas",
        "Font",
        "Riera",
        "Camps",
        "Mas",
        "Bosch",
        "Vidal",
        "Sala",
        "Coll",
        "Prat",
        "Costa",
    ],
}
# unit code → (people, middle managers, share of contact staff)
CHILE_SIZES = {
    "DN": (6, 2, 0.0),
    "DAC": (10, 1, 0.9),
    "R15": (4, 1, 0.0),
    "R13": (5, 1, 0.0),
    "R09": (4, 1, 0.0),
    "S-ARI": (12, 1, 0.85),
    "S-PUT": (8, 1, 0.85),
    "S-STG": (14, 2, 0.85),
    "S-MAI": (12, 1, 0.85),
    "S-PAL": (11, 1, 0.85),
    "S-FLO": (10, 1, 0.85),
    "S-TCO": (12, 1, 0.85),
    "S-VRR": (8, 1, 0.85),
}
CATALONIA_SIZES = {
    "OAC": (14, 1, 0.9),
    "SS": (6, 1, 0.7),
    "URB": (5, 1, 0.5),
    "HIS": (4, 1, 0.0),
    "CUL": (3, 1, 0.0),
}
# demo username → unit code of the staff member they are (the first manager, or a contact)
LINKS = {
    "sntc": {"cl-calidad": ("DN", 1), "cl-jefe": ("R15", 0), "cl-oficial": ("S-ARI", 2)},
    "sant-pere-de-riu": {"ct-qualitat": ("HIS", 1), "ct-cap": ("URB", 0), "ct-gestor": ("OAC", 2)},
}


def load(context: dict[str, Any]) -> None:
    for slug, organization in context["organizations"].items():
        if StaffMember.objects.filter(organization=organization).exists():
            continue
        units: dict[str, Unit] = context["units"][slug]
        sizes = CHILE_SIZES if slug == "sntc" else CATALONIA_SIZES
        _staff(organization, units, sizes, slug, "CL" if slug == "sntc" else "CT")


def _staff(
    organization: Organization,
    units: dict[str, Unit],
    sizes: dict[str, tuple[int, int, float]],
    slug: str,
    prefix: str,
) -> None:
    rng = random.Random(slug)
    language = "ca" if organization.language == "ca" else "es"
    users = {u.username: u for u in User.objects.filter(username__in=LINKS.get(slug, {}))}
    wanted = {(code, n): users.get(name) for name, (code, n) in LINKS.get(slug, {}).items()}
    points: dict[int, list[TouchPoint]] = {}
    for tp in TouchPoint.objects.filter(organization=organization).order_by("pk"):
        points.setdefault(tp.unit_id, []).append(tp)
    number = 0
    for code, (count, managers, contact_share) in sizes.items():
        unit = units.get(code)
        if unit is None:
            continue
        here = points.get(unit.pk, [])
        for n in range(count):
            number += 1
            first, last = rng.choice(FIRST[language]), rng.sample(LAST[language], 2)
            user = wanted.get((code, n))
            name = f"{first} {' '.join(last)}"
            if user is not None:
                name = f"{user.first_name} {user.last_name}"
            is_contact = (
                bool(here)
                and (n >= managers or code.startswith("S-"))
                and (rng.random() < contact_share)
            )
            member = StaffMember.objects.create(
                organization=organization,
                unit=unit,
                code=f"{prefix}-{number:04d}",
                name=name,
                email=f"{prefix.lower()}{number:04d}@example.org",
                user=user,
                role=StaffRole.CONTACT if is_contact else StaffRole.BACK_OFFICE,
                is_manager=n < managers,
            )
            if is_contact:
                # The counter first: most contact staff serve there; some also on a second one.
                member.touch_points.add(here[n % len(here)] if code in ("DAC", "OAC") else here[0])
                if len(here) > 1 and rng.random() < 0.3:
                    member.touch_points.add(rng.choice(here))
