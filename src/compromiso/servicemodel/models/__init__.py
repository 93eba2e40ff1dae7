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
from compromiso.servicemodel.models.people import (
    ImportStatus,
    StaffImport,
    StaffMember,
    StaffMemberQuerySet,
    StaffRole,
)
from compromiso.servicemodel.models.protocols import (
    Protocol,
    ProtocolOverride,
    ProtocolQuerySet,
    ProtocolStatus,
    ProtocolStep,
    StepVariant,
)

__all__ = [
    "MAX_AXES",
    "MAX_PROMISES",
    "Acknowledgement",
    "ImportStatus",
    "ModelAxis",
    "ModelStatus",
    "Promise",
    "Protocol",
    "ProtocolOverride",
    "ProtocolQuerySet",
    "ProtocolStatus",
    "ProtocolStep",
    "ServiceModel",
    "StaffImport",
    "StaffMember",
    "StaffMemberQuerySet",
    "StaffRole",
    "StepVariant",
]
