"""What a charter must contain before it is published, per jurisdiction profile
(research/charters_audits.md §A)."""

from compromiso.charters.models import SectionKind as S
from compromiso.organizations.models import JurisdictionProfile as P

# UNE 93200 (U1–U4): services, law, rights and duties, complaint channels, commitments and
# indicators, communication, redress.
UNE_93200 = frozenset({S.IDENTITY, S.LAW, S.RIGHTS, S.COMPLAINTS, S.REDRESS, S.COMMUNICATION})

REQUIRED_SECTIONS: dict[str, frozenset[str]] = {
    # RD 951/2005 practice (AEVAL guide; the Delegación del Gobierno en Murcia charter).
    P.ES_PUBLIC: frozenset(
        {
            S.IDENTITY,
            S.RIGHTS,
            S.PARTICIPATION,
            S.LAW,
            S.COMPLAINTS,
            S.REDRESS,
            S.EQUALITY,
            S.MANAGEMENT_SYSTEMS,
            S.COMPLEMENTARY,
        }
    ),
    # Llei 19/2014 art. 59 a)–h) and the DIBA list (redress when minimum standards fail).
    P.ES_CATALONIA_PUBLIC: frozenset(
        {
            S.IDENTITY,
            S.MANAGERS,
            S.ACCESS,
            S.RIGHTS,
            S.FEES,
            S.COMPLAINTS,
            S.REDRESS,
            S.COMPLEMENTARY,
        }
    ),
    # Chile has no charter standard we could verify: commitments per channel plus what
    # every charter model shares (rights, complaint channels, redress, where to go).
    P.CL_PUBLIC: frozenset({S.IDENTITY, S.RIGHTS, S.COMPLAINTS, S.REDRESS, S.COMPLEMENTARY}),
    P.CL_COMPANY: UNE_93200,
    P.ES_COMPANY: UNE_93200,
    P.OTHER: UNE_93200,
}

# The Catalan method (EAPC phase V): every service covered carries a binding commitment.
EVERY_SERVICE_NEEDS_A_COMMITMENT = True

# Catalonia's Llei 26/2010 (as amended by Llei 16/2015): evaluate every 2 years.
EVALUATION_YEARS: dict[str, int] = {P.ES_CATALONIA_PUBLIC: 2}


def required_sections(profile: str) -> frozenset[str]:
    return REQUIRED_SECTIONS.get(profile, UNE_93200)
