from django.urls import path

from .compliance_api import ComplianceView

urlpatterns = [
    path("orglife/compliance/", ComplianceView.as_view(), name="api-orglife-compliance"),
]
