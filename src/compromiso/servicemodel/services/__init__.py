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
from compromiso.servicemodel.services.people import (
    ProfilesMade,
    create_staff_member,
    deactivate_staff_member,
    staff_from_memberships,
    update_staff_member,
)
from compromiso.servicemodel.services.staff_import import (
    apply_staff_import,
    discard_staff_import,
    plan_of,
    upload_staff_list,
)

__all__ = [
    "MODEL_FIELDS",
    "ProfilesMade",
    "ServiceModelError",
    "acknowledge_service_model",
    "apply_staff_import",
    "approve_service_model",
    "create_service_model",
    "create_staff_member",
    "deactivate_staff_member",
    "discard_staff_import",
    "in_force",
    "missing_for_approval",
    "new_service_model_version",
    "plan_of",
    "publish_service_model",
    "staff_from_memberships",
    "update_service_model",
    "update_staff_member",
    "upload_staff_list",
]
