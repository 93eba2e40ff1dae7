from django.urls import path

from compromiso.servicemodel.views import model as views
from compromiso.servicemodel.views import protocols

app_name = "servicemodel"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("acknowledge/", views.acknowledge, name="acknowledge"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/edit/", views.edit, name="edit"),
    path("<id:pk>/step/<slug:step>/", views.move, name="move"),
    path("protocols/", protocols.protocol_list, name="protocols"),
    path("protocols/new/", protocols.protocol_new, name="protocol_new"),
    path("protocols/observe/", protocols.observe, name="protocol_observe"),
    path("protocols/compliance/", protocols.compliance, name="protocol_compliance"),
    path("protocols/<id:pk>/", protocols.protocol_detail, name="protocol"),
    path("protocols/<id:pk>/edit/", protocols.protocol_edit, name="protocol_edit"),
    path("protocols/<id:pk>/step/<slug:step>/", protocols.protocol_move, name="protocol_move"),
    path("protocols/<id:pk>/override/", protocols.protocol_override, name="protocol_override"),
]
