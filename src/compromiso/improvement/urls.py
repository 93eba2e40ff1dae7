from django.urls import path

from compromiso.improvement import views

app_name = "improvement"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/move/<slug:to>/", views.move, name="move"),
    path("<int:pk>/check/", views.check, name="check"),
    path("<int:pk>/priority/", views.prioritise, name="prioritise"),
    path("<int:pk>/publish/", views.publish, name="publish"),
]
