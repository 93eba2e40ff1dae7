from django.urls import path

from compromiso.cases import analytics_views, setup_views, views

app_name = "cases"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.case_new, name="new"),
    path("new/received/<str:token>/", views.received, name="received"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/act/<slug:action>/", views.act, name="act"),
    path("deadlines/", views.policies, name="policies"),
    path("deadlines/<id:pk>/", views.policy_edit, name="policy_edit"),
    path("assign/", views.bulk_assign, name="bulk_assign"),
    path("<id:pk>/classify/", views.classify, name="classify"),
    path("<id:pk>/redress/", views.redress, name="redress"),
    path("<id:pk>/answer-date/", views.answer_date, name="answer_date"),
    path("<id:pk>/attach/", views.attach, name="attach"),
    path("<id:pk>/files/<id:attachment_pk>/", views.attachment, name="attachment"),
    path("taxonomy/", setup_views.taxonomy, name="taxonomy"),
    path("answers/", setup_views.canned_answers, name="canned_answers"),
    path("answers/<id:pk>/", setup_views.canned_answers, name="canned_answer"),
    path("routing/", setup_views.assignment_rules, name="assignment_rules"),
    path("routing/<id:pk>/", setup_views.assignment_rules, name="assignment_rule"),
    path("personal-data/", setup_views.personal_data, name="personal_data"),
    path("analytics/", analytics_views.analytics_page, name="analytics"),
]
