from django.urls import path

from compromiso.portal import charters, promise, seal, surveys, views
from compromiso.portal import display as queue_display

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("o/<slug:slug>/cases/new/", views.case_new, name="case_new"),
    path("o/<slug:slug>/cases/received/", views.case_received, name="case_received"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.tracked, name="tracked"),
    path("track/<str:code>/files/<id:pk>/", views.tracked_attachment, name="tracked_attachment"),
    path("o/<slug:slug>/cases/rate/<str:token>/", views.rate, name="rate"),
    path("o/<slug:slug>/you-said-we-did/", views.you_said_we_did, name="you_said_we_did"),
    path("kiosk/", surveys.kiosk_home, name="kiosk_home"),
    path("s/<str:token>/", surveys.answer, name="survey"),
    path("s/<str:token>/kiosk/", surveys.kiosk, name="survey_kiosk"),
    path("s/<str:token>/thanks/", surveys.thanks, name="survey_thanks"),
    path("s/<str:token>/qr.<str:fmt>", surveys.qr_code, name="survey_qr"),
    path("o/<slug:slug>/charters/", charters.charter_list, name="charters"),
    path("o/<slug:slug>/charters/<id:pk>/", charters.charter_page, name="charter"),
    path("o/<slug:slug>/charters/<id:pk>/charter.pdf", charters.charter_pdf, name="charter_pdf"),
    path(
        "o/<slug:slug>/charters/<id:pk>/report-<id:year>.pdf",
        charters.charter_report,
        name="charter_report",
    ),
    path(
        "o/<slug:slug>/charters/<id:pk>/results.<str:fmt>",
        charters.charter_data,
        name="charter_data",
    ),
    path("o/<slug:slug>/promise/", promise.promise_page, name="promise"),
    path("o/<slug:slug>/seal/", seal.seal_page, name="seal"),
    path("seal/", seal.lookup, name="seal_lookup"),
    path("seal/<str:number>/", seal.verify, name="seal_verify"),
    # -- live
    path("display/<str:key>/", queue_display.queue_display, name="queue_display"),
    path(
        "display/<str:key>/events/",
        queue_display.queue_display_events,
        name="queue_display_events",
    ),
    path("display/<str:key>/state/", queue_display.queue_display_state, name="queue_display_state"),
    # -- end live
]
