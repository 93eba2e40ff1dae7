from django.urls import path

from compromiso.attention.views import figures as figures_views  # -- figures
from compromiso.attention.views import home

app_name = "attention"

urlpatterns = [
    path("", home.home, name="home"),
    # -- figures
    path("figures/", figures_views.figures_page, name="figures"),
]
