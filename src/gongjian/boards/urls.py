from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("board/", views.board_index, name="board_index"),
    path("board/<str:code>/", views.board_detail, name="board_detail"),
    path("board/<str:code>/qr.svg", views.board_qr, name="board_qr"),
    # Browsers ask for /favicon.ico where a page names no icon (files, API answers): the
    # static one, without a named page of its own. Public like the boards.
    path("favicon.ico", RedirectView.as_view(url=static("gongjian/favicon.ico"),
                                             permanent=True)),
]
