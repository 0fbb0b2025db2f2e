from django.urls import path

from . import team_views as views

urlpatterns = [
    path("volunteer-teams/", views.TeamList.as_view(), name="volunteer_team_list"),
    path("volunteer-teams/new/", views.TeamEdit.as_view(), name="volunteer_team_create"),
    path("volunteer-teams/<int:pk>/", views.TeamDetail.as_view(), name="volunteer_team_detail"),
    path("volunteer-teams/<int:pk>/edit/", views.TeamEdit.as_view(), name="volunteer_team_edit"),
    path("volunteer-teams/<int:pk>/members/add/", views.MemberAdd.as_view(),
         name="volunteer_team_member_add"),
    path("volunteer-teams/<int:pk>/join/", views.Join.as_view(), name="volunteer_team_join"),
    path("volunteer-teams/<int:pk>/leave/", views.Leave.as_view(), name="volunteer_team_leave"),
    path("volunteer-team-members/<int:pk>/remove/", views.MemberRemove.as_view(),
         name="volunteer_team_member_remove"),
]
