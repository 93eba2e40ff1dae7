from django.urls import path

from compromiso.servicemodel.views import model as views
from compromiso.servicemodel.views import people

app_name = "servicemodel"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("acknowledge/", views.acknowledge, name="acknowledge"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/edit/", views.edit, name="edit"),
    path("<id:pk>/step/<slug:step>/", views.move, name="move"),
    path("people/", people.people_list, name="people"),
    path("people/new/", people.person_new, name="person_new"),
    path("people/from-memberships/", people.from_memberships, name="from_memberships"),
    path("people/<id:pk>/", people.person, name="person"),
    path("people/<id:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<id:pk>/deactivate/", people.person_deactivate, name="person_deactivate"),
    path("people/import/", people.import_upload, name="import"),
    path("people/import/<id:pk>/", people.import_preview, name="import_preview"),
    path("people/import/<id:pk>/confirm/", people.import_confirm, name="import_confirm"),
    path("people/import/<id:pk>/rejected.csv", people.import_rejected, name="import_rejected"),
]
