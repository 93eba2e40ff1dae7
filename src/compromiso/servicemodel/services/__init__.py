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

__all__ = [
    "MODEL_FIELDS",
    "ServiceModelError",
    "acknowledge_service_model",
    "approve_service_model",
    "create_service_model",
    "in_force",
    "missing_for_approval",
    "new_service_model_version",
    "publish_service_model",
    "update_service_model",
]
