from django.urls import path

from compromiso.organizations import sign_in_views, two_factor_views, views

app_name = "organizations"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("switch/", views.switch_organization, name="switch"),
    path("network/", views.network, name="network"),
    path("units/", views.units, name="units"),
    path("units/<id:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<id:pk>/row/", views.unit_row, name="unit_row"),
    path("units/<id:pk>/delete/", views.unit_delete, name="unit_delete"),
    path("members/", views.members, name="members"),
    path("members/<id:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<id:pk>/edit/", views.closure_edit, name="closure_edit"),
    path("calendar/<id:pk>/delete/", views.closure_delete, name="closure_delete"),
    path("settings/", views.settings_page, name="settings"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<id:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("sign-ins/", sign_in_views.sign_ins, name="sign_ins"),
    path("my-sign-ins/", sign_in_views.my_sign_ins, name="my_sign_ins"),
    path("my-account/two-factor/", two_factor_views.two_factor_page, name="two_factor"),
    path(
        "members/<id:user_pk>/reset-two-factor/",
        two_factor_views.reset_member_two_factor,
        name="reset_two_factor",
    ),
]
