from django.urls import path

from compromiso.attention.views import home

app_name = "attention"

urlpatterns = [
    path("", home.home, name="home"),
]
