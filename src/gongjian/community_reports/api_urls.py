from rest_framework.routers import SimpleRouter

from .api import CommunityReportViewSet

router = SimpleRouter()
router.register("community-reports", CommunityReportViewSet, basename="api-community-report")

urlpatterns = router.urls
