from django.urls import path

from compromiso.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.waves, name="waves"),
    path("waves/<int:pk>/", views.wave, name="wave"),
    path("waves/<int:pk>/<slug:to>/", views.step, name="step"),
]
