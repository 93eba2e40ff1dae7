"""The procedure directory as citizens, call-centre agents and branch staff read it: which
procedures an organisation offers (its own, and other institutions' it serves as a front office
under an agreement in force), a search that ignores accents and case, and where each procedure
can be done.

The search normalises text in Python (Unicode decomposition without the accents, case-folded),
so "tramite" finds "Trámite" and "cedula" finds "cèdula" on SQLite and PostgreSQL alike; the
database only narrows the rows to the directory in scope, which stays small (hundreds of
procedures per organisation). Ranking: the whole query in the name first, then every word in
the name, then keywords, the institution's name, the summary, the requirements."""

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from compromiso.attention.models import BranchProcedure, FrontOfficeAgreement, Procedure
from compromiso.organizations.models import Organization

MAX_QUERY = 200  # characters of a query kept; the rest is ignored
MAX_WORDS = 8
MAX_RESULTS = 100

# Weight of one query word found in each field.
WEIGHTS = (
    ("name", 10),
    ("keywords", 5),
    ("institution", 3),
    ("summary", 2),
    ("requirements", 1),
)
PHRASE_IN_NAME = 25
NAME_STARTS = 5


def normalize(text: str) -> str:
    """Lower case without accents: "Cèdula d'Identitat" → "cedula d'identitat"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace("·", "").split())


def words_of(query: str) -> list[str]:
    """The words of a query worth searching for (at most MAX_WORDS, each of 2 letters or more
    unless the query is a single short word)."""
    text = normalize(query[:MAX_QUERY])
    cleaned = "".join(c if c.isalnum() or c in "-'" else " " for c in text)
    words = [w.strip("-'") for w in cleaned.split()]
    words = [w for w in words if w]
    long_words = [w for w in words if len(w) >= 2]
    return (long_words or words)[:MAX_WORDS]


def _owners_of(organizations: Iterable[Organization] | None) -> Q:
    return Q() if organizations is None else Q(organization__in=list(organizations))


def served_institution_procedures(
    organizations: Iterable[Organization], day: dt.date | None = None
) -> Q:
    """Procedures the organisations serve as front offices under agreements in force on `day`
    (each front office's own today by default)."""
    condition = Q(pk__in=[])
    for organization in organizations:
        when = day or organization.today()
        agreements = FrontOfficeAgreement.objects.in_force(when).filter(
            front_office=organization, institution__is_active=True
        )
        condition |= Q(agreements__in=agreements)
    return condition


def directory(
    organizations: Iterable[Organization] | None = None,
    *,
    day: dt.date | None = None,
    own_unpublished: bool = False,
) -> QuerySet[Procedure]:
    """The procedures offered by `organizations` (every active organisation when None): those
    they own and those they serve under an agreement in force. Published ones only, unless
    `own_unpublished` (staff reading their own directory) lets their own drafts in too."""
    base = Procedure.objects.filter(organization__is_active=True)
    if organizations is None:
        return base.filter(is_published=True)
    chosen = list(organizations)
    own = Q(organization__in=chosen)
    if not own_unpublished:
        own &= Q(is_published=True)
    served = served_institution_procedures(chosen, day) & Q(is_published=True)
    return base.filter(own | served).distinct()


@dataclass
class Hit:
    procedure: Procedure
    score: int
    fields: list[str] = field(default_factory=list)  # where the words were found


def _texts(procedure: Procedure) -> dict[str, str]:
    return {
        "name": normalize(procedure.name),
        "keywords": normalize(procedure.keywords.replace(",", " ")),
        "institution": normalize(procedure.organization.name),
        "summary": normalize(procedure.summary),
        "requirements": normalize(procedure.requirements),
    }


def score(procedure: Procedure, words: list[str], phrase: str) -> Hit | None:
    """How well a procedure matches: None unless every word is found somewhere."""
    texts = _texts(procedure)
    total = 0
    found: set[str] = set()
    for word in words:
        best = 0
        for name, weight in WEIGHTS:
            if word in texts[name]:
                best = max(best, weight)
                found.add(name)
        if best == 0:
            return None
        total += best
    if phrase and phrase in texts["name"]:
        total += PHRASE_IN_NAME
        if texts["name"].startswith(phrase):
            total += NAME_STARTS
    return Hit(procedure, total, [n for n, _w in WEIGHTS if n in found])


def search(
    query: str,
    organizations: Iterable[Organization] | None = None,
    *,
    day: dt.date | None = None,
    own_unpublished: bool = False,
    limit: int = MAX_RESULTS,
) -> list[Hit]:
    """The procedures of the directory of `organizations` (see `directory`) matching every word
    of `query`, best first; an empty query lists them all by name."""
    candidates = (
        directory(organizations, day=day, own_unpublished=own_unpublished)
        .select_related("organization")
        .order_by("name", "pk")
    )
    words = words_of(query or "")
    if not words:  # nothing asked lists all; something with no word in it finds nothing
        return [] if (query or "").strip() else [Hit(p, 0) for p in candidates[:limit]]
    phrase = " ".join(words)
    hits = [hit for p in candidates if (hit := score(p, words, phrase)) is not None]
    hits.sort(key=lambda h: (-h.score, normalize(h.procedure.name), h.procedure.pk))
    return hits[:limit]


def where(
    procedures: Iterable[Procedure],
    *,
    day: dt.date | None = None,
) -> dict[int, list[BranchProcedure]]:
    """For each procedure, the active branches serving it: the owner's, and those of front
    offices serving it under an agreement in force."""
    chosen = list(procedures)
    if not chosen:
        return {}
    rows = (
        BranchProcedure.objects.filter(
            procedure__in=chosen,
            branch__is_active=True,
            branch__touch_point__is_active=True,
            branch__organization__is_active=True,
        )
        .select_related(
            "branch",
            "branch__touch_point",
            "branch__organization",
            "queue",
            "procedure",
        )
        .order_by("branch__touch_point__name", "pk")
    )
    fronts: dict[int, set[int]] = {}  # procedure → front offices with an agreement in force
    links = FrontOfficeAgreement.procedures.through.objects.filter(
        procedure__in=chosen
    ).select_related("frontofficeagreement", "frontofficeagreement__front_office")
    for link in links:
        agreement = link.frontofficeagreement
        when = day or agreement.front_office.today()
        in_force = agreement.valid_from <= when and (
            agreement.valid_until is None or agreement.valid_until >= when
        )
        if in_force:
            fronts.setdefault(link.procedure_id, set()).add(agreement.front_office_id)
    found: dict[int, list[BranchProcedure]] = {p.pk: [] for p in chosen}
    for row in rows:
        owner = row.procedure.organization_id
        if row.branch.organization_id == owner or row.branch.organization_id in fronts.get(
            row.procedure_id, set()
        ):
            found[row.procedure_id].append(row)
    return found


def front_offices(procedure: Procedure, day: dt.date | None = None) -> list[Organization]:
    """The organisations serving the procedure under an agreement in force."""
    agreements = FrontOfficeAgreement.objects.filter(
        procedures=procedure, front_office__is_active=True
    ).select_related("front_office")
    found: dict[int, Organization] = {}
    for agreement in agreements:
        when = day or agreement.front_office.today()
        if agreement.valid_from <= when and (
            agreement.valid_until is None or agreement.valid_until >= when
        ):
            found[agreement.front_office_id] = agreement.front_office
    return sorted(found.values(), key=lambda o: o.name)
