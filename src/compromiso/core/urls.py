from django.urls import path

from compromiso.core import views

app_name = "core"

urlpatterns = [
    path("<str:app_label>/<str:model_name>/<str:object_id>/", views.audit_log, name="audit_log"),
]
