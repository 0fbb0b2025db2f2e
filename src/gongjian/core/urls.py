from django.urls import path

from . import views
from .models import AuditEntry, RoleGrant, User
from .navigation import register

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.Login.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("accounts/", views.AccountList.as_view(), name="account_list"),
    path("accounts/new/", views.AccountCreate.as_view(), name="account_create"),
    path("accounts/<int:pk>/", views.AccountDetail.as_view(), name="account_detail"),
    path("grants/", views.GrantList.as_view(), name="grant_list"),
    path("grants/new/", views.GrantCreate.as_view(), name="grant_create"),
    path("grants/<int:pk>/revoke/", views.GrantRevoke.as_view(), name="grant_revoke"),
    path("audit/", views.AuditList.as_view(), name="audit_list"),
]

register("账户管理", "account_list", User, icon="bi-people", order=80)
register("角色授权", "grant_list", RoleGrant, icon="bi-shield-lock", order=81)
register("审计日志", "audit_list", AuditEntry, icon="bi-journal-text", order=82)
