from django.urls import URLPattern, URLResolver, path

from compromiso.audits.views import remedies as remedy_views
from compromiso.audits.views import report as report_views

app_name = "audits"

urlpatterns: list[URLPattern | URLResolver] = []

# The report and the remedies.
urlpatterns += [
    path("<id:pk>/report/", report_views.report_page, name="report"),
    path("<id:pk>/report.pdf", report_views.report_pdf, name="report_pdf"),
    path("<id:pk>/report/edit/", report_views.report_edit, name="report_edit"),
    path("<id:pk>/report/issue/", report_views.report_issue, name="report_issue"),
    path("<id:pk>/remedies/", remedy_views.remedies, name="remedies"),
    path("<id:pk>/remedies/<id:finding>/action/", remedy_views.remedy_new, name="remedy_new"),
    path(
        "<id:pk>/remedies/<id:finding>/verify/", remedy_views.finding_verify, name="finding_verify"
    ),
    path("<id:pk>/remedies/<id:finding>/close/", remedy_views.finding_close, name="finding_close"),
    path("<id:pk>/remedies/follow-ups/", remedy_views.follow_up_plan, name="follow_up_plan"),
    path(
        "<id:pk>/remedies/follow-ups/<id:follow_up>/",
        remedy_views.follow_up_record,
        name="follow_up_record",
    ),
    path("<id:pk>/remedies/follow-up-audit/", remedy_views.follow_up_audit, name="follow_up_audit"),
]
