from django.urls import URLPattern, URLResolver, path

from compromiso.audits.views import evidence, findings

app_name = "audits"

urlpatterns: list[URLPattern | URLResolver] = []

# Evidence and findings of one audit; the organisation's grading scale.
urlpatterns += [
    path("<id:pk>/evidence/", evidence.evidence_list, name="evidence"),
    path("<id:pk>/evidence/checklist/", evidence.evidence_checklist, name="evidence_checklist"),
    path("<id:pk>/evidence/snapshot/", evidence.evidence_snapshot, name="evidence_snapshot"),
    path("<id:pk>/evidence/new/<slug:kind>/", evidence.evidence_new, name="evidence_new"),
    path("<id:pk>/evidence/<id:evidence_pk>/", evidence.evidence_detail, name="evidence_detail"),
    path("<id:pk>/evidence/<id:evidence_pk>/edit/", evidence.evidence_edit, name="evidence_edit"),
    path(
        "<id:pk>/evidence/<id:evidence_pk>/review/",
        evidence.evidence_review,
        name="evidence_review",
    ),
    path("<id:pk>/evidence/files/<id:file_pk>/", evidence.evidence_file, name="evidence_file"),
    path("<id:pk>/findings/", findings.findings_list, name="findings"),
    path("<id:pk>/findings/new/", findings.finding_new, name="finding_new"),
    path("<id:pk>/findings/<id:finding_pk>/", findings.finding_detail, name="finding"),
    path("<id:pk>/findings/<id:finding_pk>/edit/", findings.finding_edit, name="finding_edit"),
    path(
        "<id:pk>/findings/<id:finding_pk>/answer/", findings.finding_answer, name="finding_answer"
    ),
    path(
        "<id:pk>/findings/<id:finding_pk>/divergence/",
        findings.finding_divergence,
        name="finding_divergence",
    ),
    path(
        "<id:pk>/findings/<id:finding_pk>/root-cause/",
        findings.finding_root_cause,
        name="finding_root_cause",
    ),
    path("grades/", findings.grades, name="grades"),
    path("grades/new/", findings.grade_new, name="grade_new"),
    path("grades/<id:pk>/edit/", findings.grade_edit, name="grade_edit"),
    path("grades/<id:pk>/delete/", findings.grade_delete, name="grade_delete"),
]
