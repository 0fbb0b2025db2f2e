from django.urls import path

from .stats_api import VolunteerRecordView, VolunteerStatsView

urlpatterns = [
    path("volunteer-stats/", VolunteerStatsView.as_view(), name="api-volunteer-stats"),
    path("volunteer-stats/volunteers/<str:number>/", VolunteerRecordView.as_view(),
         name="api-volunteer-stats-volunteer"),
]
