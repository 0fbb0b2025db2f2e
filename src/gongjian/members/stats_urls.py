"""Pages of leadership teams, full-time staff and statistics."""

from django.urls import path

from gongjian.core.navigation import register
from gongjian.orgs.models import Organization

from . import stats_views, team_views
from .models import Team

urlpatterns = [
    path("teams/", team_views.TeamIndex.as_view(), name="team_index"),
    path("teams/<str:code>/", team_views.TeamDetail.as_view(), name="team_detail"),
    path("teams/<str:code>/elect/", team_views.TeamElect.as_view(), name="team_elect"),
    path("staff/", team_views.StaffIndex.as_view(), name="staff_index"),
    path("staff/shortfall/", team_views.StaffingShortfall.as_view(), name="staffing_shortfall"),
    path("staff/standard/", team_views.StaffingStandardView.as_view(),
         name="staffing_standard"),
    path("staff/<int:pk>/end/", team_views.StaffEnd.as_view(), name="staff_end"),
    path("staff/org/<str:code>/", team_views.StaffOrg.as_view(), name="staff_org"),
    path("stats/", stats_views.StatsPage.as_view(), name="stats"),
    path("stats/export/", stats_views.StatsExport.as_view(), name="stats_export"),
]

register("班子与队伍", "team_index", Team, icon="bi-people", order=50,
         group="党员队伍")
# The figures are about organisations; the page also needs the roster's right (checked there).
register("统计", "stats", Organization, icon="bi-bar-chart-line", order=60,
         group="党员队伍")
