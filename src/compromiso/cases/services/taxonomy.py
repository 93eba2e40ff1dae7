"""What cases are about: categories and subcategories, the root-cause coding, classifying."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compromiso.cases.models import (
    Case,
    Category,
    RootCause,
)
from compromiso.cases.services.figures import refresh_facts_later
from compromiso.cases.services.guards import require_handler, same_organization
from compromiso.core.actors import Actor
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization

# --- Taxonomies -------------------------------------------------------------------------------

# A root-cause coding in the spirit of AEVAL's "Guía para la gestión de Quejas y Sugerencias"
# (2nd ed., 2013): information, treatment, timeliness, facilities, procedure… The grouping and
# wording are ours (the guide's own cause list was not available to check); organisations edit
# it freely.
ROOT_CAUSES: dict[str, tuple[tuple[str, str], ...]] = {
    "es": (
        ("INF", "Información: insuficiente, errónea o poco clara"),
        ("TRA", "Trato: falta de cortesía, respeto o empatía"),
        ("TIE", "Tiempo: esperas, demoras o plazos incumplidos"),
        ("INS", "Instalaciones, equipamiento y accesibilidad"),
        ("PRO", "Procedimiento: trámites, requisitos o documentación"),
        ("COM", "Competencia profesional y calidad técnica del servicio"),
        ("CAN", "Canales: teléfono, web o sede electrónica"),
        ("NOR", "Normativa o decisión administrativa"),
        ("OTR", "Otras causas"),
    ),
    "ca": (
        ("INF", "Informació: insuficient, errònia o poc clara"),
        ("TRA", "Tracte: manca de cortesia, respecte o empatia"),
        ("TEM", "Temps: esperes, demores o terminis incomplerts"),
        ("INS", "Instal·lacions, equipament i accessibilitat"),
        ("PRO", "Procediment: tràmits, requisits o documentació"),
        ("COM", "Competència professional i qualitat tècnica del servei"),
        ("CAN", "Canals: telèfon, web o seu electrònica"),
        ("NOR", "Normativa o decisió administrativa"),
        ("ALT", "Altres causes"),
    ),
    "en": (
        ("INF", "Information: missing, wrong or unclear"),
        ("TRE", "Treatment: lack of courtesy, respect or empathy"),
        ("TIM", "Time: waits, delays or missed deadlines"),
        ("FAC", "Facilities, equipment and accessibility"),
        ("PRO", "Procedure: steps, requirements or paperwork"),
        ("SKI", "Professional skill and technical quality of the service"),
        ("CHA", "Channels: phone, web or online office"),
        ("RUL", "Rules or administrative decision"),
        ("OTH", "Other causes"),
    ),
}


@transaction.atomic
def install_root_causes(organization: Organization, *, by: Actor) -> int:
    """A manager installs the standard cause coding, in the organisation's language, when the
    organisation has none (one created before the coding was seeded at creation)."""
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=organization.pk)
    return seed_root_causes(organization, by=by)


@transaction.atomic
def seed_root_causes(organization: Organization, *, by: Actor) -> int:
    """Seed the standard cause coding, in the organisation's language, when it has none: done
    when an organisation is created (cases listen to `organization_created`)."""
    if RootCause.objects.filter(organization=organization).exists():
        return 0
    coding = ROOT_CAUSES.get(organization.language, ROOT_CAUSES["es"])
    RootCause.objects.bulk_create(
        RootCause(organization=organization, code=code, name=name) for code, name in coding
    )
    log_action(organization, "cases.root_causes.installed", by=by, data={"count": len(coding)})
    return len(coding)


@transaction.atomic
def save_category(
    organization: Organization,
    *,
    name: str,
    by: Actor,
    parent: Category | None = None,
    category: Category | None = None,
    is_active: bool = True,
) -> Category:
    """Create or rename a category or subcategory (subcategories are one level deep)."""
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=organization.pk)
    same_organization(organization, parent=parent)
    if parent is not None and parent.parent_id is not None:
        raise ValidationError({"parent": _("Subcategories cannot have subcategories.")})
    if category is not None and parent is not None and parent.pk == category.pk:
        raise ValidationError({"parent": _("A category cannot be its own subcategory.")})
    target = category or Category(organization=organization)
    twin = Category.objects.filter(
        organization=organization, parent=parent, name__iexact=name.strip()
    ).exclude(pk=target.pk)
    if twin.exists():
        raise ValidationError({"name": _("A category with this name already exists here.")})
    before = snapshot(target, ["name", "parent", "is_active"]) if category else {}
    target.name, target.parent, target.is_active = name.strip(), parent, is_active
    target.full_clean()
    target.save()
    log_action(
        target,
        "cases.category.updated" if category else "cases.category.created",
        by=by,
        data=changes(before, snapshot(target, ["name", "parent", "is_active"])),
    )
    return target


@transaction.atomic
def save_root_cause(
    organization: Organization,
    *,
    code: str,
    name: str,
    by: Actor,
    cause: RootCause | None = None,
    is_active: bool = True,
) -> RootCause:
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=organization.pk)
    target = cause or RootCause(organization=organization)
    target.code, target.name, target.is_active = code.strip().upper(), name.strip(), is_active
    target.full_clean()
    target.save()
    log_action(target, "cases.root_cause.saved", by=by, data={"code": target.code})
    return target


@transaction.atomic
def classify_case(
    case: Case,
    *,
    by: Actor,
    category: Category | None,
    priority: str | None = None,
    root_cause: RootCause | None = None,
) -> Case:
    """Set what the case is about (category), its priority and, once known, its root cause."""
    require_handler(case, by)
    same_organization(case.organization, category=category, root_cause=root_cause)
    fields = ["category", "root_cause", "priority"]
    before = snapshot(case, fields)
    case.category = category
    if root_cause is not None:
        case.root_cause = root_cause
    if priority:
        case.priority = priority
    case.full_clean(exclude=["secret_hash", "tracking_code"])
    case.save(update_fields=[*fields, "updated_at"])
    diff = changes(before, snapshot(case, fields))
    if diff:
        log_action(case, "cases.case.classified", by=by, data=diff)
        refresh_facts_later(case)
    return case
