from django.urls import path

from compromiso.attention.views import agreements as agreement_views  # -- directory
from compromiso.attention.views import appointments as appointment_views
from compromiso.attention.views import board as live_board
from compromiso.attention.views import branches as desk_branches  # -- desk
from compromiso.attention.views import contacts as contact_views  # -- contacts
from compromiso.attention.views import desk as desk_desk  # -- desk
from compromiso.attention.views import figures as figures_views  # -- figures
from compromiso.attention.views import home
from compromiso.attention.views import imports as import_views  # -- contacts
from compromiso.attention.views import institution as institution_views  # -- directory
from compromiso.attention.views import procedures as procedure_views  # -- directory
from compromiso.attention.views import reception as desk_reception  # -- desk
from compromiso.attention.views import visits as desk_visits  # -- desk

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
    # -- appoint
    path("appointments/", appointment_views.appointments_home, name="appointments_home"),
    path("appointments/branch/<id:pk>/", appointment_views.appointments, name="appointments"),
    path("appointments/branch/<id:pk>/plans/", appointment_views.slot_plans, name="slot_plans"),
    path("appointments/plans/<id:pk>/", appointment_views.slot_plan_edit, name="slot_plan_edit"),
    path(
        "appointments/plans/<id:pk>/deactivate/",
        appointment_views.slot_plan_deactivate,
        name="slot_plan_deactivate",
    ),
    # -- end appoint
    # -- live
    path("branches/<id:pk>/board/", live_board.board, name="board"),
    # -- end live
    # -- figures
    path("figures/", figures_views.figures_page, name="figures"),
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
# -- desk: branch set-up, reception, desks, visits
urlpatterns += [
    path("branches/new/", desk_branches.branch_new, name="branch_new"),
    path("branches/<id:pk>/", desk_branches.branch_detail, name="branch"),
    path("branches/<id:pk>/edit/", desk_branches.branch_edit, name="branch_edit"),
    path("branches/<id:pk>/hours/", desk_branches.branch_hours, name="branch_hours"),
    path("branches/<id:pk>/queues/new/", desk_branches.queue_new, name="queue_new"),
    path("queues/<id:pk>/edit/", desk_branches.queue_edit, name="queue_edit"),
    path("branches/<id:pk>/desks/new/", desk_branches.desk_new, name="desk_new"),
    path("desks/<id:pk>/edit/", desk_branches.desk_edit, name="desk_edit"),
    path("branches/<id:pk>/reception/", desk_reception.reception, name="reception"),
    path("branches/<id:pk>/reception/act/", desk_reception.reception_act, name="reception_act"),
    path("desks/<id:pk>/", desk_desk.desk_page, name="desk"),
    path("desks/<id:pk>/act/", desk_desk.desk_act, name="desk_act"),
    path("desks/<id:pk>/waiting/", desk_desk.desk_waiting, name="desk_waiting"),
    path("visits/<id:pk>/", desk_visits.visit_detail, name="visit"),
]
# -- end desk
