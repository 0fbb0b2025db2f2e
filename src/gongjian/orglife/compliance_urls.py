from django.urls import path

from . import compliance_views

urlpatterns = [
    path("orglife/compliance/", compliance_views.CompliancePage.as_view(),
         name="orglife_compliance"),
    path("orglife/compliance/export/", compliance_views.ComplianceExport.as_view(),
         name="orglife_compliance_xlsx"),
    path("orglife/calendar/<str:code>/<int:year>/", compliance_views.CalendarPage.as_view(),
         name="orglife_calendar"),
]
