"""Background work of imports: take the job's id, load it, run it."""

from django.tasks import task
from django.utils import translation


@task()
def run_attention_import(*, job_id: int, language: str = "") -> None:
    """Run an import whose columns were mapped, with its reasons in `language`."""
    from compromiso.attention.imports.jobs import run_import
    from compromiso.attention.models import ImportJob, ImportStatus

    job = ImportJob.objects.select_related("organization", "branch").filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.RUNNING:
        return
    with translation.override(language or job.organization.language or None):
        run_import(job)
