from django.urls import path

from compromiso.surveys.views import (
    exports,
    imports,
    incentives,
    invitations,
    kiosks,
    network,
    questionnaires,
    validation,
    waves,
)

app_name = "surveys"

urlpatterns = [
    path("", waves.waves, name="waves"),
    path("network/", network.network, name="network"),
    path("kiosks/", kiosks.kiosk_list, name="kiosks"),
    path("kiosks/<id:pk>/revoke/", kiosks.kiosk_revoke, name="kiosk_revoke"),
    path("bonus/", incentives.schemes, name="bonus"),
    path("bonus/new/", incentives.new_scheme, name="bonus_new"),
    path("bonus/<id:pk>/", incentives.scheme, name="bonus_scheme"),
    path("bonus/<id:pk>/record/", incentives.record, name="bonus_record"),
    path("questionnaires/", questionnaires.questionnaire_list, name="questionnaires"),
    path("questionnaires/new/", questionnaires.new_questionnaire, name="new_questionnaire"),
    path("questionnaires/<id:pk>/", questionnaires.questionnaire_detail, name="questionnaire"),
    path(
        "questionnaires/<id:pk>/new-version/",
        questionnaires.questionnaire_new_version,
        name="questionnaire_new_version",
    ),
    path(
        "questionnaires/<id:pk>/questions/new/<slug:kind>/",
        questionnaires.question_add,
        name="question_add",
    ),
    path(
        "questionnaires/<id:pk>/questions/<id:question>/",
        questionnaires.question_edit,
        name="question_edit",
    ),
    path(
        "questionnaires/<id:pk>/questions/<id:question>/move/<slug:direction>/",
        questionnaires.question_move,
        name="question_move",
    ),
    path(
        "questionnaires/<id:pk>/questions/<id:question>/delete/",
        questionnaires.question_delete,
        name="question_delete",
    ),
    path("waves/new/", waves.new_wave, name="new_wave"),
    path("waves/<id:pk>/", waves.wave, name="wave"),
    path("waves/<id:pk>/responses.<str:fmt>", exports.export, name="export"),
    path("waves/<id:pk>/figures.<str:fmt>", exports.export_figures, name="export_figures"),
    path("waves/<id:pk>/invite/", invitations.invite, name="invite"),
    path("waves/<id:pk>/weighting/", waves.weight_targets, name="weight_targets"),
    path("waves/<id:pk>/sample/", waves.sample_design, name="sample_design"),
    path("waves/<id:pk>/invite-units/", invitations.invite_units, name="invite_units"),
    path("waves/<id:pk>/import/", imports.import_upload, name="import_upload"),
    path("waves/<id:pk>/import/<id:job>/", imports.import_job, name="import_job"),
    path("waves/<id:pk>/import/<id:job>/columns/", imports.import_mapping, name="import_mapping"),
    path("waves/<id:pk>/client-units/", validation.client_units, name="client_units"),
    path("waves/<id:pk>/review/<id:unit>/", validation.review, name="review"),
    path("waves/<id:pk>/<slug:to>/", waves.step, name="step"),
]
