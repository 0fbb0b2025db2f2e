from django.urls import path

from . import import_views as views

urlpatterns = [
    path("members/import/", views.ImportPage.as_view(), name="member_import"),
    path("members/import/template/", views.ImportTemplate.as_view(),
         name="member_import_template"),
    path("members/import/jobs/<int:pk>/", views.ImportJobView.as_view(),
         name="member_import_job"),
    path("members/import/jobs/<int:pk>/errors.xlsx", views.ImportErrors.as_view(),
         name="member_import_errors"),
    path("members/export/", views.MemberExport.as_view(), name="member_export"),
]

