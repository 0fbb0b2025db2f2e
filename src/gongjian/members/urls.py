from django.urls import include, path

from gongjian.core.access import SELF_ROLES
from gongjian.core.navigation import register

from . import mine, views
from .models import Membership

urlpatterns = [
    path("me/", mine.MyPage.as_view(), name="my_page"),
    path("members/", views.MemberList.as_view(), name="member_list"),
    path("members/new/", views.MemberCreate.as_view(), name="member_create"),
    path("members/<int:pk>/", views.MemberDetail.as_view(), name="member_detail"),
    path("members/<int:pk>/edit/", views.MemberEdit.as_view(), name="member_edit"),
    path("members/<int:pk>/reveal/", views.MemberReveal.as_view(), name="member_reveal"),
    path("", include("gongjian.members.import_urls")),
    path("", include("gongjian.members.stats_urls")),
]

# Members and residents have their own page; the roster is for the roles that keep it.
register("我的", "my_page", roles=SELF_ROLES, icon="bi-person-circle", order=5)
register("党员", "member_list", Membership, icon="bi-people-fill", order=15,
         group="党员队伍", exclude_roles=SELF_ROLES)
