from django.urls import path

from compromiso.catalog import views

app_name = "catalog"

urlpatterns = [
    path("services/", views.services_list, name="services"),
    path("services/new/", views.service_create, name="service_create"),
    path("services/<id:pk>/", views.service_detail, name="service_detail"),
    path("services/<id:pk>/edit/", views.service_edit, name="service_edit"),
    path("attributes/<id:pk>/edit/", views.attribute_edit, name="attribute_edit"),
    path("attributes/<id:pk>/row/", views.attribute_row, name="attribute_row"),
    path("attributes/<id:pk>/delete/", views.attribute_delete, name="attribute_delete"),
    path("channels/", views.channels, name="channels"),
    path("channels/<id:pk>/edit/", views.channel_edit, name="channel_edit"),
    path("touch-points/", views.touch_points, name="touch_points"),
    path("touch-points/<id:pk>/edit/", views.touch_point_edit, name="touch_point_edit"),
]
