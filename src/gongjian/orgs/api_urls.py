from rest_framework.routers import SimpleRouter

from .api import BuildingViewSet, GridViewSet, OrganizationViewSet, UnitViewSet

router = SimpleRouter()
router.register("orgs", OrganizationViewSet, basename="api-org")
router.register("grids", GridViewSet, basename="api-grid")
router.register("buildings", BuildingViewSet, basename="api-building")
router.register("units", UnitViewSet, basename="api-unit")

urlpatterns = router.urls
