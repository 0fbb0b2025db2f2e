from rest_framework.routers import SimpleRouter

from .api import CadreLinkViewSet, CaseViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="api-enterprise-case")
router.register("cadre-links", CadreLinkViewSet, basename="api-enterprise-cadre-link")

urlpatterns = router.urls
