from rest_framework.routers import SimpleRouter

from .api import ActivityViewSet

router = SimpleRouter()
router.register("activities", ActivityViewSet, basename="api-volunteer-activity")

urlpatterns = router.urls
