from django.urls import path

from . import views


def step(prefix, view, name, url_name):
    """A workflow step at `<prefix>/<pk>/<name>/`, under the URL name it has always had."""
    return path(f"{prefix}/<int:pk>/{name}/", view.as_view(), {"step": name}, name=url_name)


urlpatterns = [
    path("alliances/", views.AllianceList.as_view(), name="alliance_list"),
    path("alliances/new/", views.AllianceEdit.as_view(), name="alliance_create"),
    path("alliances/<int:pk>/", views.AllianceDetail.as_view(), name="alliance_detail"),
    path("alliances/<int:pk>/edit/", views.AllianceEdit.as_view(), name="alliance_edit"),
    path("alliances/<int:pk>/members/new/", views.MemberAdd.as_view(),
         name="alliance_member_add"),
    path("alliances/members/<int:pk>/leave/", views.MemberLeave.as_view(),
         name="alliance_member_leave"),
    path("alliances/<int:pk>/rotation/", views.Rotation.as_view(), name="alliance_rotation"),
    path("alliances/chair-terms/<int:pk>/delete/", views.ChairTermDelete.as_view(),
         name="alliance_chair_delete"),
    path("alliances/<int:pk>/meetings/new/", views.MeetingCreate.as_view(),
         name="meeting_create"),
    path("meetings/<int:pk>/", views.MeetingDetail.as_view(), name="meeting_detail"),
    step("meetings", views.MeetingStep, "reply", "meeting_reply"),
    step("meetings", views.MeetingStep, "hold", "meeting_hold"),
    step("meetings", views.MeetingStep, "cancel", "meeting_cancel"),
    path("tasks/", views.TaskList.as_view(), name="task_list"),
    path("tasks/<int:pk>/", views.TaskDetail.as_view(), name="task_detail"),
    step("tasks", views.TaskStep, "progress", "task_progress"),
    step("tasks", views.TaskStep, "complete", "task_complete"),
    path("agreements/", views.AgreementList.as_view(), name="agreement_list"),
    path("agreements/new/", views.AgreementCreate.as_view(), name="agreement_create"),
    path("agreements/<int:pk>/", views.AgreementDetail.as_view(), name="agreement_detail"),
    step("agreements", views.AgreementStep, "edit", "agreement_edit"),
    step("agreements", views.AgreementStep, "sign", "agreement_sign"),
    step("agreements", views.AgreementStep, "terminate", "agreement_terminate"),
    path("agreements/<int:pk>/docx/", views.AgreementDocx.as_view(), name="agreement_docx"),
]
