from django.urls import path

from . import views

# The fixed paths come before `<str:step>`: `edit/` is the plan's own page (the table's
# 修改计划 button links to it).
urlpatterns = [
    path("branch-meetings/", views.MeetingList.as_view(), name="branch_meeting_list"),
    path("branch-meetings/new/", views.MeetingEdit.as_view(), name="branch_meeting_create"),
    path("branch-meetings/attendance.xlsx", views.AttendanceXlsx.as_view(),
         name="branch_meeting_attendance_xlsx"),
    path("branch-meetings/<int:pk>/", views.MeetingDetail.as_view(), name="branch_meeting_detail"),
    path("branch-meetings/<int:pk>/edit/", views.MeetingEdit.as_view(), name="branch_meeting_edit"),
    path("branch-meetings/<int:pk>/minutes.docx", views.MinutesDocx.as_view(),
         name="branch_meeting_minutes_docx"),
    path("branch-meetings/<int:pk>/scan/", views.MinutesScan.as_view(),
         name="branch_meeting_scan"),
    path("branch-meetings/<int:pk>/<str:step>/", views.MeetingStep.as_view(),
         name="branch_meeting_step"),
    path("branch-makeups/<int:pk>/<str:step>/", views.MakeUpStep.as_view(),
         name="branch_makeup_step"),
]
