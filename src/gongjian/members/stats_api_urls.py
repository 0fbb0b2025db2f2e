from django.urls import path

from .stats_api import MemberFiguresView, TeamFiguresView

urlpatterns = [
    path("stats/teams/", TeamFiguresView.as_view(), name="api-stats-teams"),
    path("stats/members/", MemberFiguresView.as_view(), name="api-stats-members"),
]
