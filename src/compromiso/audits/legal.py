"""Legal requirements an audit checks, per jurisdiction profile of the audited organisation
(research/charters_audits.md §A, the deadlines of `cases/presets.py`). Each carries its citation,
kept as the law names it; the requirement and the guidance are translated.

These are a starting point the checklist generator adds to every audit; the auditor adds what
the organisation's own rules require as free items."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from compromiso.organizations.models import JurisdictionProfile as P


@dataclass(frozen=True)
class LegalRequirement:
    code: str  # stable within its profile: the checklist item's key is made from it
    text: Promise
    citation: str
    guidance: Promise


_CHARTER_PUBLISHED = _(
    "The service charter is approved, published and available to users at every touch point."
)
_CHARTER_PUBLISHED_HOW = _(
    "Ask for the act that approved it; check the published version and that it can be "
    "consulted at the counters and on the website."
)
_COMPLAINT_CHANNELS = _(
    "Users can file complaints and suggestions through every channel the charter names, and "
    "each one is registered."
)
_COMPLAINT_CHANNELS_HOW = _(
    "File a test suggestion through each channel and find it in the register; compare the "
    "channels with those the charter lists."
)
_REDRESS = _("The charter states what users get when a commitment is breached, and it is applied.")
_REDRESS_HOW = _(
    "Read the redress section; in the sample of cases, find breaches and whether redress was "
    "offered."
)

REQUIREMENTS: dict[str, tuple[LegalRequirement, ...]] = {
    P.ES_PUBLIC: (
        LegalRequirement(
            "charter",
            _CHARTER_PUBLISHED,
            "Real Decreto 951/2005, arts. 8–10",
            _CHARTER_PUBLISHED_HOW,
        ),
        LegalRequirement(
            "charter-review",
            _(
                "The charter's commitments are followed up every year and the charter is "
                "reviewed and updated."
            ),
            "Real Decreto 951/2005, art. 11",
            _("Ask for the last follow-up report and the date of the last review."),
        ),
        LegalRequirement(
            "complaints-20",
            _("Complaints and suggestions are answered within 20 business days."),
            "Real Decreto 951/2005, art. 16; Ley 39/2015, art. 30.2",
            _(
                "In the sample of cases, count those answered after 20 business days; compare "
                "with the charter's published result."
            ),
        ),
        LegalRequirement(
            "complaints-book",
            _(
                "The complaints and suggestions book is available, on paper and electronically, "
                "at every office that serves the public."
            ),
            "Real Decreto 951/2005, art. 15",
            _("Ask for the book at each counter visited; check the electronic form works."),
        ),
        LegalRequirement("redress", _REDRESS, "Real Decreto 951/2005, art. 9", _REDRESS_HOW),
    ),
    P.ES_CATALONIA_PUBLIC: (
        LegalRequirement(
            "art59-content",
            _(
                "The charter contains what the law requires: management model, managers "
                "responsible, minimum quality standards with their indicators, access "
                "conditions, users' rights and duties, fees, complaint channels and ways to "
                "get information."
            ),
            "Llei 19/2014, art. 59",
            _("Compare the published charter with each item of the article."),
        ),
        LegalRequirement(
            "minimum-standards",
            _("The minimum quality standards are measured and their results published."),
            "Llei 19/2014, art. 59",
            _("Check the indicators' values for the period and where they are published."),
        ),
        LegalRequirement(
            "evaluation",
            _("The charter is evaluated every two years and updated at least every five."),
            "Llei 26/2010, as amended by Llei 16/2015",
            _("Ask for the last evaluation and the approval date of the version in force."),
        ),
        LegalRequirement(
            "redress",
            _(
                "The charter states the redress or correction measures when minimum standards "
                "are not met, and they are applied."
            ),
            "Llei 19/2014, art. 59",
            _REDRESS_HOW,
        ),
        LegalRequirement(
            "complaints", _COMPLAINT_CHANNELS, "Llei 19/2014, art. 59", _COMPLAINT_CHANNELS_HOW
        ),
    ),
    P.CL_PUBLIC: (
        LegalRequirement(
            "oirs",
            _(
                "An information, complaints and suggestions office (OIRS) serves the public and "
                "registers every request."
            ),
            "Decreto Supremo 680/1990, Ministerio del Interior",
            _("Visit the office or its channels; check requests are registered with a number."),
        ),
        LegalRequirement(
            "answer-20",
            _("Requests are decided and answered within 20 business days."),
            "Ley 19.880, arts. 24–25",
            _("In the sample of cases, count those answered after 20 business days."),
        ),
        LegalRequirement(
            "transparency",
            _(
                "Requests for access to public information are answered within 20 business "
                "days, extended by 10 only with notice."
            ),
            "Ley 20.285, art. 14",
            _("Check the transparency requests of the period and their answer dates."),
        ),
        LegalRequirement(
            "active-transparency",
            _("The information the law requires is published and up to date on the website."),
            "Ley 20.285, art. 7",
            _("Open the active transparency section; check its last update."),
        ),
        LegalRequirement(
            "complaints",
            _COMPLAINT_CHANNELS,
            "Decreto Supremo 680/1990, Ministerio del Interior",
            _COMPLAINT_CHANNELS_HOW,
        ),
    ),
    P.ES_COMPANY: (
        LegalRequirement(
            "complaints-15",
            _("Customer complaints are resolved within 15 business days."),
            "Ley 10/2025, de servicios de atención a la clientela",
            _("In the sample of cases, count those resolved after 15 business days."),
        ),
        LegalRequirement(
            "human",
            _("Customers can ask to be attended by a person, not only by automated systems."),
            "Ley 10/2025, de servicios de atención a la clientela",
            _("Call and write through each channel and ask for a person."),
        ),
        LegalRequirement(
            "complaints",
            _COMPLAINT_CHANNELS,
            "Ley 10/2025, de servicios de atención a la clientela",
            _COMPLAINT_CHANNELS_HOW,
        ),
    ),
    P.CL_COMPANY: (
        LegalRequirement(
            "answer-10",
            _("Consumer complaints are answered, with reasons, within 10 business days."),
            "Ley 19.496 (Sello SERNAC)",
            _("In the sample of cases, count those answered after 10 business days."),
        ),
        LegalRequirement("complaints", _COMPLAINT_CHANNELS, "Ley 19.496", _COMPLAINT_CHANNELS_HOW),
    ),
    P.OTHER: (
        LegalRequirement("charter", _CHARTER_PUBLISHED, "UNE 93200:2008", _CHARTER_PUBLISHED_HOW),
        LegalRequirement(
            "complaints", _COMPLAINT_CHANNELS, "UNE 93200:2008", _COMPLAINT_CHANNELS_HOW
        ),
        LegalRequirement("redress", _REDRESS, "UNE 93200:2008", _REDRESS_HOW),
    ),
}


def requirements_for(profile: str) -> tuple[LegalRequirement, ...]:
    """The requirements of a jurisdiction profile (those of UNE 93200 when it is unknown)."""
    return REQUIREMENTS.get(profile, REQUIREMENTS[P.OTHER])
