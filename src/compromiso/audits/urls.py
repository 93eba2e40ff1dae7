from django.urls import path

from compromiso.audits.views import (
    access,
    audits,
    checklist,
    evidence,
    findings,
    mystery,
    network,
    programme,
    requests,
    sampling,
    seal,
    seal_certificates,
)
from compromiso.audits.views import remedies as remedy_views
from compromiso.audits.views import report as report_views

app_name = "audits"

urlpatterns = [
    path("", programme.home, name="home"),
    path("mine/", audits.mine, name="mine"),
    path("network/", network.network, name="network"),
    path("new/", audits.audit_new, name="audit_new"),
    path("programmes/new/", programme.programme_new, name="programme_new"),
    path("programmes/<id:pk>/", programme.programme_detail, name="programme"),
    path("programmes/<id:pk>/edit/", programme.programme_edit, name="programme_edit"),
    path("programmes/<id:pk>/step/<slug:step>/", programme.programme_move, name="programme_move"),
    path("programmes/<id:pk>/review/", programme.programme_review, name="programme_review"),
    path("programmes/<id:pk>/propose/", programme.programme_propose, name="programme_propose"),
    path("proposals/new/", programme.proposal_new, name="proposal_new"),
    path("proposals/<id:pk>/", programme.proposal_detail, name="proposal"),
    path("proposals/<id:pk>/edit/", programme.proposal_edit, name="proposal_edit"),
    path("proposals/<id:pk>/signs/new/", programme.signal_new, name="signal_new"),
    path("proposals/signs/<id:pk>/remove/", programme.signal_remove, name="signal_remove"),
    path("proposals/<id:pk>/submit/", programme.proposal_submit, name="proposal_submit"),
    path("proposals/<id:pk>/accept/", programme.proposal_accept, name="proposal_accept"),
    path("proposals/<id:pk>/reject/", programme.proposal_reject, name="proposal_reject"),
    path("<id:pk>/", audits.audit_detail, name="audit"),
    path("<id:pk>/edit/", audits.audit_edit, name="audit_edit"),
    path("<id:pk>/step/<slug:step>/", audits.audit_move, name="audit_move"),
    path("<id:pk>/results/", audits.audit_results, name="audit_results"),
    path("<id:pk>/follow-up/", audits.follow_up_audit, name="follow_up_audit"),
    path("<id:pk>/team/", audits.team, name="team"),
    path("team/<id:pk>/role/", audits.team_role, name="team_role"),
    path("team/<id:pk>/remove/", audits.team_remove, name="team_remove"),
    path("team/<id:pk>/declare/", audits.declare, name="declare"),
    path("<id:pk>/agreement/", audits.agreement, name="agreement"),
    path("<id:pk>/agreement/sign/<slug:side>/", audits.agreement_sign, name="agreement_sign"),
    path("<id:pk>/access/", access.access_page, name="access"),
    path("<id:pk>/access/auditor/", access.outside_auditor, name="outside_auditor"),
    path("access/<id:pk>/revoke/", access.access_revoke, name="access_revoke"),
]

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

urlpatterns += [
    path("mystery/", mystery.rounds, name="mystery"),
    path("mystery/new/", mystery.round_new, name="mystery_new"),
    path("mystery/scenarios/", mystery.scenarios, name="mystery_scenarios"),
    path("mystery/scenarios/new/", mystery.scenario_new, name="mystery_scenario_new"),
    path("mystery/scenarios/<id:pk>/edit/", mystery.scenario_edit, name="mystery_scenario_edit"),
    path("<id:pk>/mystery/", mystery.round_page, name="mystery_round"),
    path("<id:pk>/mystery/edit/", mystery.round_edit, name="mystery_edit"),
    path("<id:pk>/mystery/schedule/", mystery.round_schedule, name="mystery_schedule"),
    path("<id:pk>/mystery/results/", mystery.results, name="mystery_results"),
    path("<id:pk>/mystery/export/", mystery.export, name="mystery_export"),
    path("<id:pk>/mystery/visits/<id:visit>/", mystery.visit_page, name="mystery_visit"),
    path(
        "<id:pk>/mystery/visits/<id:visit>/close/",
        mystery.visit_close,
        name="mystery_visit_close",
    ),
    path(
        "<id:pk>/mystery/visits/<id:visit>/assign/",
        mystery.visit_assign,
        name="mystery_visit_assign",
    ),
]

