from django.urls import path

from compromiso.charters import views

app_name = "charters"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/sections/", views.sections, name="sections"),
    path("<int:pk>/commitments/new/", views.commitment_form, name="commitment_new"),
    path(
        "<int:pk>/commitments/<int:commitment_pk>/edit/",
        views.commitment_form,
        name="commitment_edit",
    ),
    path(
        "<int:pk>/commitments/<int:commitment_pk>/remove/",
        views.commitment_remove,
        name="commitment_remove",
    ),
    path("<int:pk>/step/<slug:step>/", views.move, name="move"),
    path("<int:pk>/compare/<int:other>/", views.compare, name="compare"),
    path("commitments/<int:pk>/", views.commitment, name="commitment"),
    path("results/<int:pk>/approve/", views.approve_result, name="approve_result"),
]
