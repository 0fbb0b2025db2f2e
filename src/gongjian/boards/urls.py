from django.urls import path

from . import views

urlpatterns = [
    path("board/", views.board_index, name="board_index"),
    path("board/<str:code>/", views.board_detail, name="board_detail"),
    path("board/<str:code>/qr.svg", views.board_qr, name="board_qr"),
]
