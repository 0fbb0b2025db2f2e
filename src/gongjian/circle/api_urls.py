from django.urls import path

from .api import CircleSuggestView, CircleView

urlpatterns = [
    path("circle/", CircleView.as_view(), name="api-circle"),
    path("circle/suggest/", CircleSuggestView.as_view(), name="api-circle-suggest"),
]
