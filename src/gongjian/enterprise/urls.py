from django.urls import path

from . import views

urlpatterns = [
    path("enterprise/", views.SummaryView.as_view(), name="enterprise_summary"),
    path("enterprise/areas/", views.AreaListView.as_view(), name="enterprise_areas"),
    path("enterprise/areas/new/", views.AreaFormView.as_view(), name="enterprise_area_create"),
    path("enterprise/areas/<int:pk>/edit/", views.AreaFormView.as_view(),
         name="enterprise_area_edit"),
    path("enterprise/cadres/", views.CadreListView.as_view(), name="enterprise_cadres"),
    path("enterprise/cadres/new/", views.CadreFormView.as_view(),
         name="enterprise_cadre_create"),
    path("enterprise/cadres/<int:pk>/edit/", views.CadreFormView.as_view(),
         name="enterprise_cadre_edit"),
    path("enterprise/companies/", views.CompanyListView.as_view(), name="enterprise_companies"),
    path("enterprise/links/new/", views.LinkCreateView.as_view(), name="enterprise_link_create"),
    path("enterprise/links/<int:pk>/end/", views.LinkEndView.as_view(),
         name="enterprise_link_end"),
    path("enterprise/cases/", views.CaseListView.as_view(), name="enterprise_case_list"),
    path("enterprise/cases/export.xlsx", views.CaseExportView.as_view(),
         name="enterprise_case_export"),
    path("enterprise/cases/new/", views.CaseCreateView.as_view(), name="enterprise_case_create"),
    path("enterprise/cases/<int:pk>/", views.CaseDetailView.as_view(),
         name="enterprise_case_detail"),
    path("enterprise/cases/<int:pk>/<slug:step>/", views.CaseStepView.as_view(),
         name="enterprise_case_step"),
]
