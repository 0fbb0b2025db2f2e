from rest_framework.routers import SimpleRouter

from .api import DemandViewSet, ProjectViewSet, ResourceViewSet

router = SimpleRouter()
router.register("demands", DemandViewSet, basename="api-demand")
router.register("resources", ResourceViewSet, basename="api-resource")
router.register("projects", ProjectViewSet, basename="api-project")

urlpatterns = router.urls
