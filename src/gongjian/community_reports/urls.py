from django.urls import path

from . import views

urlpatterns = [
    path("community-reports/", views.ReportList.as_view(), name="community_report_list"),
    path("community-reports/export/", views.ReportExport.as_view(),
         name="community_report_export"),
    path("community-reports/new/", views.ReportCreate.as_view(), name="community_report_create"),
    path("community-reports/year-end/", views.YearEnd.as_view(),
         name="community_report_year_end"),
    path("community-reports/year-end/export/", views.YearEndExport.as_view(),
         name="community_report_year_end_export"),
    path("community-reports/units/<str:code>/", views.UnitSummary.as_view(),
         name="community_report_unit_summary"),
    path("community-reports/units/<str:code>/export/", views.UnitSummaryExport.as_view(),
         name="community_report_unit_summary_export"),
    path("community-reports/<int:pk>/", views.ReportDetail.as_view(),
         name="community_report_detail"),
    path("community-reports/<int:pk>/<slug:step>/", views.ReportStep.as_view(),
         name="community_report_step"),
]
