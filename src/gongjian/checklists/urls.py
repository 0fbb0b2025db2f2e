from django.urls import path

from . import views
from .models import Kind

urlpatterns = [
    path("checklists/", views.ChecklistList.as_view(), name="checklist_list"),
    path("checklists/responsibility/", views.ChecklistList.as_view(),
         {"kind": Kind.RESPONSIBILITY.value}, name="checklist_responsibility"),
    path("checklists/problems/", views.ChecklistList.as_view(), {"kind": Kind.PROBLEM.value},
         name="checklist_problems"),
    path("checklists/learning/", views.ChecklistList.as_view(), {"kind": Kind.LEARNING.value},
         name="checklist_learning"),
    path("checklists/activities/", views.ChecklistList.as_view(),
         {"kind": Kind.ACTIVITY.value}, name="checklist_activities"),
    path("checklists/resources/", views.ChecklistList.as_view(),
         {"kind": Kind.RESOURCE.value}, name="checklist_resources"),
    path("checklists/export/", views.ChecklistExport.as_view(), name="checklist_export"),
    path("checklists/new/", views.ChecklistCreate.as_view(), name="checklist_create"),
    path("checklists/<int:pk>/", views.ChecklistDetail.as_view(), name="checklist_detail"),
    path("checklists/<int:pk>/edit/", views.ChecklistEdit.as_view(), name="checklist_edit"),
    path("checklists/<int:pk>/<slug:step>/", views.ChecklistStep.as_view(),
         name="checklist_step"),
]
