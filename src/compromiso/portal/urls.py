from django.urls import path

from compromiso.portal import appointments as appointment_views
from compromiso.portal import attention as queue_public
from compromiso.portal import charters, promise, seal, surveys, views
from compromiso.portal import directory as directory_views  # -- directory
from compromiso.portal import display as queue_display
from compromiso.portal import offices as office_views  # -- directory

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
    # -- public
    path("kiosk/queue/<str:display_key>/", queue_public.kiosk, name="queue_kiosk"),
    path(
        "kiosk/queue/<str:display_key>/ticket/<str:code>/",
        queue_public.kiosk_ticket,
        name="queue_kiosk_ticket",
    ),
    path("o/<slug:slug>/offices/<slug:code>/join/", queue_public.join, name="queue_join"),
    path("t/<str:code>/", queue_public.ticket, name="queue_ticket"),
    path("t/<str:code>/status/", queue_public.ticket_status, name="queue_ticket_status"),
    path("t/<str:code>/leave/", queue_public.ticket_leave, name="queue_ticket_leave"),
    path("t/<str:code>/survey/", queue_public.ticket_survey, name="queue_ticket_survey"),
    # -- end public
]

# -- directory
urlpatterns += [
    path("procedures/", directory_views.procedure_search, name="procedure_search"),
    path("o/<slug:slug>/procedures/", directory_views.procedures, name="procedures"),
    path("o/<slug:slug>/procedures/<str:code>/", directory_views.procedure, name="procedure"),
    path("o/<slug:slug>/offices/", office_views.offices, name="offices"),
    path("o/<slug:slug>/offices/<str:code>/", office_views.office, name="office"),
    # -- appoint
    path(
        "o/<slug:slug>/appointments/",
        appointment_views.appointment_start,
        name="appointment_start",
    ),
    path(
        "o/<slug:slug>/appointments/<slug:branch>/<id:queue>/",
        appointment_views.appointment_book,
        name="appointment_book",
    ),
    path("appointments/", appointment_views.appointment_lookup, name="appointment_lookup"),
    path("appointments/<str:code>/", appointment_views.appointment_detail, name="appointment"),
    path(
        "appointments/<str:code>/change/",
        appointment_views.appointment_change,
        name="appointment_change",
    ),
    path(
        "appointments/<str:code>/cancel/",
        appointment_views.appointment_cancel,
        name="appointment_cancel",
    ),
    path(
        "kiosk/queue/<str:display_key>/check-in/",
        appointment_views.appointment_kiosk_checkin,
        name="appointment_kiosk_checkin",
    ),
    # -- end appoint
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
