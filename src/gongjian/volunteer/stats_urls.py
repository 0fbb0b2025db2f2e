"""Pages of the volunteer-service figures."""

from django.urls import path

from . import stats_views as views

urlpatterns = [
    path("volunteer/stats/", views.StatsPage.as_view(), name="volunteer_stats"),
    path("volunteer/stats/export.xlsx", views.StatsExport.as_view(),
         name="volunteer_stats_export"),
    path("volunteer/stats/volunteer/", views.VolunteerLookup.as_view(),
         name="volunteer_stats_lookup"),
    path("volunteer/stats/volunteers/<str:number>/", views.VolunteerRecordPage.as_view(),
         name="volunteer_stats_volunteer"),
]
