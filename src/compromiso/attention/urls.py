from django.urls import path

from compromiso.attention.views import appointments as appointment_views
from compromiso.attention.views import home

app_name = "attention"

urlpatterns = [
    path("", home.home, name="home"),
    # -- appoint
    path("appointments/", appointment_views.appointments_home, name="appointments_home"),
    path("appointments/branch/<id:pk>/", appointment_views.appointments, name="appointments"),
    path("appointments/branch/<id:pk>/plans/", appointment_views.slot_plans, name="slot_plans"),
    path("appointments/plans/<id:pk>/", appointment_views.slot_plan_edit, name="slot_plan_edit"),
    path(
        "appointments/plans/<id:pk>/deactivate/",
        appointment_views.slot_plan_deactivate,
        name="slot_plan_deactivate",
    ),
    # -- end appoint
]
