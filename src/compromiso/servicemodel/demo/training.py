"""Demo: each organisation's training catalogue and a train-the-trainers cascade caught
mid-way. Chile: a national trainer certified by an external body trains and certifies the three
regional directors; they train their branches and certify some branch managers (one of whom
trains a neighbouring branch), while other branches are not reached yet; the OIRS staff were
trained long ago and their competence has lapsed. Catalonia: the OAC's manager, certified by
the public-administration school, trains the OAC and Social Services; Urbanism waits. Plus a
few skills workshops by external providers. Sessions are in the past months, with attendance and
scores, so the coverage page shows a realistic partial picture."""

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from compromiso.core.actors import DEMO
from compromiso.organizations.models import Organization, Unit
from compromiso.servicemodel import services
from compromiso.servicemodel.models import (
    Protocol,
    ProtocolStatus,
    StaffMember,
    TrainingProgramme,
    TrainingSession,
    add_months,
)
from compromiso.servicemodel.services.training import PROTOCOLS_KEY

# Used only when the organisation has no protocol at all (another demo may bring them).
PROTOCOLS = {
    "es": [
        ("Atención presencial en sucursal", "in_person"),
        ("Atención telefónica", "phone"),
        ("Atención en canales digitales", "web"),
    ],
    "ca": [
        ("Atenció presencial", "in_person"),
        ("Atenció telefònica", "phone"),
        ("Atenció als canals digitals", "web"),
    ],
}
EXTERNAL = {
    "es": ("Centro de Formación Acreditado (OTEC)", "Consultora Servicio Ciudadano"),
    "ca": ("Escola d'Administració Pública de Catalunya", "Consultoria Atenció Ciutadana"),
}
PASS_MARK = 60


def load(context: dict[str, Any]) -> None:
    for slug, organization in context["organizations"].items():
        if TrainingSession.objects.filter(organization=organization).exists():
            continue
        if not StaffMember.objects.filter(organization=organization).exists():
            continue
        _protocols(organization)
        services.install_standard_programmes(organization, by=DEMO)
        units: dict[str, Unit] = context["units"][slug]
        if slug == "sntc":
            _chile(organization, units)
        else:
            _catalonia(organization, units)


def _protocols(organization: Organization) -> None:
    if Protocol.objects.filter(organization=organization).exists():
        return
    language = "ca" if organization.language == "ca" else "es"
    for name, kind in PROTOCOLS[language]:
        Protocol.objects.create(
            organization=organization, name=name, channel_kind=kind, status=ProtocolStatus.ACTIVE
        )


class _Cascade:
    def __init__(self, organization: Organization, units: dict[str, Unit]) -> None:
        self.organization = organization
        self.units = units
        self.today = organization.today()
        self.rng = random.Random(organization.slug)
        language = "ca" if organization.language == "ca" else "es"
        self.body, self.provider = EXTERNAL[language]
        programmes = TrainingProgramme.objects.filter(organization=organization)
        self.by_key = {p.key: p for p in programmes if p.key}
        self.model = self.by_key[PROTOCOLS_KEY]

    def day(self, months_ago: int, day: int = 10) -> dt.date:
        return add_months(self.today.replace(day=day), -months_ago)

    def staff(self, code: str) -> list[StaffMember]:
        return list(
            StaffMember.objects.filter(organization=self.organization, unit=self.units[code])
            .select_related("unit")
            .order_by("code")
        )

    def manager(self, code: str) -> StaffMember:
        return next(p for p in self.staff(code) if p.is_manager)

    def session(
        self,
        programme: TrainingProgramme,
        unit_code: str,
        people: Sequence[StaffMember],
        day: dt.date,
        trainer: StaffMember | None = None,
        *,
        everyone_passes: bool = False,
    ) -> None:
        session = services.plan_session(
            programme,
            by=DEMO,
            unit=self.units[unit_code],
            starts_on=day,
            place=self.units[unit_code].name,
            trainer=trainer,
            external_trainer="" if trainer else self.provider,
            attendees=people,
        )
        results = []
        for row in session.attendances.select_related("staff_member"):
            # Managers always pass here: they are the next generation of trainers.
            sure = everyone_passes or row.staff_member.is_manager
            attended = sure or self.rng.random() < 0.88
            score = (85 if sure else self._score()) if attended else None
            passed = score is not None and score >= PASS_MARK
            results.append(services.Result(row.pk, attended, attended, score, passed))
        services.record_session_results(session, by=DEMO, results=results)

    def _score(self) -> int:
        """Mostly good scores: about one attendee in nine falls under the pass mark."""
        return max(self.rng.randint(40, 100), self.rng.randint(40, 100))

    def certify(
        self, person: StaffMember, day: dt.date, certifier: StaffMember | None = None
    ) -> None:
        services.certify_trainer(
            self.model,
            person,
            by=DEMO,
            certified_on=day,
            certifier=certifier,
            external_body="" if certifier else self.body,
        )

    def workshop(self, key: str, unit_code: str, months_ago: int) -> None:
        people = self.staff(unit_code)
        self.session(self.by_key[key], unit_code, people[: max(len(people) * 2 // 3, 1)],
                     self.day(months_ago, 20))  # fmt: skip


def _chile(organization: Organization, units: dict[str, Unit]) -> None:
    c = _Cascade(organization, units)
    national = c.manager("DN")
    c.session(c.model, "DN", [national], c.day(11), everyone_passes=True)
    c.certify(national, c.day(10))
    directors = {code: c.manager(code) for code in ("R15", "R13", "R09")}
    c.session(c.model, "DN", list(directors.values()), c.day(9), national, everyone_passes=True)
    for director in directors.values():
        c.certify(director, c.day(8), national)
    # Arica and Parinacota: both branches trained; Arica's manager certified.
    c.session(c.model, "S-ARI", c.staff("S-ARI"), c.day(7), directors["R15"])
    c.session(c.model, "S-PUT", c.staff("S-PUT"), c.day(5), directors["R15"])
    arica = c.manager("S-ARI")
    c.certify(arica, c.day(4), directors["R15"])
    # Metropolitan: Santiago Centro trained and its manager certified, who trains Maipú;
    # Puente Alto and La Florida not reached yet.
    c.session(c.model, "S-STG", c.staff("S-STG"), c.day(6), directors["R13"])
    santiago = c.manager("S-STG")
    c.certify(santiago, c.day(5), directors["R13"])
    c.session(c.model, "S-MAI", c.staff("S-MAI"), c.day(2), santiago)
    # La Araucanía: Temuco trained last month; Villarrica waits.
    c.session(c.model, "S-TCO", c.staff("S-TCO"), c.day(1), directors["R09"])
    # The OIRS was trained by an external provider over two years ago: lapsed.
    c.session(c.model, "DAC", c.staff("DAC"), c.day(27))
    c.workshop("customer-orientation", "S-STG", 3)
    c.workshop("stress-management", "DAC", 2)
    c.workshop("communication-empathy", "S-ARI", 8)


def _catalonia(organization: Organization, units: dict[str, Unit]) -> None:
    c = _Cascade(organization, units)
    head = c.manager("OAC")
    c.session(c.model, "OAC", [head], c.day(8), everyone_passes=True)
    c.certify(head, c.day(7))
    oac = [p for p in c.staff("OAC") if p.pk != head.pk]
    c.session(c.model, "OAC", oac, c.day(6), head)
    c.session(c.model, "SS", c.staff("SS"), c.day(3), head)
    c.workshop("conflict-handling", "OAC", 4)
    c.workshop("teamwork", "SS", 2)
