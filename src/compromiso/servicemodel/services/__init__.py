"""Every change in the service model app, one module per noun. The public doors are re-exported
here, so callers keep one import (`from compromiso.servicemodel.services import …`)."""

from compromiso.servicemodel.services.model import (
    MODEL_FIELDS,
    ServiceModelError,
    acknowledge_service_model,
    approve_service_model,
    create_service_model,
    in_force,
    missing_for_approval,
    new_service_model_version,
    publish_service_model,
    update_service_model,
)
from compromiso.servicemodel.services.protocols import (
    PROTOCOL_FIELDS,
    ProtocolError,
    StepInput,
    activate_protocol,
    can_observe,
    create_protocol,
    record_protocol_check,
    retire_protocol,
    set_protocol_override,
    update_protocol,
)

__all__ = [
    "MODEL_FIELDS",
    "PROTOCOL_FIELDS",
    "ProtocolError",
    "ServiceModelError",
    "StepInput",
    "acknowledge_service_model",
    "activate_protocol",
    "approve_service_model",
    "can_observe",
    "create_protocol",
    "create_service_model",
    "in_force",
    "missing_for_approval",
    "new_service_model_version",
    "publish_service_model",
    "record_protocol_check",
    "retire_protocol",
    "set_protocol_override",
    "update_protocol",
    "update_service_model",
]
