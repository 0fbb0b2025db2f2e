"""The REST API, mounted at /api/v1/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from gongjian.core.api_views import DocsView, MeView, ObtainTokenView, SchemaView
from gongjian.orgs.api import BuildingViewSet, GridViewSet, OrganizationViewSet, UnitViewSet

router = SimpleRouter()
router.register("orgs", OrganizationViewSet, basename="api-org")
router.register("grids", GridViewSet, basename="api-grid")
router.register("buildings", BuildingViewSet, basename="api-building")
router.register("units", UnitViewSet, basename="api-unit")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(), name="api-docs"),
    *router.urls,
    path("", include("gongjian.members.api_urls")),
    path("", include("gongjian.members.stats_api_urls")),
    path("", include("gongjian.alliance.api_urls")),
    path("", include("gongjian.projects.api_urls")),
    path("", include("gongjian.wishes.api_urls")),
    path("", include("gongjian.enterprise.api_urls")),
]
