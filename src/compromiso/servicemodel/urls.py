from django.urls import path

from compromiso.servicemodel.views import model as views
from compromiso.servicemodel.views import training

app_name = "servicemodel"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("acknowledge/", views.acknowledge, name="acknowledge"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/edit/", views.edit, name="edit"),
    path("<id:pk>/step/<slug:step>/", views.move, name="move"),
]

urlpatterns += [
    path("training/", training.catalogue, name="training"),
    path("training/new/", training.programme_new, name="training_new"),
    path("training/install/", training.install, name="training_install"),
    path("training/coverage/", training.coverage_page, name="training_coverage"),
    path("training/<id:pk>/", training.programme, name="training_programme"),
    path("training/<id:pk>/edit/", training.programme_edit, name="training_edit"),
    path("training/<id:pk>/sessions/new/", training.session_new, name="training_session_new"),
    path("training/<id:pk>/cascade/", training.cascade_page, name="training_cascade"),
    path("training/sessions/<id:pk>/", training.session, name="training_session"),
    path(
        "training/sessions/<id:pk>/cancel/", training.session_cancel, name="training_session_cancel"
    ),
    path(
        "training/certifications/<id:pk>/revoke/",
        training.certification_revoke,
        name="training_revoke",
    ),
]
