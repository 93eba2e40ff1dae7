from django.urls import path

from compromiso.surveys import (
    bonus_views,
    kiosk_views,
    questionnaire_views,
    validation_views,
    views,
)

app_name = "surveys"

urlpatterns = [
    path("", views.waves, name="waves"),
    path("network/", views.network, name="network"),
    path("kiosks/", kiosk_views.kiosk_list, name="kiosks"),
    path("kiosks/<id:pk>/revoke/", kiosk_views.kiosk_revoke, name="kiosk_revoke"),
    path("bonus/", bonus_views.schemes, name="bonus"),
    path("bonus/new/", bonus_views.new_scheme, name="bonus_new"),
    path("bonus/<id:pk>/", bonus_views.scheme, name="bonus_scheme"),
    path("bonus/<id:pk>/record/", bonus_views.record, name="bonus_record"),
    path("questionnaires/", questionnaire_views.questionnaire_list, name="questionnaires"),
    path("questionnaires/new/", views.new_questionnaire, name="new_questionnaire"),
    path("questionnaires/<id:pk>/", questionnaire_views.questionnaire_detail, name="questionnaire"),
    path(
        "questionnaires/<id:pk>/new-version/",
        questionnaire_views.questionnaire_new_version,
        name="questionnaire_new_version",
    ),
    path(
        "questionnaires/<id:pk>/questions/new/<slug:kind>/",
        questionnaire_views.question_add,
        name="question_add",
    ),
    path(
        "questionnaires/<id:pk>/questions/<id:question>/",
        questionnaire_views.question_edit,
        name="question_edit",
    ),
    path(
        "questionnaires/<id:pk>/questions/<id:question>/move/<slug:direction>/",
        questionnaire_views.question_move,
        name="question_move",
    ),
    path(
        "questionnaires/<id:pk>/questions/<id:question>/delete/",
        questionnaire_views.question_delete,
        name="question_delete",
    ),
    path("waves/new/", views.new_wave, name="new_wave"),
    path("waves/<id:pk>/", views.wave, name="wave"),
    path("waves/<id:pk>/responses.<str:fmt>", views.export, name="export"),
    path("waves/<id:pk>/figures.<str:fmt>", views.export_figures, name="export_figures"),
    path("waves/<id:pk>/invite/", views.invite, name="invite"),
    path("waves/<id:pk>/weighting/", views.weight_targets, name="weight_targets"),
    path("waves/<id:pk>/sample/", views.sample_design, name="sample_design"),
    path("waves/<id:pk>/invite-units/", views.invite_units, name="invite_units"),
    path("waves/<id:pk>/import/", views.import_upload, name="import_upload"),
    path("waves/<id:pk>/import/<id:job>/", views.import_job, name="import_job"),
    path("waves/<id:pk>/import/<id:job>/columns/", views.import_mapping, name="import_mapping"),
    path("waves/<id:pk>/client-units/", validation_views.client_units, name="client_units"),
    path("waves/<id:pk>/review/<id:unit>/", validation_views.review, name="review"),
    path("waves/<id:pk>/<slug:to>/", views.step, name="step"),
]
