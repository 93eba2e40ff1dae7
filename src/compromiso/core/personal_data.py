"""The registry of personal data: every model field that can hold a citizen's personal data (a
requester's or a survey respondent's) is declared here, with how it is erased. Retention, export
and erasure walk this registry (`cases/privacy.py`, `surveys/privacy.py`); a test checks every
model's fields against it and against `NOT_PERSONAL`, so a new field cannot be forgotten.

Models are named by label, so this module imports no domain app. Which rows belong to a person is
for each app to say; what to do with each field is said here."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.dispatch import Signal

ERASED = "—"


class Erase:
    BLANK = "blank"  # the empty value
    MARK = "mark"  # "—": something was there
    FILE = "file"  # the stored file is deleted
    AUDIT_LABEL = "audit_label"  # the audit entry's label becomes the object's code alone


@dataclass(frozen=True)
class PersonalField:
    model: str  # "app_label.ModelName"
    field: str
    erase: str
    expires: bool = True  # cleared by retention (otherwise only on request)
    note: str = ""


REGISTRY: tuple[PersonalField, ...] = (
    # A requester: found by e-mail address or national ID; expires with the closed case.
    PersonalField("cases.Case", "requester_name", Erase.BLANK),
    PersonalField("cases.Case", "requester_national_id", Erase.BLANK),
    PersonalField("cases.Case", "requester_email", Erase.BLANK),
    PersonalField("cases.Case", "requester_phone", Erase.BLANK),
    PersonalField("cases.Case", "requester_address", Erase.BLANK),
    PersonalField("cases.Case", "subject", Erase.MARK),
    PersonalField("cases.Case", "description", Erase.MARK),
    PersonalField("cases.CaseEvent", "comment", Erase.MARK),
    PersonalField("cases.Attachment", "file", Erase.FILE),
    PersonalField("cases.Attachment", "filename", Erase.MARK),
    PersonalField("cases.Redress", "description", Erase.MARK, note="may describe the person"),
    PersonalField("cases.HandlingRating", "comment", Erase.BLANK),
    PersonalField("core.AuditEntry", "object_repr", Erase.AUDIT_LABEL, note="'code · subject'"),
    # A survey respondent: found by the contact address they gave (or the invitation's).
    PersonalField("surveys.Response", "contact_email", Erase.BLANK),
    PersonalField("surveys.Response", "panel_key", Erase.BLANK, note="HMAC of the address"),
    PersonalField("surveys.Answer", "text", Erase.BLANK, expires=False, note="free text"),
    PersonalField("surveys.Invitation", "email", Erase.BLANK),
    # A visitor who left a phone or an address to be told when their turn comes, a booking's
    # holder, a contact's note; imported queue and contact-centre files: retention only.
    PersonalField("attention.Visit", "phone", Erase.BLANK),
    PersonalField("attention.Visit", "email", Erase.BLANK),
    PersonalField("attention.Appointment", "name", Erase.MARK),
    PersonalField("attention.Appointment", "email", Erase.BLANK),
    PersonalField("attention.Appointment", "phone", Erase.BLANK),
    PersonalField("attention.Contact", "note", Erase.BLANK, note="may describe the person"),
    PersonalField("attention.ImportJob", "file", Erase.FILE),
    PersonalField("attention.ImportJob", "rejected", Erase.BLANK),
    # Imported survey files and the cells of their rejected rows: retention only.
    PersonalField("surveys.ImportJob", "file", Erase.FILE),
    PersonalField("surveys.ImportJob", "rejected", Erase.BLANK),
)

# Fields that can hold text but no citizen's personal data, and why.
NOT_PERSONAL: Mapping[str, str] = {
    # Staff accounts: their holders' data, kept while the account exists (deactivate it).
    "organizations.User.username": "staff account",
    "organizations.User.first_name": "staff account",
    "organizations.User.last_name": "staff account",
    "organizations.User.email": "staff account",
    "organizations.User.password": "staff account (a hash)",
    "organizations.User.preferred_language": "staff account",
    "core.AuditEntry.actor_label": "the staff member's user name",
    # The sign-in log (organizations/sign_ins.py): staff accounts, kept a year, then deleted.
    "organizations.SignIn.outcome": "a code",
    "organizations.SignIn.username": (
        "staff accounts: the user name typed at the staff log-in (no password), deleted after"
        " a year"
    ),
    "organizations.SignIn.network": "staff accounts: the /24 or /48 network, never the address",
    "organizations.SignIn.user_agent": "staff accounts: the browser's name, deleted after a year",
    "organizations.SignIn.second_factor": "a code",
    "core.AuditEntry.object_id": "an id",
    "core.AuditEntry.action": "a code",
    "core.AuditEntry.data": "ids, codes and changed settings, never a requester's data",
    # Short-lived: deleted on a schedule, never kept.
    "core.RateCounter.key": "client addresses and hashes, deleted within a day (ratelimit.purge)",
    "cases.PendingAcknowledgement.nonce": "random",
    "cases.PendingAcknowledgement.sealed": "sealed secret, deleted once sent or after two days",
    "cases.IntakeKey.key": "a submission id or a hash of a Message-ID",
    "cases.IntakeKey.body_hash": "a hash",
    "cases.Case.tracking_code": "a code",
    "cases.Case.secret_hash": "an HMAC",
    "cases.Case.search_config": "the text-search configuration of the organisation's language",
    "cases.Attachment.content_type": "a type",
    "cases.Attachment.sha256": "a hash",
    "surveys.Invitation.token": "random",
    "surveys.ImportJob.file_name": "the staff member's file name",
    "surveys.ImportJob.sha256": "a hash",
    "surveys.ImportJob.headers": "column names",
    "surveys.ImportJob.mapping": "column mapping",
    "surveys.ImportJob.message": "the import's outcome",
    "surveys.Response.grades": "anonymous grades",
    "surveys.Answer.choices": "anonymous choices",
    "surveys.Kiosk.name": "the device's name, given by staff",
    "surveys.Kiosk.key_hash": "a hash of the device's random key",
    "attention.Visit.number": "a ticket number",
    "attention.Visit.code": "random",
    "attention.Visit.language": "a language code",
    "attention.Visit.external_id": "another system's key",
    "attention.Appointment.code": "random",
    "attention.Appointment.secret_hash": "an HMAC",
    "attention.Appointment.language": "a language code",
    "attention.Contact.external_id": "another system's key",
    "attention.ImportJob.file_name": "the staff member's file name",
    "attention.ImportJob.headers": "column names",
    "attention.ImportJob.mapping": "column mapping",
    "attention.ImportJob.message": "the import's outcome",
}
# Whole models of organisation content written by staff, reference data, figures and settings.
NOT_PERSONAL_MODELS: Mapping[str, str] = {
    "organizations.Organization": "settings",
    "organizations.Unit": "structure",
    "organizations.Membership": "roles",
    "organizations.ClosureDay": "calendar",
    "organizations.ApiToken": "a name, a hash and its hint",
    "organizations.TotpDevice": "a staff account's sealed authenticator secret",
    "organizations.RecoveryCode": "hashes of a staff account's recovery codes",
    "organizations.WebAuthnCredential": "a staff account's security keys: public keys, names",
    "core.ScheduledRun": "a periodic job's name, due time, node (host:pid) and outcome",
    "catalog.Channel": "catalogue",
    "catalog.TouchPoint": "catalogue",
    "catalog.Service": "catalogue",
    "catalog.Attribute": "catalogue",
    "cases.DeadlinePolicy": "settings",
    "cases.Category": "taxonomy",
    "cases.RootCause": "taxonomy",
    "cases.AssignmentRule": "settings",
    "cases.CannedAnswer": "templates written by staff",
    "cases.CaseDailyFact": "counts",
    "surveys.Questionnaire": "questionnaires",
    "surveys.Question": "questionnaires",
    "surveys.Wave": "settings",
    "surveys.AttributeReview": "staff's review",
    "surveys.AttributeProposal": "staff's proposal",
    "surveys.SegmentCount": "counts",
    "surveys.DriverMoments": "sums",
    "surveys.IncentiveScheme": "settings",
    "surveys.IncentiveResult": "figures",
    "charters.Charter": "published content",
    "charters.Section": "published content",
    "charters.Commitment": "published content",
    "charters.Measurement": "figures and evidence written by staff",
    "improvement.ImprovementAction": "written by staff",
    "improvement.ActionOrigin": "links",
    "improvement.ActionEvent": "written by staff",
    "servicemodel.ServiceModel": "published content",
    "servicemodel.ModelAxis": "published content",
    "servicemodel.Promise": "published content",
    "servicemodel.Acknowledgement": "a staff member and a time",
    "servicemodel.StaffMember": "the staff list: employees, not citizens (deactivate on leaving)",
    "servicemodel.Protocol": "published content",
    "servicemodel.ProtocolStep": "published content",
    "servicemodel.StepVariant": "published content",
    "servicemodel.ProtocolOverride": "settings",
    "servicemodel.QualityProject": "a plan written by staff, naming staff in their roles",
    "servicemodel.ProjectTeam": "a plan written by staff",
    "servicemodel.TeamMember": "a staff member's role in a project team",
    "servicemodel.Milestone": "a plan written by staff",
    "servicemodel.CommunicationItem": "messages to staff and the public, and their reach",
    "servicemodel.TrainingProgramme": "the training catalogue",
    "servicemodel.TrainingSession": "a unit's session: dates, place, trainer (staff)",
    "servicemodel.Attendance": "staff data, not citizens': attendance and assessment scores",
    "servicemodel.Competence": "staff data, not citizens': who completed a programme, when",
    "servicemodel.TrainerCertification": (
        "staff data, not citizens': the trainers' cascade, and why a certification was revoked"
    ),
    "servicemodel.ProtocolCheck": "an observation of the staff's work, written by staff",
    "servicemodel.StepResult": "figures and comments written by staff",
    "servicemodel.StaffImport": (
        "an uploaded staff list (employees, not citizens): emptied once applied or discarded,"
        " deleted after a day if never confirmed"
    ),
    "attention.Branch": "settings",
    "attention.OpeningHours": "settings",
    "attention.Queue": "settings",
    "attention.Desk": "settings",
    "attention.DeskSession": "a staff member at a desk, from when to when",
    "attention.Procedure": "published content",
    "attention.FrontOfficeAgreement": "an agreement between organisations",
    "attention.BranchProcedure": "settings",
    "attention.SlotPlan": "settings",
    "attention.Transaction": "times, queues, desks and outcomes of a visit (no identity)",
    "attention.VisitDailyFact": "counts and histograms per day (no identity)",  # -- figures
    "attention.VisitFactsMark": "when the facts were last refreshed",  # -- figures
    "attention.VisitDaySummary": "counts and histograms per day (no identity)",  # -- netfacts
    "attention.VisitEvent": "a time, a state change and ids (no identity)",
    "attention.ContactInterval": "counts",
    "attention.VisitSurvey": "a link between a visit and its survey invitation",
    "attention.VisitCase": "a link between a visit and a case",
    "audits.AuditProgramme": "a plan written by staff",
    "audits.AuditProposal": "a proposal written by staff",
    "audits.NeedSignal": "links and the figures seen then",
    "audits.Framework": "criteria",
    "audits.FrameworkNode": "criteria",
    "audits.Audit": "an audit's plan, written by staff",
    "audits.TeamMember": "an auditor's role, self-check, declarations and competence (staff)",
    "audits.AuditAccess": "who was let into an audit, when and why it ended",
    "audits.Agreement": "an agreement between the audit team and the audited organisation",
    "audits.InformationRequest": "requests and answers between staff",
    "audits.SamplingRecord": "how a sample was drawn, and the drawn keys (codes, never identities)",
    "audits.ChecklistItem": "criteria",
    "audits.Answer": "an auditor's result and notes",
    "audits.AnswerSubmission": "which device's submission made which revision of an answer",
    "audits.Evidence": (
        "figures frozen from live data (case samples keep codes and classifications, never a"
        " requester's identity) and auditors' observations"
    ),
    "audits.AuditFile": "a file uploaded by staff to an audit, under a random name",
    "audits.Grade": "settings",
    "audits.Finding": "findings and answers written by staff",
    "audits.Report": "a report written by staff",
    "audits.FollowUp": "written by staff",
    "audits.MysteryScenario": "a script written by staff for a simulated user (no real person)",
    "audits.MysteryRound": "settings of a mystery-shopping round",
    "audits.MysteryVisit": "a staff observer's visit: times, minutes and notes on the service",
    "audits.MysteryAnswer": "an observer's result and comment on a scenario item",
    "audits.SelfAssessment": "a self-assessment written by staff",
    "audits.ElementRating": "a rating and its reasons, written by staff",
    "audits.CertificationBody": "an organisation that certifies",
    "audits.Certificate": (
        "a certificate's scope, state and the verification matrix frozen then (commitments and"
        " touch points, never a requester's data)"
    ),
    "audits.CertificateReview": (
        "a certification body's conclusions, its lead assessor's name (a professional acting"
        " for the body) and the frozen verification matrix"
    ),
}
# A case's classification and policy, not who the person is.
NOT_PERSONAL_FIELDS_OF: Mapping[str, tuple[str, ...]] = {
    "cases.Case": (
        "kind",
        "status",
        "priority",
        "reply_channel",
        "deadline_unit",
        "extension_unit",
        "legal_basis",
        "derived_to",
        "external_recourse",
        "verdict",
    ),
    "cases.CaseEvent": ("kind", "from_status", "to_status"),
    "cases.Redress": ("kind",),
    "surveys.Response": ("user_type", "age_band", "source"),
    "surveys.ImportJob": ("status",),
    "attention.Visit": ("source", "priority_group", "state"),
    "attention.Appointment": ("status",),
    "attention.Contact": ("kind", "outcome", "source"),
    "attention.ImportJob": ("kind", "status"),
}


# News for the apps above `cases` (surveys): a person's data is exported or erased, or retention
# runs for an organisation. Receivers return a mapping of what they hold (export) or a count.
export_requested = Signal()  # organization, email, national_id -> {name: [rows]}
erasure_requested = Signal()  # organization, email, national_id, by -> int
retention_due = Signal()  # organization, before -> int


def fields_of(model: type[models.Model] | str) -> tuple[PersonalField, ...]:
    label = model if isinstance(model, str) else model._meta.label
    return tuple(entry for entry in REGISTRY if entry.model == label)


def exported(obj: models.Model) -> dict[str, Any]:
    """The registered fields of one row, as a portable document shows them."""
    values: dict[str, Any] = {}
    for entry in fields_of(type(obj)):
        value = getattr(obj, entry.field)
        is_file = isinstance(value, models.fields.files.FieldFile)
        values[entry.field] = value.name if is_file else value
    return values


def erase(
    rows: models.QuerySet[Any] | Iterable[models.Model],
    *,
    retention: bool = False,
    also: Mapping[str, Any] | None = None,
) -> int:
    """Erase the registered fields of these rows (on retention, only the expiring ones), setting
    the `also` values in the same save."""
    count = 0
    for obj in rows:
        entries = [e for e in fields_of(type(obj)) if e.expires or not retention]
        changed: list[str] = []
        for entry in entries:
            value = getattr(obj, entry.field)
            if entry.erase == Erase.FILE:
                if value:
                    value.delete(save=False)
                    setattr(obj, entry.field, "")
                    changed.append(entry.field)
                continue
            if entry.erase == Erase.AUDIT_LABEL:
                new = str(value).split(" · ", 1)[0]
            elif entry.erase == Erase.MARK:
                new = ERASED if value else value
            else:
                field = obj._meta.get_field(entry.field)
                new = field.get_default() if isinstance(field, models.JSONField) else ""
            if new != value:
                setattr(obj, entry.field, new)
                changed.append(entry.field)
        for name, value in (also or {}).items():
            setattr(obj, name, value)
            changed.append(name)
        if changed:
            obj.save(update_fields=sorted(set(changed)))
            count += 1
    return count


def registered_models() -> list[type[models.Model]]:
    return [apps.get_model(label) for label in sorted({e.model for e in REGISTRY})]
