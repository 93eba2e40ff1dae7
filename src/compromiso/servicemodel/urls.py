from django.urls import path

from compromiso.servicemodel.views import model as views

app_name = "servicemodel"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("acknowledge/", views.acknowledge, name="acknowledge"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/edit/", views.edit, name="edit"),
    path("<id:pk>/step/<slug:step>/", views.move, name="move"),
]
