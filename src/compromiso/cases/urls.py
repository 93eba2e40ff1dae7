from django.urls import path

from compromiso.cases.views import analytics, case, inbox, setup

app_name = "cases"

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("new/", case.case_new, name="new"),
    path("new/received/<str:token>/", case.received, name="received"),
    path("<id:pk>/", case.detail, name="detail"),
    path("<id:pk>/act/<slug:action>/", case.act, name="act"),
    path("deadlines/", setup.policies, name="policies"),
    path("deadlines/<id:pk>/", setup.policy_edit, name="policy_edit"),
    path("assign/", inbox.bulk_assign, name="bulk_assign"),
    path("<id:pk>/classify/", case.classify, name="classify"),
    path("<id:pk>/redress/", case.redress, name="redress"),
    path("<id:pk>/answer-date/", case.answer_date, name="answer_date"),
    path("<id:pk>/attach/", case.attach, name="attach"),
    path("<id:pk>/files/<id:attachment_pk>/", case.attachment, name="attachment"),
    path("taxonomy/", setup.taxonomy, name="taxonomy"),
    path("answers/", setup.canned_answers, name="canned_answers"),
    path("answers/<id:pk>/", setup.canned_answers, name="canned_answer"),
    path("routing/", setup.assignment_rules, name="assignment_rules"),
    path("routing/<id:pk>/", setup.assignment_rules, name="assignment_rule"),
    path("personal-data/", setup.personal_data, name="personal_data"),
    path("analytics/", analytics.analytics_page, name="analytics"),
]
