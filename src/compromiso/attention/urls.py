from django.urls import path

from compromiso.attention.views import board as live_board
from compromiso.attention.views import home

app_name = "attention"

urlpatterns = [
    path("", home.home, name="home"),
    # -- live
    path("branches/<id:pk>/board/", live_board.board, name="board"),
    # -- end live
]
