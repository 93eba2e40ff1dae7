"""Every change of the audits app goes through these services, one module per noun; the public
doors are re-exported here (`from compromiso.audits.services import take_snapshot`)."""

from compromiso.audits.services.evidence import (
    EvidenceError,
    is_expired,
    is_valid,
    record_evidence,
    review_evidence,
    submit_evidence,
    take_snapshot,
    update_evidence,
    valid_evidence,
)
from compromiso.audits.services.evidence import verify as verify_evidence
from compromiso.audits.services.findings import (
    FindingError,
    answer_finding,
    findings_by_touch_point,
    nonconformity_counts,
    record_finding,
    resolve_divergence,
    set_root_cause,
    unresolved_divergences,
    update_finding,
)
from compromiso.audits.services.grades import (
    GradeError,
    create_grade,
    delete_grade,
    ensure_grades,
    update_grade,
)

__all__ = [
    "EvidenceError",
    "FindingError",
    "GradeError",
    "answer_finding",
    "create_grade",
    "delete_grade",
    "ensure_grades",
    "findings_by_touch_point",
    "is_expired",
    "is_valid",
    "nonconformity_counts",
    "record_evidence",
    "record_finding",
    "resolve_divergence",
    "review_evidence",
    "set_root_cause",
    "submit_evidence",
    "take_snapshot",
    "unresolved_divergences",
    "update_evidence",
    "update_finding",
    "update_grade",
    "valid_evidence",
    "verify_evidence",
]
