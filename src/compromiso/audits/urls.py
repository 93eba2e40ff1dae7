from django.urls import URLPattern, URLResolver, path

from compromiso.audits.views import checklist, requests, sampling

app_name = "audits"

urlpatterns: list[URLPattern | URLResolver] = []

# Fieldwork: information requests, files, sampling records, the checklist and its answers.
urlpatterns += [
    path("<id:pk>/requests/", requests.request_list, name="requests"),
    path("<id:pk>/requests/export/", requests.request_export, name="request_export"),
    path("<id:pk>/requests/<id:request_pk>/", requests.request_detail, name="request"),
    path("<id:pk>/requests/<id:request_pk>/edit/", requests.request_edit, name="request_edit"),
    path(
        "<id:pk>/requests/<id:request_pk>/answer/", requests.request_answer, name="request_answer"
    ),
    path(
        "<id:pk>/requests/<id:request_pk>/review/", requests.request_review, name="request_review"
    ),
    path("<id:pk>/files/<id:file_pk>/", requests.audit_file, name="file"),
    path("<id:pk>/sampling/", sampling.sample_list, name="sampling"),
    path("<id:pk>/sampling/new/", sampling.sample_new, name="sample_new"),
    path("<id:pk>/sampling/<id:sample_pk>/", sampling.sample_detail, name="sample"),
    path("<id:pk>/sampling/<id:sample_pk>/verify/", sampling.sample_verify, name="sample_verify"),
    path("<id:pk>/checklist/", checklist.checklist, name="checklist"),
    path("<id:pk>/checklist/generate/", checklist.checklist_generate, name="checklist_generate"),
    path("<id:pk>/checklist/items/new/", checklist.checklist_item_new, name="checklist_item_new"),
    path(
        "<id:pk>/checklist/<id:item_pk>/answer/",
        checklist.checklist_answer,
        name="checklist_answer",
    ),
]
