from django.urls import path

from compromiso.audits.views import access, audits, network, programme

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
