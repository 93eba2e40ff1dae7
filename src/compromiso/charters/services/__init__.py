"""Every change to a charter: drafting, commitments, review, approval, publication, renewal,
expiry, and the measurements of its commitments. Each writes an audit entry.

Callers import from here (`from compromiso.charters.services import publish_charter`); the
modules are split by noun: `lifecycle` (draft → review → approved → published), `content`
(sections and commitments), `versions` (renewal and comparison), `measurements` (computed and
manual results, breaches), `reviews` (expiry and review reminders)."""

from compromiso.charters.services.content import COMMITMENT_FIELDS as COMMITMENT_FIELDS
from compromiso.charters.services.content import remove_commitment as remove_commitment
from compromiso.charters.services.content import save_commitment as save_commitment
from compromiso.charters.services.content import save_sections as save_sections
from compromiso.charters.services.guards import CharterError as CharterError
from compromiso.charters.services.lifecycle import CHARTER_FIELDS as CHARTER_FIELDS
from compromiso.charters.services.lifecycle import approve_charter as approve_charter
from compromiso.charters.services.lifecycle import create_charter as create_charter
from compromiso.charters.services.lifecycle import (
    missing_for_publication as missing_for_publication,
)
from compromiso.charters.services.lifecycle import publish_charter as publish_charter
from compromiso.charters.services.lifecycle import return_to_draft as return_to_draft
from compromiso.charters.services.lifecycle import submit_for_review as submit_for_review
from compromiso.charters.services.lifecycle import update_charter as update_charter
from compromiso.charters.services.measurements import approve_measurement as approve_measurement
from compromiso.charters.services.measurements import breach_recipients as breach_recipients
from compromiso.charters.services.measurements import (
    compute_measurements as compute_measurements,
)
from compromiso.charters.services.measurements import (
    record_manual_measurement as record_manual_measurement,
)
from compromiso.charters.services.reviews import expire_and_remind as expire_and_remind
from compromiso.charters.services.reviews import review_due as review_due
from compromiso.charters.services.versions import compare as compare
from compromiso.charters.services.versions import renew_charter as renew_charter
