from django.urls import path

from compromiso.attention.views import contacts as contact_views  # -- contacts
from compromiso.attention.views import home
from compromiso.attention.views import imports as import_views  # -- contacts

app_name = "attention"

urlpatterns = [
    path("", home.home, name="home"),
    # -- contacts
    path("contacts/", contact_views.contacts, name="contacts"),
    path("contacts/new/", contact_views.contact_new, name="contact_new"),
    path("contacts/figures/", contact_views.contact_figures_page, name="contact_figures"),
    path("imports/", import_views.imports, name="imports"),
    path("imports/<id:pk>/columns/", import_views.import_mapping, name="import_mapping"),
    path("imports/<id:pk>/", import_views.import_job, name="import_job"),
    # -- end contacts
]
