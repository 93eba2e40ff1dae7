from django.urls import URLPattern, URLResolver, path

from compromiso.audits.views import seal, seal_certificates

app_name = "audits"

urlpatterns: list[URLPattern | URLResolver] = []

urlpatterns += [
    path("seal/", seal.home, name="seal"),
    path("seal/frameworks/install/", seal.framework_install, name="seal_install"),
    path("seal/frameworks/<id:pk>/", seal.framework_detail, name="seal_framework"),
    path("seal/criteria/<id:pk>/edit/", seal.node_edit, name="seal_node_edit"),
    path("seal/criteria/<id:pk>/add/", seal.element_add, name="seal_element_add"),
    path("seal/assessments/new/", seal.assessment_new, name="seal_assessment_new"),
    path("seal/assessments/<id:pk>/", seal.assessment_detail, name="seal_assessment"),
    path("seal/assessments/<id:pk>/rate/<id:node>/", seal.rate, name="seal_rate"),
    path("seal/assessments/<id:pk>/submit/", seal.assessment_submit, name="seal_assessment_submit"),
    path("seal/assessments/<id:pk>/reopen/", seal.assessment_reopen, name="seal_assessment_reopen"),
    path("seal/matrix/", seal.matrix, name="seal_matrix"),
    path("seal/bodies/new/", seal_certificates.body_form, name="seal_body_new"),
    path("seal/bodies/<id:pk>/edit/", seal_certificates.body_form, name="seal_body_edit"),
    path("seal/certificates/new/", seal_certificates.certificate_new, name="seal_certificate_new"),
    path(
        "seal/certificates/<id:pk>/",
        seal_certificates.certificate_detail,
        name="seal_certificate",
    ),
    path(
        "seal/certificates/<id:pk>/edit/",
        seal_certificates.certificate_edit,
        name="seal_certificate_edit",
    ),
    path(
        "seal/certificates/<id:pk>/matrix/",
        seal_certificates.certificate_matrix_frozen,
        name="seal_certificate_matrix",
    ),
    path(
        "seal/certificates/<id:pk>/reviews/new/",
        seal_certificates.review_new,
        name="seal_review_new",
    ),
    path("seal/certificates/<id:pk>/grant/", seal_certificates.grant, name="seal_grant"),
    path(
        "seal/certificates/<id:pk>/status/<slug:action>/",
        seal_certificates.status_change,
        name="seal_status_change",
    ),
    path("seal/reviews/<id:pk>/", seal_certificates.review_detail, name="seal_review"),
]
