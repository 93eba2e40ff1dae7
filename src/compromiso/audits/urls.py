from django.urls import URLPattern, URLResolver, path

from compromiso.audits.views import mystery

app_name = "audits"

urlpatterns: list[URLPattern | URLResolver] = []

urlpatterns += [
    path("mystery/", mystery.rounds, name="mystery"),
    path("mystery/new/", mystery.round_new, name="mystery_new"),
    path("mystery/scenarios/", mystery.scenarios, name="mystery_scenarios"),
    path("mystery/scenarios/new/", mystery.scenario_new, name="mystery_scenario_new"),
    path("mystery/scenarios/<id:pk>/edit/", mystery.scenario_edit, name="mystery_scenario_edit"),
    path("<id:pk>/mystery/", mystery.round_page, name="mystery_round"),
    path("<id:pk>/mystery/edit/", mystery.round_edit, name="mystery_edit"),
    path("<id:pk>/mystery/schedule/", mystery.round_schedule, name="mystery_schedule"),
    path("<id:pk>/mystery/results/", mystery.results, name="mystery_results"),
    path("<id:pk>/mystery/export/", mystery.export, name="mystery_export"),
    path("<id:pk>/mystery/visits/<id:visit>/", mystery.visit_page, name="mystery_visit"),
    path(
        "<id:pk>/mystery/visits/<id:visit>/close/",
        mystery.visit_close,
        name="mystery_visit_close",
    ),
    path(
        "<id:pk>/mystery/visits/<id:visit>/assign/",
        mystery.visit_assign,
        name="mystery_visit_assign",
    ),
]
