from django.urls import path

from compromiso.servicemodel.views import model as views
from compromiso.servicemodel.views import (
    people,
    project,
    protocols,
    training,
    training_cascade,
    training_enrolment,
)

app_name = "servicemodel"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("acknowledge/", views.acknowledge, name="acknowledge"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/edit/", views.edit, name="edit"),
    path("<id:pk>/step/<slug:step>/", views.move, name="move"),
    path("project/", project.project_home, name="project"),
    path("project/edit/", project.project_edit, name="project_edit"),
    path("project/teams/new/", project.team_form, name="team_new"),
    path("project/teams/<id:pk>/edit/", project.team_form, name="team_edit"),
    path("project/teams/<id:pk>/delete/", project.team_delete, name="team_delete"),
    path("project/teams/<id:pk>/members/new/", project.member_new, name="member_new"),
    path("project/members/<id:pk>/remove/", project.member_remove, name="member_remove"),
    path("project/milestones/new/", project.milestone_form, name="milestone_new"),
    path("project/milestones/<id:pk>/edit/", project.milestone_form, name="milestone_edit"),
    path("project/milestones/<id:pk>/done/", project.milestone_done, name="milestone_done"),
    path("project/milestones/<id:pk>/reopen/", project.milestone_reopen, name="milestone_reopen"),
    path("project/messages/new/", project.message_form, name="message_new"),
    path("project/messages/<id:pk>/edit/", project.message_form, name="message_edit"),
    path("project/messages/<id:pk>/sent/", project.message_sent, name="message_sent"),
    path("project/messages/<id:pk>/cancel/", project.message_cancel, name="message_cancel"),
]

urlpatterns += [
    path("training/", training.catalogue, name="training"),
    path("training/new/", training.programme_new, name="training_new"),
    path("training/install/", training.install, name="training_install"),
    path("training/coverage/", training.coverage_page, name="training_coverage"),
    path("training/<id:pk>/", training.programme, name="training_programme"),
    path("training/<id:pk>/edit/", training.programme_edit, name="training_edit"),
    path("training/<id:pk>/sessions/new/", training.session_new, name="training_session_new"),
    path("training/<id:pk>/cascade/", training_cascade.cascade_page, name="training_cascade"),
    path("training/sessions/<id:pk>/", training.session, name="training_session"),
    path(
        "training/sessions/<id:pk>/cancel/", training.session_cancel, name="training_session_cancel"
    ),
    path(
        "training/certifications/<id:pk>/revoke/",
        training_cascade.certification_revoke,
        name="training_revoke",
    ),
    path(
        "training/sessions/<id:pk>/enrol/",
        training_enrolment.session_enrol,
        name="training_session_enrol",
    ),
    path(
        "training/sessions/<id:pk>/attendances/<id:attendance>/remove/",
        training_enrolment.attendance_remove,
        name="training_attendance_remove",
    ),
    path("protocols/", protocols.protocol_list, name="protocols"),
    path("protocols/new/", protocols.protocol_new, name="protocol_new"),
    path("protocols/observe/", protocols.observe, name="protocol_observe"),
    path("protocols/compliance/", protocols.compliance, name="protocol_compliance"),
    path("protocols/<id:pk>/", protocols.protocol_detail, name="protocol"),
    path("protocols/<id:pk>/edit/", protocols.protocol_edit, name="protocol_edit"),
    path("protocols/<id:pk>/step/<slug:step>/", protocols.protocol_move, name="protocol_move"),
    path("protocols/<id:pk>/override/", protocols.protocol_override, name="protocol_override"),
    path("people/", people.people_list, name="people"),
    path("people/new/", people.person_new, name="person_new"),
    path("people/from-memberships/", people.from_memberships, name="from_memberships"),
    path("people/<id:pk>/", people.person, name="person"),
    path("people/<id:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<id:pk>/deactivate/", people.person_deactivate, name="person_deactivate"),
    path("people/import/", people.import_upload, name="import"),
    path("people/import/<id:pk>/", people.import_preview, name="import_preview"),
    path("people/import/<id:pk>/confirm/", people.import_confirm, name="import_confirm"),
    path("people/import/<id:pk>/rejected.csv", people.import_rejected, name="import_rejected"),
]

urlpatterns += [
    path("<id:pk>/compare/<id:other>/", views.compare, name="compare"),
]
