from django.urls import path

from . import import_views as views

urlpatterns = [
    path("volunteer/import/", views.LedgerImport.as_view(), name="volunteer_ledger_import"),
    path("volunteer/import/template/", views.LedgerTemplate.as_view(),
         name="volunteer_ledger_template"),
    path("volunteer/import/errors/<int:pk>/", views.ImportErrors.as_view(),
         name="volunteer_import_errors"),
    path("volunteer-teams/<int:pk>/import/", views.TeamImport.as_view(),
         name="volunteer_team_import"),
    path("volunteer-teams/<int:pk>/import/template/", views.TeamTemplate.as_view(),
         name="volunteer_team_import_template"),
]
