"""Every change to an improvement action (`actions`) and what it is checked on (`measures`). The
public doors are re-exported here, so callers keep one import."""

from compromiso.improvement.services.actions import (
    adjust_priority,
    create_action,
    move_action,
    publish,
    record_check,
    update_action,
)
from compromiso.improvement.services.errors import ActionError
from compromiso.improvement.services.measures import (
    BASELINE_DAYS,
    attribute_effect,
    attribute_summary,
    effect,
    figures,
    indicator_results,
    indicator_series,
    metric_count,
    monthly_series,
    share_effect,
    share_of,
    share_percent,
)

__all__ = [
    "BASELINE_DAYS",
    "ActionError",
    "adjust_priority",
    "attribute_effect",
    "attribute_summary",
    "create_action",
    "effect",
    "figures",
    "indicator_results",
    "indicator_series",
    "metric_count",
    "monthly_series",
    "move_action",
    "publish",
    "record_check",
    "share_effect",
    "share_of",
    "share_percent",
    "update_action",
]
