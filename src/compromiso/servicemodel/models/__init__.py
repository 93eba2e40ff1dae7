"""The service model's nouns, one module each: the model and its versions (`model`), the staff
who serve users (`people`) and the attention protocols at each touch point (`protocols`)."""

from compromiso.servicemodel.models.model import (
    MAX_AXES,
    MAX_PROMISES,
    Acknowledgement,
    ModelAxis,
    ModelStatus,
    Promise,
    ServiceModel,
)
from compromiso.servicemodel.models.people import StaffMember, StaffMemberQuerySet, StaffRole
from compromiso.servicemodel.models.protocols import (
    Protocol,
    ProtocolOverride,
    ProtocolQuerySet,
    ProtocolStatus,
    ProtocolStep,
    StepVariant,
)
from compromiso.servicemodel.models.training import (
    Attendance,
    Competence,
    ProgrammeKind,
    SessionStatus,
    TrainerCertification,
    TrainingProgramme,
    TrainingSession,
    TrainingSessionQuerySet,
    add_months,
)

__all__ = [
    "MAX_AXES",
    "MAX_PROMISES",
    "Acknowledgement",
    "Attendance",
    "Competence",
    "ModelAxis",
    "ModelStatus",
    "ProgrammeKind",
    "Promise",
    "Protocol",
    "ProtocolOverride",
    "ProtocolQuerySet",
    "ProtocolStatus",
    "ProtocolStep",
    "ServiceModel",
    "SessionStatus",
    "StaffMember",
    "StaffMemberQuerySet",
    "StaffRole",
    "StepVariant",
    "TrainerCertification",
    "TrainingProgramme",
    "TrainingSession",
    "TrainingSessionQuerySet",
    "add_months",
]
