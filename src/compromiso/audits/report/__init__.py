"""The audit report (ISO 19011 §6.5.1): its content assembled from the audit (`content`), the
degree to which the criteria are met (`degree`), the corrective plan read live (`plan`), the
issued version frozen (`frozen`) and the PDF (`pdf`)."""

from compromiso.audits.report.content import ReportContent, build
from compromiso.audits.report.degree import Degree, Tally
from compromiso.audits.report.frozen import fingerprint, from_data, to_data
from compromiso.audits.report.plan import PlanLine, corrective_plan, effective_actions, is_remedied

__all__ = [
    "Degree",
    "PlanLine",
    "ReportContent",
    "Tally",
    "build",
    "corrective_plan",
    "effective_actions",
    "fingerprint",
    "from_data",
    "is_remedied",
    "to_data",
]
