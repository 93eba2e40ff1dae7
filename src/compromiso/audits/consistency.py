"""Consistency checks of audits (`compromiso check_consistency`): every uploaded file is in the
storage with the size and hash recorded at upload."""

from collections.abc import Iterator

from compromiso.audits.models import AuditFile
from compromiso.core.consistency import register, stored_file_problems


@register("audits.files")
def audit_file_problems() -> Iterator[str]:
    return stored_file_problems(AuditFile.objects.order_by("pk"), "audit file")
