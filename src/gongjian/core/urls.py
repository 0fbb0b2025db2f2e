from django.urls import path

from . import otp_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.Login.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("otp/enrol/", otp_views.enrol, name="otp_enrol"),
    path("otp/verify/", otp_views.verify, name="otp_verify"),
    path("accounts/", views.AccountList.as_view(), name="account_list"),
    path("accounts/new/", views.AccountCreate.as_view(), name="account_create"),
    path("accounts/<int:pk>/", views.AccountDetail.as_view(), name="account_detail"),
    path("accounts/<int:pk>/otp-reset/", otp_views.reset, name="account_otp_reset"),
    path("grants/", views.GrantList.as_view(), name="grant_list"),
    path("grants/new/", views.GrantCreate.as_view(), name="grant_create"),
    path("grants/<int:pk>/revoke/", views.GrantRevoke.as_view(), name="grant_revoke"),
    path("audit/", views.AuditList.as_view(), name="audit_list"),
    path("notifications/", views.NotificationList.as_view(), name="notification_list"),
    path("notifications/<int:pk>/open/", views.NotificationOpen.as_view(),
         name="notification_open"),
    path("notifications/read-all/", views.NotificationReadAll.as_view(),
         name="notification_read_all"),
]

