from django.urls import path

from compromiso.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("o/<slug:slug>/cases/new/", views.case_new, name="case_new"),
    path("o/<slug:slug>/cases/received/", views.case_received, name="case_received"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.tracked, name="tracked"),
    path("track/<str:code>/files/<int:pk>/", views.tracked_attachment, name="tracked_attachment"),
    path("o/<slug:slug>/cases/rate/<str:token>/", views.rate, name="rate"),
    path("o/<slug:slug>/you-said-we-did/", views.you_said_we_did, name="you_said_we_did"),
]
