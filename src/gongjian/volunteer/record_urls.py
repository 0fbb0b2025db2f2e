from django.urls import path

from . import record_views as views

urlpatterns = [
    path("volunteer/scan/<str:code>/", views.scan, name="volunteer_scan"),
    path("volunteer/checkin/<str:ticket>/", views.CheckInConfirm.as_view(),
         name="volunteer_checkin"),
    path("volunteer/mine/", views.MyRecords.as_view(), name="volunteer_mine"),
    path("volunteer/certificates/", views.CertificateIssue.as_view(),
         name="volunteer_certificate_issue"),
    path("volunteer/certificates/<str:number>.pdf", views.CertificatePdf.as_view(),
         name="volunteer_certificate_pdf"),
    # Short, for the QR code printed on the certificate; public.
    path("v/<str:number>/", views.certificate_check, name="volunteer_certificate_check"),
]
