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
    MAX_STEPS,
    CheckMethod,
    Protocol,
    ProtocolCheck,
    ProtocolCheckQuerySet,
    ProtocolOverride,
    ProtocolQuerySet,
    ProtocolStatus,
    ProtocolStep,
    StepOutcome,
    StepResult,
    StepVariant,
)

__all__ = [
    "MAX_AXES",
    "MAX_PROMISES",
    "MAX_STEPS",
    "Acknowledgement",
    "CheckMethod",
    "ModelAxis",
    "ModelStatus",
    "Promise",
    "Protocol",
    "ProtocolCheck",
    "ProtocolCheckQuerySet",
    "ProtocolOverride",
    "ProtocolQuerySet",
    "ProtocolStatus",
    "ProtocolStep",
    "ServiceModel",
    "StaffMember",
    "StaffMemberQuerySet",
    "StaffRole",
    "StepOutcome",
    "StepResult",
    "StepVariant",
]
