from django.urls import path

from . import views

urlpatterns = [
    path("demands/", views.DemandList.as_view(), name="demand_list"),
    path("demands/new/", views.DemandCreate.as_view(), name="demand_create"),
    path("demands/<int:pk>/", views.DemandDetail.as_view(), name="demand_detail"),
    path("demands/<int:pk>/matches/", views.DemandMatches.as_view(), name="demand_matches"),
    path("demands/<int:pk>/<slug:step>/", views.DemandStep.as_view(), name="demand_step"),
    path("resources/", views.ResourceList.as_view(), name="resource_list"),
    path("resources/new/", views.ResourceCreate.as_view(), name="resource_create"),
    path("resources/<int:pk>/", views.ResourceDetail.as_view(), name="resource_detail"),
    path("resources/<int:pk>/edit/", views.ResourceEdit.as_view(), name="resource_edit"),
    path("projects/", views.ProjectList.as_view(), name="project_list"),
    path("projects/new/", views.ProjectCreate.as_view(), name="project_create"),
    path("projects/supervision/", views.Supervision.as_view(), name="project_supervision"),
    path("projects/photos/<int:pk>/", views.ProjectPhotoView.as_view(), name="project_photo"),
    path("projects/<int:pk>/", views.ProjectDetail.as_view(), name="project_detail"),
    path("projects/<int:pk>/<slug:step>/", views.ProjectStep.as_view(), name="project_step"),
]