urlpatterns += [
    path("seal/", seal.home, name="seal"),
    path("seal/frameworks/install/", seal.framework_install, name="seal_install"),
    path("seal/frameworks/<id:pk>/", seal.framework_detail, name="seal_framework"),
    path("seal/criteria/<id:pk>/edit/", seal.node_edit, name="seal_node_edit"),
    path("seal/criteria/<id:pk>/add/", seal.element_add, name="seal_element_add"),
    path("seal/assessments/new/", seal.assessment_new, name="seal_assessment_new"),
    path("seal/assessments/<id:pk>/", seal.assessment_detail, name="seal_assessment"),
    path("seal/assessments/<id:pk>/rate/<id:node>/", seal.rate, name="seal_rate"),
    path("seal/assessments/<id:pk>/submit/", seal.assessment_submit, name="seal_assessment_submit"),
    path("seal/assessments/<id:pk>/reopen/", seal.assessment_reopen, name="seal_assessment_reopen"),
    path("seal/matrix/", seal.matrix, name="seal_matrix"),
    path("seal/bodies/new/", seal_certificates.body_form, name="seal_body_new"),
    path("seal/bodies/<id:pk>/edit/", seal_certificates.body_form, name="seal_body_edit"),
    path("seal/certificates/new/", seal_certificates.certificate_new, name="seal_certificate_new"),
    path(
        "seal/certificates/<id:pk>/",
        seal_certificates.certificate_detail,
        name="seal_certificate",
    ),
    path(
        "seal/certificates/<id:pk>/edit/",
        seal_certificates.certificate_edit,
        name="seal_certificate_edit",
    ),
    path(
        "seal/certificates/<id:pk>/matrix/",
        seal_certificates.certificate_matrix_frozen,
        name="seal_certificate_matrix",
    ),
    path(
        "seal/certificates/<id:pk>/reviews/new/",
        seal_certificates.review_new,
        name="seal_review_new",
    ),
    path("seal/certificates/<id:pk>/grant/", seal_certificates.grant, name="seal_grant"),
    path(
        "seal/certificates/<id:pk>/status/<slug:action>/",
        seal_certificates.status_change,
        name="seal_status_change",
    ),
    path("seal/reviews/<id:pk>/", seal_certificates.review_detail, name="seal_review"),
]

# Fieldwork: information requests, files, sampling records, the checklist and its answers.
urlpatterns += [
    path("<id:pk>/requests/", requests.request_list, name="requests"),
    path("<id:pk>/requests/export/", requests.request_export, name="request_export"),
    path("<id:pk>/requests/<id:request_pk>/", requests.request_detail, name="request"),
    path("<id:pk>/requests/<id:request_pk>/edit/", requests.request_edit, name="request_edit"),
    path(
        "<id:pk>/requests/<id:request_pk>/answer/", requests.request_answer, name="request_answer"
    ),
    path(
        "<id:pk>/requests/<id:request_pk>/review/", requests.request_review, name="request_review"
    ),
    path("<id:pk>/files/<id:file_pk>/", requests.audit_file, name="file"),
    path("<id:pk>/sampling/", sampling.sample_list, name="sampling"),
    path("<id:pk>/sampling/new/", sampling.sample_new, name="sample_new"),
    path("<id:pk>/sampling/<id:sample_pk>/", sampling.sample_detail, name="sample"),
    path("<id:pk>/sampling/<id:sample_pk>/verify/", sampling.sample_verify, name="sample_verify"),
    path("<id:pk>/checklist/", checklist.checklist, name="checklist"),
    path("<id:pk>/checklist/generate/", checklist.checklist_generate, name="checklist_generate"),
    path("<id:pk>/checklist/items/new/", checklist.checklist_item_new, name="checklist_item_new"),
    path(
        "<id:pk>/checklist/<id:item_pk>/answer/",
        checklist.checklist_answer,
        name="checklist_answer",
    ),
]

# The report and the remedies.
urlpatterns += [
    path("<id:pk>/report/", report_views.report_page, name="report"),
    path("<id:pk>/report.pdf", report_views.report_pdf, name="report_pdf"),
    path("<id:pk>/report/edit/", report_views.report_edit, name="report_edit"),
    path("<id:pk>/report/issue/", report_views.report_issue, name="report_issue"),
    path("<id:pk>/remedies/", remedy_views.remedies, name="remedies"),
    path("<id:pk>/remedies/<id:finding>/action/", remedy_views.remedy_new, name="remedy_new"),
    path(
        "<id:pk>/remedies/<id:finding>/verify/", remedy_views.finding_verify, name="finding_verify"
    ),
    path("<id:pk>/remedies/<id:finding>/close/", remedy_views.finding_close, name="finding_close"),
    path("<id:pk>/remedies/follow-ups/", remedy_views.follow_up_plan, name="follow_up_plan"),
    path(
        "<id:pk>/remedies/follow-ups/<id:follow_up>/",
        remedy_views.follow_up_record,
        name="follow_up_record",
    ),
    path(
        "<id:pk>/remedies/follow-up-audit/",
        remedy_views.follow_up_audit,
        name="remedy_follow_up_audit",
    ),
]
