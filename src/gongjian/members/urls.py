from django.urls import path

from gongjian.core.navigation import register

from . import views
from .models import Membership

urlpatterns = [
    path("members/", views.MemberList.as_view(), name="member_list"),
    path("members/new/", views.MemberCreate.as_view(), name="member_create"),
    path("members/<int:pk>/", views.MemberDetail.as_view(), name="member_detail"),
    path("members/<int:pk>/edit/", views.MemberEdit.as_view(), name="member_edit"),
    path("members/<int:pk>/reveal/", views.MemberReveal.as_view(), name="member_reveal"),
]

register("党员", "member_list", Membership, icon="bi-people-fill", order=15,
         group="党员队伍")
