from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .api import MemberViewSet

router = SimpleRouter()
router.register("members", MemberViewSet, basename="api-member")

urlpatterns = [*router.urls, path("", include("gongjian.members.stats_api_urls"))]
