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
    path("kiosks/<int:pk>/revoke/", kiosk_views.kiosk_revoke, name="kiosk_revoke"),
    path("bonus/", bonus_views.schemes, name="bonus"),
    path("bonus/new/", bonus_views.new_scheme, name="bonus_new"),
    path("bonus/<int:pk>/", bonus_views.scheme, name="bonus_scheme"),
    path("bonus/<int:pk>/record/", bonus_views.record, name="bonus_record"),
    path("questionnaires/", questionnaire_views.questionnaire_list, name="questionnaires"),
    path("questionnaires/new/", views.new_questionnaire, name="new_questionnaire"),
    path(
        "questionnaires/<int:pk>/", questionnaire_views.questionnaire_detail, name="questionnaire"
    ),
    path(
        "questionnaires/<int:pk>/new-version/",
        questionnaire_views.questionnaire_new_version,
        name="questionnaire_new_version",
    ),
    path(
        "questionnaires/<int:pk>/questions/new/<slug:kind>/",
        questionnaire_views.question_add,
        name="question_add",
    ),
    path(
        "questionnaires/<int:pk>/questions/<int:question>/",
        questionnaire_views.question_edit,
        name="question_edit",
    ),
    path(
        "questionnaires/<int:pk>/questions/<int:question>/move/<slug:direction>/",
        questionnaire_views.question_move,
        name="question_move",
    ),
    path(
        "questionnaires/<int:pk>/questions/<int:question>/delete/",
        questionnaire_views.question_delete,
        name="question_delete",
    ),
    path("waves/new/", views.new_wave, name="new_wave"),
    path("waves/<int:pk>/", views.wave, name="wave"),
    path("waves/<int:pk>/responses.<str:fmt>", views.export, name="export"),
    path("waves/<int:pk>/figures.<str:fmt>", views.export_figures, name="export_figures"),
    path("waves/<int:pk>/invite/", views.invite, name="invite"),
    path("waves/<int:pk>/weighting/", views.weight_targets, name="weight_targets"),
    path("waves/<int:pk>/sample/", views.sample_design, name="sample_design"),
    path("waves/<int:pk>/invite-units/", views.invite_units, name="invite_units"),
    path("waves/<int:pk>/import/", views.import_upload, name="import_upload"),
    path("waves/<int:pk>/import/<int:job>/", views.import_job, name="import_job"),
    path("waves/<int:pk>/import/<int:job>/columns/", views.import_mapping, name="import_mapping"),
    path("waves/<int:pk>/client-units/", validation_views.client_units, name="client_units"),
    path("waves/<int:pk>/review/<int:unit>/", validation_views.review, name="review"),
    path("waves/<int:pk>/<slug:to>/", views.step, name="step"),
]
