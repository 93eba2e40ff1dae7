"""Every state change of the audits app, one module per noun; the public doors re-exported."""

from compromiso.audits.services.seal import (
    SealError,
    add_element,
    create_self_assessment,
    install_framework,
    rate_element,
    reopen_self_assessment,
    submit_self_assessment,
    update_node,
)
from compromiso.audits.services.seal_certificates import (
    create_certificate,
    grant_certificate,
    record_review,
    reinstate_certificate,
    save_certification_body,
    suspend_certificate,
    update_certificate_scope,
    withdraw_certificate,
)

__all__ = [
    "SealError",
    "add_element",
    "create_certificate",
    "create_self_assessment",
    "grant_certificate",
    "install_framework",
    "rate_element",
    "record_review",
    "reinstate_certificate",
    "reopen_self_assessment",
    "save_certification_body",
    "submit_self_assessment",
    "suspend_certificate",
    "update_certificate_scope",
    "update_node",
    "withdraw_certificate",
]
