from django.urls import path

from compromiso.attention.views import agreements as agreement_views  # -- directory
from compromiso.attention.views import home
from compromiso.attention.views import institution as institution_views  # -- directory
from compromiso.attention.views import procedures as procedure_views  # -- directory

app_name = "attention"

urlpatterns = [
    path("", home.home, name="home"),
]

# -- directory
urlpatterns += [
    path("procedures/", procedure_views.procedures, name="procedures"),
    path("procedures/new/", procedure_views.procedure_new, name="procedure_new"),
    path("procedures/search/", procedure_views.directory_search, name="directory_search"),
    path("procedures/<id:pk>/", procedure_views.procedure, name="procedure"),
    path("procedures/<id:pk>/edit/", procedure_views.procedure_edit, name="procedure_edit"),
    path("agreements/", agreement_views.agreements, name="agreements"),
    path("agreements/new/", agreement_views.agreement_new, name="agreement_new"),
    path("agreements/<id:pk>/", agreement_views.agreement_edit, name="agreement_edit"),
    path("institution/", institution_views.institution, name="institution"),
]
