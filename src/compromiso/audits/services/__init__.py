"""Every change in the audits app, one module per noun. The public doors are re-exported here,
so callers keep one import (`from compromiso.audits.services import …`)."""

from compromiso.audits.services.mystery import (
    MYSTERY_SHOPPING,
    MysteryError,
    ScheduleResult,
    can_keep_scenarios,
    can_lead,
    create_round,
    save_scenario,
    schedule_round,
    update_round,
)
from compromiso.audits.services.mystery_visits import (
    assign_visit,
    can_record,
    close_visit,
    record_visit,
)

__all__ = [
    "MYSTERY_SHOPPING",
    "MysteryError",
    "ScheduleResult",
    "assign_visit",
    "can_keep_scenarios",
    "can_lead",
    "can_record",
    "close_visit",
    "create_round",
    "record_visit",
    "save_scenario",
    "schedule_round",
    "update_round",
]
