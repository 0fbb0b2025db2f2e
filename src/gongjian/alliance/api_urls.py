from rest_framework.routers import SimpleRouter

from .api import AgreementViewSet, AllianceViewSet, MeetingViewSet, TaskViewSet

router = SimpleRouter()
router.register("alliances", AllianceViewSet, basename="api-alliance")
router.register("meetings", MeetingViewSet, basename="api-meeting")
router.register("tasks", TaskViewSet, basename="api-task")
router.register("agreements", AgreementViewSet, basename="api-agreement")

urlpatterns = router.urls
