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
from compromiso.servicemodel.services.training import (
    Result,
    TrainingError,
    cancel_session,
    certify_trainer,
    enrol_in_session,
    install_standard_programmes,
    plan_session,
    record_session_results,
    revoke_certification,
    save_programme,
)

__all__ = [
    "MODEL_FIELDS",
    "Result",
    "ServiceModelError",
    "TrainingError",
    "acknowledge_service_model",
    "approve_service_model",
    "cancel_session",
    "certify_trainer",
    "create_service_model",
    "enrol_in_session",
    "in_force",
    "install_standard_programmes",
    "missing_for_approval",
    "new_service_model_version",
    "plan_session",
    "publish_service_model",
    "record_session_results",
    "revoke_certification",
    "save_programme",
    "update_service_model",
]
