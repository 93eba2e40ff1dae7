from django.urls import path

from compromiso.organizations import views

app_name = "organizations"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("switch/", views.switch_organization, name="switch"),
    path("network/", views.network, name="network"),
    path("units/", views.units, name="units"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/row/", views.unit_row, name="unit_row"),
    path("units/<int:pk>/delete/", views.unit_delete, name="unit_delete"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<int:pk>/edit/", views.closure_edit, name="closure_edit"),
    path("calendar/<int:pk>/delete/", views.closure_delete, name="closure_delete"),
    path("settings/", views.settings_page, name="settings"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
