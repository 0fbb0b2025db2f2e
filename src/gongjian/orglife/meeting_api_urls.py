from rest_framework.routers import SimpleRouter

from .api import BranchMakeUpViewSet, BranchMeetingViewSet

router = SimpleRouter()
router.register("branch-meetings", BranchMeetingViewSet, basename="api-branch-meeting")
router.register("branch-makeups", BranchMakeUpViewSet, basename="api-branch-makeup")

urlpatterns = router.urls
