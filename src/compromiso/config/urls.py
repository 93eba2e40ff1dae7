from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from compromiso.api.urls import api
from compromiso.api.urls import not_found as api_not_found
from compromiso.core import health, metrics
from compromiso.core.admin_site import restrict_admin_to_superusers
from compromiso.core.forms import (
    StyledPasswordChangeForm,
    StyledSetPasswordForm,
    TaskPasswordResetForm,
)
from compromiso.organizations import two_factor_views

restrict_admin_to_superusers(admin.site)

handler400 = "compromiso.core.error_pages.bad_request"
handler403 = "compromiso.core.error_pages.permission_denied"
handler404 = "compromiso.core.error_pages.page_not_found"
handler500 = "compromiso.core.error_pages.server_error"

urlpatterns = [
    path("", include("compromiso.portal.urls")),
    path("staff/", include("compromiso.organizations.urls")),
    path("staff/catalog/", include("compromiso.catalog.urls")),
    path("staff/cases/", include("compromiso.cases.urls")),
    path("staff/charters/", include("compromiso.charters.urls")),
    path("staff/service-model/", include("compromiso.servicemodel.urls")),
    path("staff/surveys/", include("compromiso.surveys.urls")),
    path("staff/improvement/", include("compromiso.improvement.urls")),
    path("staff/audits/", include("compromiso.audits.urls")),
    path("staff/attention/", include("compromiso.attention.urls")),
    path("staff/audit/", include("compromiso.core.urls")),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    re_path(r"^api/(?P<path>.*)$", api_not_found),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/login/", two_factor_views.TwoStepLoginView.as_view(), name="login"),
    path("accounts/login/code/", two_factor_views.login_code, name="login_code"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="organizations/registration/password_reset_form.html",
            email_template_name="core/email/password_reset_email.txt",
            subject_template_name="core/email/password_reset_subject.txt",
            form_class=TaskPasswordResetForm,
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="organizations/registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="organizations/registration/password_reset_confirm.html",
            form_class=StyledSetPasswordForm,
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="organizations/registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path(
        "accounts/password-change/",
        auth_views.PasswordChangeView.as_view(
            template_name="organizations/registration/password_change_form.html",
            form_class=StyledPasswordChangeForm,
        ),
        name="password_change",
    ),
    path(
        "accounts/password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="organizations/registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("health/", health.health, name="health"),
    path("metrics", metrics.metrics, name="metrics"),
]
