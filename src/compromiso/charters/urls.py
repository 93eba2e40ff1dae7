from django.urls import path

from compromiso.charters import views

app_name = "charters"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.new, name="new"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/edit/", views.edit, name="edit"),
    path("<id:pk>/sections/", views.sections, name="sections"),
    path("<id:pk>/commitments/new/", views.commitment_form, name="commitment_new"),
    path(
        "<id:pk>/commitments/<id:commitment_pk>/edit/",
        views.commitment_form,
        name="commitment_edit",
    ),
    path(
        "<id:pk>/commitments/<id:commitment_pk>/remove/",
        views.commitment_remove,
        name="commitment_remove",
    ),
    path("<id:pk>/step/<slug:step>/", views.move, name="move"),
    path("<id:pk>/compare/<id:other>/", views.compare, name="compare"),
    path("commitments/<id:pk>/", views.commitment, name="commitment"),
    path("results/<id:pk>/approve/", views.approve_result, name="approve_result"),
]
