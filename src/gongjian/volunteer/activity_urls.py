from django.urls import path

from . import activity_views as views

# The fixed paths come before `<str:step>`.
urlpatterns = [
    path("activities/", views.ActivityList.as_view(), name="volunteer_activity_list"),
    path("activities/export.xlsx", views.ActivityExport.as_view(),
         name="volunteer_activity_export"),
    path("activities/new/", views.ActivityEdit.as_view(), name="volunteer_activity_create"),
    path("activities/<int:pk>/", views.ActivityDetail.as_view(),
         name="volunteer_activity_detail"),
    path("activities/<int:pk>/edit/", views.ActivityEdit.as_view(),
         name="volunteer_activity_edit"),
    path("activities/<int:pk>/qr/", views.QrPage.as_view(), name="volunteer_activity_qr"),
    path("activities/<int:pk>/qr/code/", views.QrCode.as_view(),
         name="volunteer_activity_qr_code"),
    path("activities/<int:pk>/qr.svg", views.QrSvg.as_view(), name="volunteer_activity_qr_svg"),
    path("activities/<int:pk>/manual/", views.ManualEntry.as_view(),
         name="volunteer_activity_manual"),
    path("activities/<int:pk>/<str:step>/", views.ActivityStep.as_view(),
         name="volunteer_activity_step"),
    path("activity-signups/<int:pk>/decline/", views.SignupDecline.as_view(),
         name="volunteer_signup_decline"),
    path("activity-checkins/<int:pk>/close/", views.CheckInClose.as_view(),
         name="volunteer_checkin_close"),
    path("service-records/<int:pk>/adjust/", views.RecordAdjust.as_view(),
         name="volunteer_record_adjust"),
]
