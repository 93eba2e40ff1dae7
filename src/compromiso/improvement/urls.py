from django.urls import path

from compromiso.improvement import views

app_name = "improvement"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.new, name="new"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/move/<slug:to>/", views.move, name="move"),
    path("<id:pk>/check/", views.check, name="check"),
    path("<id:pk>/priority/", views.prioritise, name="prioritise"),
    path("<id:pk>/publish/", views.publish, name="publish"),
]
